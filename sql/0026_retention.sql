-- A person's data as the law asks, second part: retention. Past the schedule's years, a
-- person's personal fields are replaced (names and CRN by a pseudonym, date of birth and NOMS
-- number removed, free text by the word 'erased'), while every code, date and count the reports
-- read stays as it was, and the hash chains and signed checkpoints still hold.
--
-- For the chains to hold, the encoding changes (ap-chain-v3): each personal field of a chained
-- log enters the hash as a salted commitment, sha256(salt || the field's text), stored beside
-- it (`commitments`, with the salts in `salts`, field name to hex). Erasing the field and its
-- salt leaves the commitment, so the entry's hash is recomputed exactly as before; with the
-- salt gone (32 random bytes), nothing can be read back from the commitment. Entries written
-- before this migration keep the v2 encoding (their `commitments` is NULL) and are verified in
-- it; when one of them is erased its content can no longer be recomputed, and `ap verify` says
-- so (its link to the entries around it, and the checkpoints over it, still hold).

-- A pseudonym stands where a CRN was: 'ERASED-' and eight hex digits, never a CRN's form.
ALTER TABLE placement DROP CONSTRAINT placement_crn_format;
ALTER TABLE placement ADD CONSTRAINT placement_crn_format CHECK (crn ~ '^[A-Z][0-9]{6}$' OR crn ~ '^ERASED-[0-9A-F]{8}$');
ALTER TABLE referral DROP CONSTRAINT referral_crn_format;
ALTER TABLE referral ADD CONSTRAINT referral_crn_format CHECK (crn ~ '^[A-Z][0-9]{6}$' OR crn ~ '^ERASED-[0-9A-F]{8}$');
ALTER TABLE access_event DROP CONSTRAINT access_event_crn_format;
ALTER TABLE access_event ADD CONSTRAINT access_event_crn_format CHECK (crn ~ '^[A-Z][0-9]{6}$' OR crn ~ '^ERASED-[0-9A-F]{8}$');
ALTER TABLE referral ALTER COLUMN date_of_birth DROP NOT NULL;

-- The personal fields of every table that holds a person's records, and what erasure puts in
-- their place: the person's pseudonym, NULL, the word 'erased' (for text a rule requires), or
-- an empty object. The service builds its erasure from this table, and the append-only
-- triggers allow an erasure to change these fields and nothing else.
CREATE TABLE personal_field (
    table_name text NOT NULL,
    column_name text NOT NULL,
    replacement text NOT NULL CONSTRAINT personal_field_replacement_is_known CHECK (replacement IN ('pseudonym', 'null', 'erased', 'empty')),
    PRIMARY KEY (table_name, column_name)
);
INSERT INTO personal_field (table_name, column_name, replacement) VALUES
    ('referral', 'crn', 'pseudonym'), ('referral', 'person_name', 'pseudonym'), ('referral', 'noms_number', 'null'),
    ('referral', 'date_of_birth', 'null'), ('referral', 'pnc_number', 'null'), ('referral', 'exclusion_zones', 'erased'),
    ('referral', 'licence_conditions', 'erased'), ('referral', 'substance_misuse', 'erased'), ('referral', 'mental_health', 'erased'),
    ('referral', 'services_involved', 'erased'), ('referral', 'risk_to_staff', 'erased'), ('referral', 'risk_to_residents', 'erased'),
    ('referral', 'other_information', 'erased'), ('referral', 'health_needs', 'erased'), ('referral', 'preferred_areas', 'erased'),
    ('referral', 'move_on_plan', 'erased'),
    ('referral_draft', 'answers', 'empty'),
    ('referral_event', 'note', 'erased'),
    ('placement', 'crn', 'pseudonym'), ('placement', 'person_name', 'pseudonym'), ('placement', 'non_arrival_notes', 'erased'),
    ('placement', 'departure_notes', 'erased'), ('placement', 'cancellation_notes', 'erased'), ('placement', 'early_arrival_reason', 'erased'),
    ('curfew_variation', 'reason', 'erased'),
    ('movement', 'destination', 'erased'), ('movement', 'correction_reason', 'erased'),
    ('curfew_breach', 'escalation_note', 'erased'), ('curfew_breach', 'outcome_note', 'erased'),
    ('night_check', 'note', 'erased'),
    ('incident', 'amendment_reason', 'erased'), ('incident', 'location', 'erased'), ('incident', 'summary', 'erased'),
    ('incident', 'action_taken', 'erased'),
    ('handover_watch', 'why', 'erased'),
    ('key_work_session', 'notes', 'erased'),
    ('key_work_action', 'action', 'erased'), ('key_work_action', 'close_note', 'erased'),
    ('substance_test', 'sample_number', 'erased'), ('substance_test', 'missed_note', 'erased'),
    ('substance_test_follow_up', 'note', 'erased'),
    ('move_on_plan', 'address', 'erased'),
    ('move_on_pathway', 'detail', 'erased'),
    ('move_on_pathway_update', 'note', 'erased'),
    ('transfer', 'notes', 'erased'), ('transfer', 'refusal_reason', 'erased'),
    ('placement_appeal', 'notes', 'erased'), ('placement_appeal', 'decision_notes', 'erased'),
    ('notification', 'details', 'empty'), ('notification', 'last_error', 'null'),
    ('access_event', 'crn', 'pseudonym'),
    ('audit_event', 'before', 'null'), ('audit_event', 'after', 'null');

-- The chained logs' sealed fields: the personal fields that enter the hash as commitments.
CREATE FUNCTION ap_chain_sealed(log text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE log
        WHEN 'movement' THEN ARRAY['destination', 'correction_reason']
        WHEN 'night_check' THEN ARRAY['note']
        WHEN 'incident' THEN ARRAY['amendment_reason', 'location', 'summary', 'action_taken']
        WHEN 'audit_event' THEN ARRAY['before', 'after']
        ELSE ARRAY[]::text[] END
$$;

ALTER TABLE movement ADD COLUMN salts jsonb, ADD COLUMN commitments jsonb, ADD COLUMN erased_at timestamptz;
ALTER TABLE night_check ADD COLUMN salts jsonb, ADD COLUMN commitments jsonb, ADD COLUMN erased_at timestamptz;
ALTER TABLE incident ADD COLUMN salts jsonb, ADD COLUMN commitments jsonb, ADD COLUMN erased_at timestamptz;
ALTER TABLE audit_event ADD COLUMN salts jsonb, ADD COLUMN commitments jsonb, ADD COLUMN erased_at timestamptz;

-- Salts and commitments for an entry's sealed fields, each over PostgreSQL's text of the value
-- (as `ap verify` reads it): {"salts": {field: hex}, "commitments": {field: hex}}. A NULL field
-- has neither, and enters the hash as NULL.
CREATE FUNCTION ap_chain_seal(log text, entry jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    field text;
    salt bytea;
    salts jsonb := '{}';
    commitments jsonb := '{}';
BEGIN
    FOREACH field IN ARRAY ap_chain_sealed(log) LOOP
        IF entry->>field IS NOT NULL THEN
            salt := uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid());
            salts := salts || jsonb_build_object(field, encode(salt, 'hex'));
            commitments := commitments || jsonb_build_object(field, encode(sha256(salt || convert_to(entry->>field, 'UTF8')), 'hex'));
        END IF;
    END LOOP;
    RETURN jsonb_build_object('salts', salts, 'commitments', commitments);
END;
$$;

-- The v3 encoding: as v2 (migration 0017) under 'ap-chain-v3', with each sealed field's
-- commitment (hex) in the field's place.
CREATE FUNCTION ap_chain_content_v3(log text, fields text[]) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_to('ap-chain-v3|' || log || '|'
        || coalesce(string_agg(CASE WHEN f IS NULL THEN '-' ELSE octet_length(convert_to(f, 'UTF8'))::text || ':' || f END || '|', '' ORDER BY n), ''),
        'UTF8')
    FROM unnest(fields) WITH ORDINALITY AS u(f, n)
$$;

CREATE FUNCTION movement_chain_content_v3(m movement) RETURNS bytea
LANGUAGE sql STABLE SET timezone TO 'UTC' SET datestyle TO 'ISO, YMD' AS $$
    SELECT ap_chain_content_v3('movement', ARRAY[m.id::text, m.premises_id::text, m.chain_seq::text, m.placement_id::text, m.kind,
        m.occurred_at::text, m.recorded_at::text, m.recorded_by::text, m.commitments->>'destination', m.expected_back::text,
        left(m.with_permission::text, 1), m.corrects_id::text, m.commitments->>'correction_reason'])
$$;

CREATE FUNCTION night_check_chain_content_v3(n night_check) RETURNS bytea
LANGUAGE sql STABLE SET timezone TO 'UTC' SET datestyle TO 'ISO, YMD' AS $$
    SELECT ap_chain_content_v3('night_check', ARRAY[n.id::text, n.premises_id::text, n.chain_seq::text, n.round_due_at::text,
        n.placement_id::text, n.observation, n.observed_at::text, n.commitments->>'note', n.recorded_at::text, n.recorded_by::text])
$$;

CREATE FUNCTION incident_chain_content_v3(i incident) RETURNS bytea
LANGUAGE sql STABLE SET timezone TO 'UTC' SET datestyle TO 'ISO, YMD' AS $$
    SELECT ap_chain_content_v3('incident', ARRAY[i.id::text, i.premises_id::text, i.chain_seq::text, i.incident_number::text,
        i.amends_id::text, i.commitments->>'amendment_reason', i.kind, i.severity, i.occurred_at::text, i.commitments->>'location',
        i.commitments->>'summary', i.residents::text, i.staff::text, i.commitments->>'action_taken', i.told::text,
        i.recorded_at::text, i.recorded_by::text])
$$;

CREATE FUNCTION audit_event_chain_content_v3(a audit_event) RETURNS bytea
LANGUAGE sql STABLE SET timezone TO 'UTC' SET datestyle TO 'ISO, YMD' AS $$
    SELECT ap_chain_content_v3('audit_event', ARRAY[a.id::text, a.premises_id::text, a.chain_seq::text, a.occurred_at::text,
        a.staff_id::text, a.action, a.entity, a.entity_id, a.commitments->>'before', a.commitments->>'after', a.request_id])
$$;

-- The chain triggers of migration 0017, now sealing the personal fields and hashing in v3.
CREATE OR REPLACE FUNCTION chain_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
    recorder text := nullif(current_setting('ap.staff_id', true), '');
    content bytea;
    seal jsonb;
BEGIN
    IF recorder IS NULL THEN
        RAISE EXCEPTION 'a % entry is recorded by a member of staff, and this transaction names none (ap.staff_id)', TG_TABLE_NAME
            USING ERRCODE = '42501', HINT = 'recorder';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(TG_TABLE_NAME || ':' || NEW.premises_id::text, 0));
    EXECUTE format('SELECT chain_seq, entry_hash FROM %I WHERE premises_id = $1 ORDER BY chain_seq DESC LIMIT 1', TG_TABLE_NAME)
        INTO last_seq, last_hash USING NEW.premises_id;
    NEW.recorded_at := clock_timestamp();
    NEW.recorded_by := recorder::uuid;
    NEW.id := nextval(pg_get_serial_sequence(TG_TABLE_NAME, 'id'));
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.previous_hash := last_hash;
    NEW.erased_at := NULL;
    seal := ap_chain_seal(TG_TABLE_NAME, to_jsonb(NEW));
    NEW.salts := seal->'salts';
    NEW.commitments := seal->'commitments';
    EXECUTE format('SELECT %I($1)', TG_TABLE_NAME || '_chain_content_v3') INTO content USING NEW;
    NEW.entry_hash := sha256(coalesce(last_hash, '\x'::bytea) || content);
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION audit_chain_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
    seal jsonb;
BEGIN
    NEW.premises_id := (SELECT s.premises_id FROM staff s WHERE s.id = NEW.staff_id);
    PERFORM pg_advisory_xact_lock(hashtextextended('audit_event:' || coalesce(NEW.premises_id::text, 'national'), 0));
    SELECT a.chain_seq, a.entry_hash INTO last_seq, last_hash FROM audit_event a
    WHERE coalesce(a.premises_id, '00000000-0000-0000-0000-000000000000') = coalesce(NEW.premises_id, '00000000-0000-0000-0000-000000000000')
    ORDER BY a.chain_seq DESC LIMIT 1;
    NEW.occurred_at := clock_timestamp();
    NEW.id := nextval(pg_get_serial_sequence('audit_event', 'id'));
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.previous_hash := last_hash;
    NEW.erased_at := NULL;
    seal := ap_chain_seal('audit_event', to_jsonb(NEW));
    NEW.salts := seal->'salts';
    NEW.commitments := seal->'commitments';
    NEW.entry_hash := sha256(coalesce(last_hash, '\x'::bytea) || audit_event_chain_content_v3(NEW));
    RETURN NEW;
END;
$$;

-- Whether an UPDATE of a row of `log` is an erasure: made in a transaction that says it erases
-- (ap.erasing), changing only the table's personal fields, each to its replacement (or NULL),
-- dropping salts but never adding or changing one, and marking the row erased. Everything else,
-- hashes and commitments included, stays as it was.
CREATE FUNCTION ap_is_erasure(log text, old jsonb, new jsonb) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
DECLARE
    fields text[] := ARRAY(SELECT f.column_name FROM personal_field f WHERE f.table_name = log);
    field record;
BEGIN
    IF current_setting('ap.erasing', true) IS DISTINCT FROM 'on' OR cardinality(fields) = 0 THEN
        RETURN false;
    END IF;
    IF (old - fields - 'salts' - 'erased_at') IS DISTINCT FROM (new - fields - 'salts' - 'erased_at') THEN
        RETURN false;
    END IF;
    IF NOT coalesce(nullif(old->'salts', 'null'), '{}') @> coalesce(nullif(new->'salts', 'null'), '{}') THEN
        RETURN false;
    END IF;
    FOR field IN SELECT f.column_name, f.replacement FROM personal_field f WHERE f.table_name = log LOOP
        CONTINUE WHEN new->field.column_name = old->field.column_name OR new->field.column_name = 'null';
        IF NOT ((field.replacement = 'pseudonym' AND new->>field.column_name ~ '^ERASED-[0-9A-F]{8}$')
                OR (field.replacement = 'erased' AND new->>field.column_name = 'erased')
                OR (field.replacement = 'empty' AND new->field.column_name = '{}'::jsonb)) THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END;
$$;

-- The append-only logs refuse every change but an erasure.
CREATE OR REPLACE FUNCTION refuse_change_to_append_only_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_LEVEL = 'ROW' AND ap_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: rows are never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'P0001', HINT = 'append_only';
END;
$$;

-- Key-work actions as migration 0023 left them (open ones move with a transfer), and erasure.
CREATE OR REPLACE FUNCTION refuse_change_to_key_work_action() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND ap_is_erasure(TG_TABLE_NAME, to_jsonb(OLD), to_jsonb(NEW)) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.done_at IS NULL AND NEW.done_at IS NULL
       AND NEW.placement_id <> OLD.placement_id
       AND (NEW.session_id, NEW.position, NEW.action, NEW.owner, NEW.due_on)
           IS NOT DISTINCT FROM (OLD.session_id, OLD.position, OLD.action, OLD.owner, OLD.due_on)
       AND EXISTS (SELECT 1 FROM placement p WHERE p.id = NEW.placement_id AND p.transferred_from = OLD.placement_id) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' OR OLD.done_at IS NOT NULL OR NEW.done_at IS NULL
       OR (NEW.session_id, NEW.placement_id, NEW.position, NEW.action, NEW.owner, NEW.due_on)
          IS DISTINCT FROM (OLD.session_id, OLD.placement_id, OLD.position, OLD.action, OLD.owner, OLD.due_on) THEN
        RAISE EXCEPTION 'key-work actions are only ever marked done, once' USING ERRCODE = 'P0001', HINT = 'append_only';
    END IF;
    RETURN NEW;
END;
$$;

-- Each erasure: the pseudonym the person's records now carry (never the CRN it replaced), the
-- rule that made it due, how many records of each kind it changed, who ran it and when.
-- Append-only; it is also written to the audit log.
CREATE TABLE erasure (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pseudonym text NOT NULL UNIQUE CONSTRAINT erasure_pseudonym_format CHECK (pseudonym ~ '^ERASED-[0-9A-F]{8}$'),
    kind text NOT NULL CONSTRAINT erasure_kind_is_known CHECK (kind IN ('stays', 'referrals')),
    years integer NOT NULL CONSTRAINT erasure_years_not_negative CHECK (years >= 0),
    last_ended_on date NOT NULL,
    records jsonb NOT NULL,
    erased_by text NOT NULL,
    erased_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER erasure_is_append_only BEFORE UPDATE OR DELETE ON erasure
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER erasure_is_never_truncated BEFORE TRUNCATE ON erasure
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only_log();

-- The right to rectification: a key-work session and a test's result can be corrected, the
-- original kept. A correction is the session (or the one substance's result) as it should read,
-- with the reason, who and when; the latest one is what is shown and counted everywhere (the
-- `_now` views), and the record as first written stays in its own table, in the audit log and in
-- the subject access export.
CREATE TABLE key_work_session_correction (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES key_work_session (id) ON DELETE RESTRICT,
    held_at timestamptz NOT NULL,
    duration_minutes integer NOT NULL CONSTRAINT key_work_correction_length_is_sensible CHECK (duration_minutes BETWEEN 5 AND 480),
    kind text NOT NULL CONSTRAINT key_work_correction_kind_is_known
        CHECK (kind IN ('induction', 'one_to_one', 'relapse_prevention', 'move_on_planning', 'other')),
    topics text[] NOT NULL DEFAULT '{}',
    notes text NOT NULL CONSTRAINT key_work_correction_has_notes CHECK (length(btrim(notes)) > 0),
    next_session_on date,
    reason text NOT NULL CONSTRAINT key_work_correction_has_reason CHECK (length(btrim(reason)) > 0),
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX key_work_session_correction_by_session ON key_work_session_correction (session_id, id);
CREATE TRIGGER key_work_session_correction_is_append_only BEFORE UPDATE OR DELETE ON key_work_session_correction
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

CREATE VIEW key_work_session_now AS
    SELECT k.id, k.placement_id, coalesce(c.held_at, k.held_at) AS held_at,
           coalesce(c.duration_minutes, k.duration_minutes) AS duration_minutes, coalesce(c.kind, k.kind) AS kind,
           coalesce(c.topics, k.topics) AS topics, coalesce(c.notes, k.notes) AS notes,
           CASE WHEN c.id IS NULL THEN k.next_session_on ELSE c.next_session_on END AS next_session_on,
           k.recorded_by, k.recorded_at, c.reason AS correction_reason, c.recorded_by AS corrected_by, c.recorded_at AS corrected_at
    FROM key_work_session k
    LEFT JOIN (SELECT DISTINCT ON (session_id) * FROM key_work_session_correction ORDER BY session_id, id DESC) c ON c.session_id = k.id;

CREATE TABLE substance_test_result_correction (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    test_id uuid NOT NULL,
    substance text NOT NULL,
    result text NOT NULL CONSTRAINT substance_correction_result_is_known CHECK (result IN (
        'negative', 'positive', 'positive_prescribed', 'dilute', 'tampered', 'refused', 'unable_to_provide')),
    reading numeric CONSTRAINT substance_correction_reading_not_negative CHECK (reading >= 0),
    reason text NOT NULL CONSTRAINT substance_correction_has_reason CHECK (length(btrim(reason)) > 0),
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (test_id, substance) REFERENCES substance_test_result (test_id, substance) ON DELETE RESTRICT,
    CONSTRAINT substance_correction_reading_is_alcohol CHECK (reading IS NULL OR substance = 'alcohol')
);
CREATE INDEX substance_test_result_correction_by_result ON substance_test_result_correction (test_id, substance, id);
CREATE TRIGGER substance_test_result_correction_is_append_only BEFORE UPDATE OR DELETE ON substance_test_result_correction
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

CREATE VIEW substance_test_result_now AS
    SELECT r.test_id, r.substance, coalesce(c.result, r.result) AS result, CASE WHEN c.id IS NULL THEN r.reading ELSE c.reading END AS reading,
           r.recorded_by, r.recorded_at, CASE WHEN c.id IS NULL THEN NULL ELSE r.result END AS corrected_from,
           c.reason AS correction_reason, c.recorded_at AS corrected_at
    FROM substance_test_result r
    LEFT JOIN (SELECT DISTINCT ON (test_id, substance) * FROM substance_test_result_correction ORDER BY test_id, substance, id DESC) c
        ON c.test_id = r.test_id AND c.substance = r.substance;

INSERT INTO personal_field (table_name, column_name, replacement) VALUES
    ('key_work_session_correction', 'notes', 'erased'), ('key_work_session_correction', 'reason', 'erased'),
    ('substance_test_result_correction', 'reason', 'erased');
