-- Night operations, last part: what happens to a curfew breach after it opens (escalation,
-- outcome), the night-check rounds and the incident log. Night checks and incidents are
-- append-only and hash-chained per premises like the curfew log (0005).

-- A breach closes when the resident signs in or when it is escalated (absent overnight: the
-- probation practitioner and/or the police informed); a manager then records the outcome.
ALTER TABLE curfew_breach
    ADD COLUMN escalated_at timestamptz,
    ADD COLUMN escalated_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    ADD COLUMN pp_informed_at timestamptz,
    ADD COLUMN police_informed_at timestamptz,
    ADD COLUMN escalation_note text,
    ADD COLUMN outcome_at timestamptz,
    ADD COLUMN outcome_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    ADD COLUMN outcome_note text,
    ADD CONSTRAINT curfew_breach_escalation_says_who_was_informed
        CHECK (escalated_at IS NULL OR pp_informed_at IS NOT NULL OR police_informed_at IS NOT NULL),
    ADD CONSTRAINT curfew_breach_outcome_whole CHECK ((outcome IS NULL) = (outcome_at IS NULL)),
    ADD CONSTRAINT curfew_breach_outcome_after_close
        CHECK (outcome IS NULL OR closed_at IS NOT NULL OR escalated_at IS NOT NULL);
CREATE INDEX curfew_breach_by_placement ON curfew_breach (placement_id, window_start DESC);

-- One trigger function for every chain from here on: each table names its content function
-- `<table>_content(<table>)`; entries take the next place in their premises' chain under a lock.
CREATE FUNCTION chain_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
    content text;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(TG_TABLE_NAME || ':' || NEW.premises_id::text, 0));
    EXECUTE format('SELECT chain_seq, entry_hash FROM %I WHERE premises_id = $1 ORDER BY chain_seq DESC LIMIT 1', TG_TABLE_NAME)
        INTO last_seq, last_hash USING NEW.premises_id;
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.previous_hash := last_hash;
    EXECUTE format('SELECT %I($1)', TG_TABLE_NAME || '_content') INTO content USING NEW;
    NEW.entry_hash := sha256(coalesce(last_hash, '\x'::bytea) || convert_to(content, 'UTF8'));
    RETURN NEW;
END;
$$;

-- Night checks: one row per resident per round; a round is the rows of one premises with the
-- same due time. A round that was due and has no rows is missed.
CREATE TABLE night_check (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    chain_seq bigint NOT NULL,
    round_due_at timestamptz NOT NULL,
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    observation text NOT NULL
        CONSTRAINT night_check_observation_is_known CHECK (observation IN ('seen', 'not_seen', 'not_in_room', 'refused')),
    observed_at timestamptz NOT NULL,
    note text,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    previous_hash bytea,
    entry_hash bytea NOT NULL,
    CONSTRAINT night_check_once_per_round UNIQUE (premises_id, round_due_at, placement_id),
    CONSTRAINT night_check_chain_is_ordered UNIQUE (premises_id, chain_seq)
);
CREATE INDEX night_check_by_placement ON night_check (placement_id, round_due_at);

CREATE FUNCTION night_check_content(n night_check) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT json_build_array(n.premises_id, n.chain_seq, extract(epoch FROM n.round_due_at), n.placement_id, n.observation,
        extract(epoch FROM n.observed_at), n.note, extract(epoch FROM n.recorded_at), n.recorded_by)::text
$$;

CREATE TRIGGER night_check_is_chained BEFORE INSERT ON night_check
    FOR EACH ROW EXECUTE FUNCTION chain_entry();
CREATE TRIGGER night_check_is_append_only BEFORE UPDATE OR DELETE ON night_check
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER night_check_is_never_truncated BEFORE TRUNCATE ON night_check
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only_log();

-- Incidents: an amendment is a new version pointing at the one it replaces, with a reason; every
-- version carries the incident's number, given to the first.
CREATE SEQUENCE incident_number;
CREATE TABLE incident (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    chain_seq bigint NOT NULL,
    incident_number bigint NOT NULL,
    amends_id bigint REFERENCES incident (id) ON DELETE RESTRICT,
    amendment_reason text,
    kind text NOT NULL CONSTRAINT incident_kind_is_known CHECK (kind IN (
        'violence_or_threats', 'self_harm', 'substance_found', 'damage', 'police_attendance', 'absconding',
        'missed_curfew', 'medical_emergency', 'safeguarding', 'complaint', 'other')),
    severity text NOT NULL CONSTRAINT incident_severity_is_known CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    occurred_at timestamptz NOT NULL,
    location text NOT NULL CONSTRAINT incident_says_where CHECK (length(btrim(location)) > 0),
    summary text NOT NULL CONSTRAINT incident_says_what_happened CHECK (length(btrim(summary)) > 0),
    residents uuid[] NOT NULL DEFAULT '{}',
    staff uuid[] NOT NULL DEFAULT '{}',
    action_taken text NOT NULL CONSTRAINT incident_says_what_was_done CHECK (length(btrim(action_taken)) > 0),
    told text[] NOT NULL DEFAULT '{}',
    recorded_at timestamptz NOT NULL DEFAULT now(),
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    previous_hash bytea,
    entry_hash bytea NOT NULL,
    CONSTRAINT incident_amendment_has_reason CHECK ((amends_id IS NULL) = (amendment_reason IS NULL)),
    -- a version is amended at most once: amendments form a line, not a tree
    CONSTRAINT incident_amended_once UNIQUE (amends_id),
    CONSTRAINT incident_chain_is_ordered UNIQUE (premises_id, chain_seq)
);
CREATE INDEX incident_by_premises ON incident (premises_id, occurred_at DESC);
CREATE INDEX incident_by_number ON incident (incident_number, id);
CREATE UNIQUE INDEX incident_number_is_unique ON incident (incident_number) WHERE amends_id IS NULL;

CREATE FUNCTION incident_content(i incident) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT json_build_array(i.premises_id, i.chain_seq, i.incident_number, i.amends_id, i.amendment_reason, i.kind, i.severity,
        extract(epoch FROM i.occurred_at), i.location, i.summary, i.residents, i.staff, i.action_taken, i.told,
        extract(epoch FROM i.recorded_at), i.recorded_by)::text
$$;

-- The number an incident is known by, and the premises, come from the version amended; the
-- first version takes the next number. (Triggers fire in name order: numbered before chained.)
CREATE FUNCTION number_incident() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    amended incident%ROWTYPE;
BEGIN
    IF NEW.amends_id IS NULL THEN
        NEW.incident_number := nextval('incident_number');
    ELSE
        SELECT * INTO amended FROM incident WHERE id = NEW.amends_id;
        IF amended.premises_id IS DISTINCT FROM NEW.premises_id THEN
            RAISE EXCEPTION 'an amendment belongs to the premises of the incident it amends'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'incident_amendment_same_premises';
        END IF;
        NEW.incident_number := amended.incident_number;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER incident_gets_its_number BEFORE INSERT ON incident
    FOR EACH ROW EXECUTE FUNCTION number_incident();
CREATE TRIGGER incident_is_chained BEFORE INSERT ON incident
    FOR EACH ROW EXECUTE FUNCTION chain_entry();
CREATE TRIGGER incident_is_append_only BEFORE UPDATE OR DELETE ON incident
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER incident_is_never_truncated BEFORE TRUNCATE ON incident
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only_log();
