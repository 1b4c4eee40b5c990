-- Night operations, first part: curfew variations and the sign-out/sign-in log, append-only
-- and hash-chained per premises so that an entry changed, removed or slipped in directly in
-- the database shows.

CREATE TABLE curfew_variation (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    nights daterange NOT NULL CONSTRAINT curfew_variation_is_not_empty CHECK (NOT isempty(nights)),
    -- the hours that apply instead; both NULL lifts the curfew on those nights
    curfew_start time,
    curfew_end time,
    reason text NOT NULL CONSTRAINT curfew_variation_has_reason CHECK (length(btrim(reason)) > 0),
    approved_by text NOT NULL,
    created_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT curfew_variation_hours_whole CHECK ((curfew_start IS NULL) = (curfew_end IS NULL)),
    CONSTRAINT curfew_variation_never_overlaps EXCLUDE USING gist (placement_id WITH =, nights WITH &&)
);

CREATE TABLE movement (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    -- the entry's place in its premises' chain, given under a lock by the trigger below
    chain_seq bigint NOT NULL,
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    kind text NOT NULL CONSTRAINT movement_kind_is_known CHECK (kind IN ('out', 'in')),
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    destination text,
    expected_back timestamptz,
    with_permission boolean NOT NULL DEFAULT false,
    -- a correction is a new entry that points at the one it corrects, with a reason
    corrects_id bigint REFERENCES movement (id) ON DELETE RESTRICT,
    correction_reason text,
    previous_hash bytea,
    entry_hash bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT movement_correction_has_reason CHECK ((corrects_id IS NULL) = (correction_reason IS NULL)),
    CONSTRAINT movement_chain_is_ordered UNIQUE (premises_id, chain_seq)
);
CREATE INDEX movement_by_placement ON movement (placement_id, occurred_at);

-- The content an entry's hash covers, independent of the session's time zone.
CREATE FUNCTION movement_content(m movement) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('|', m.premises_id::text, m.chain_seq::text, m.placement_id::text, m.kind,
        extract(epoch FROM m.occurred_at)::text, extract(epoch FROM m.recorded_at)::text, m.recorded_by::text,
        coalesce(m.destination, ''), coalesce(extract(epoch FROM m.expected_back)::text, ''), m.with_permission::text,
        coalesce(m.corrects_id::text, ''), coalesce(m.correction_reason, ''))
$$;

CREATE FUNCTION chain_movement() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last movement%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('movement:' || NEW.premises_id::text, 0));
    SELECT * INTO last FROM movement WHERE premises_id = NEW.premises_id ORDER BY chain_seq DESC LIMIT 1;
    NEW.chain_seq := coalesce(last.chain_seq, 0) + 1;
    NEW.previous_hash := last.entry_hash;
    NEW.entry_hash := sha256(coalesce(last.entry_hash, '\x'::bytea) || convert_to(movement_content(NEW), 'UTF8'));
    RETURN NEW;
END;
$$;
CREATE TRIGGER movement_is_chained
    BEFORE INSERT ON movement
    FOR EACH ROW EXECUTE FUNCTION chain_movement();
CREATE TRIGGER movement_is_append_only
    BEFORE UPDATE OR DELETE ON movement
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER movement_is_never_truncated
    BEFORE TRUNCATE ON movement
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only_log();
