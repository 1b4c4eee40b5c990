-- Handovers between shifts: what the outgoing staff tell the incoming, and who has read it.

CREATE TABLE handover (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    -- the shift that is ending
    shift text NOT NULL CONSTRAINT handover_shift_is_known CHECK (shift IN ('day', 'late', 'night')),
    notes text NOT NULL CONSTRAINT handover_has_notes CHECK (length(btrim(notes)) > 0),
    written_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX handover_by_premises ON handover (premises_id, created_at DESC);

CREATE TABLE handover_watch (
    handover_id uuid NOT NULL REFERENCES handover (id) ON DELETE RESTRICT,
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    why text NOT NULL CONSTRAINT handover_watch_says_why CHECK (length(btrim(why)) > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (handover_id, placement_id)
);

CREATE TABLE handover_task (
    handover_id uuid NOT NULL REFERENCES handover (id) ON DELETE RESTRICT,
    position integer NOT NULL,
    task text NOT NULL CONSTRAINT handover_task_is_given CHECK (length(btrim(task)) > 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (handover_id, position)
);

CREATE TABLE handover_acknowledgement (
    handover_id uuid NOT NULL REFERENCES handover (id) ON DELETE RESTRICT,
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (handover_id, staff_id)
);

-- What was handed over stays as it was written.
CREATE TRIGGER handover_is_append_only BEFORE UPDATE OR DELETE ON handover
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER handover_watch_is_append_only BEFORE UPDATE OR DELETE ON handover_watch
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER handover_task_is_append_only BEFORE UPDATE OR DELETE ON handover_task
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER handover_acknowledgement_is_append_only BEFORE UPDATE OR DELETE ON handover_acknowledgement
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
