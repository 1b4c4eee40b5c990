-- Day staff's work in the browser: agreed key-work actions closed three ways, and beds retired.

-- An agreed action is closed once, one of three ways: done; dropped (no longer to be done,
-- saying why); or moved to a new due date, which closes it as moved and opens a new action in
-- the same session with the new date (`moved_to`), so the date it was first due stays on record.
-- `done_at` and `done_by` are when and by whom it was closed, whichever way.
ALTER TABLE key_work_action
    ADD COLUMN outcome text CONSTRAINT key_work_action_outcome_is_known CHECK (outcome IN ('done', 'dropped', 'moved')),
    ADD COLUMN close_note text,
    ADD COLUMN moved_to uuid REFERENCES key_work_action (id) ON DELETE RESTRICT;
ALTER TABLE key_work_action DISABLE TRIGGER key_work_action_only_marked_done;
UPDATE key_work_action SET outcome = 'done' WHERE done_at IS NOT NULL;
ALTER TABLE key_work_action ENABLE TRIGGER key_work_action_only_marked_done;
ALTER TABLE key_work_action
    ADD CONSTRAINT key_work_action_closed_whole CHECK ((done_at IS NULL) = (outcome IS NULL)),
    ADD CONSTRAINT key_work_action_note_when_closed CHECK (close_note IS NULL OR done_at IS NOT NULL),
    ADD CONSTRAINT key_work_action_drop_says_why CHECK (outcome IS DISTINCT FROM 'dropped' OR length(btrim(close_note)) > 0),
    ADD CONSTRAINT key_work_action_move_says_where CHECK ((outcome = 'moved') = (moved_to IS NOT NULL));
-- The trigger of 0010 (as 0023 replaced it) already lets an open action be closed once with
-- its own columns unchanged; the three new columns change only in that one update, since a
-- closed action refuses every change and an open one has none of them (the checks above).

-- A bed is retired by ending its in-use range (`bed.in_use`) from a night on. The range never
-- leaves out a night on which someone is allocated to the bed: the allocation's own trigger
-- (0003) keeps new allocations inside the range; this one keeps the range around the
-- allocations already made. Both lock the bed's row, so the two never cross.
CREATE FUNCTION check_bed_in_use_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    who text;
BEGIN
    SELECT p.person_name INTO who
    FROM bed_allocation a JOIN placement p ON p.id = a.placement_id
    WHERE a.bed_id = NEW.id AND a.released_at IS NULL AND NOT (NEW.in_use @> a.nights)
    ORDER BY lower(a.nights) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the bed is allocated to % on nights it would no longer be in use', who
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bed_in_use_covers_allocations';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER bed_in_use_covers_allocations BEFORE UPDATE OF in_use ON bed
    FOR EACH ROW EXECUTE FUNCTION check_bed_in_use_change();

-- The night's record for managers reads a premises' sign-outs and sign-ins between two times.
CREATE INDEX movement_by_premises_time ON movement (premises_id, occurred_at);

-- A placement's bed history (every allocation, released ones too) is read by each of its pages;
-- the live-only index left the released ones to a scan of every allocation.
CREATE INDEX bed_allocation_by_placement ON bed_allocation (placement_id);
