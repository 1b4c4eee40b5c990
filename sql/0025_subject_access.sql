-- A person's data as the law asks, first part: the officer who answers subject access requests,
-- and the record of who read a person's records.

-- The subject access officer answers a person's request for their data (UK GDPR article 15):
-- a national role, of no premises or region, that reads the export and nothing else.
ALTER TABLE staff DROP CONSTRAINT staff_role_is_known;
ALTER TABLE staff ADD CONSTRAINT staff_role_is_known CHECK (role IN (
    'residential_worker', 'key_worker', 'ap_manager', 'referral_manager', 'regional_manager', 'administrator',
    'probation_practitioner', 'sar_officer'));
ALTER TABLE staff DROP CONSTRAINT staff_scope_matches_role;
ALTER TABLE staff ADD CONSTRAINT staff_scope_matches_role CHECK (
    (role IN ('residential_worker', 'key_worker', 'ap_manager') AND premises_id IS NOT NULL AND region_code IS NULL)
    OR (role = 'regional_manager' AND region_code IS NOT NULL AND premises_id IS NULL)
    OR (role = 'probation_practitioner' AND region_code IS NOT NULL AND premises_id IS NULL AND email IS NOT NULL)
    OR (role IN ('referral_manager', 'administrator', 'sar_officer') AND premises_id IS NULL AND region_code IS NULL));

-- Who read a person's records: one row for each read of a resident's record, a referral, a
-- departure summary or a subject access export, written by the service as it answers. Who and
-- in which role, what, about whom (the CRN, and the stay or referral read), and when: the
-- database's clock, never the writer's. Append-only, like the audit log.
CREATE TABLE access_event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    role text NOT NULL CONSTRAINT access_event_role_is_known CHECK (role IN (
        'residential_worker', 'key_worker', 'ap_manager', 'referral_manager', 'regional_manager', 'administrator',
        'probation_practitioner', 'sar_officer')),
    what text NOT NULL CONSTRAINT access_event_what_is_known CHECK (what IN (
        'resident_record', 'departure_summary', 'referral', 'referral_progress', 'subject_access_export')),
    crn text NOT NULL CONSTRAINT access_event_crn_format CHECK (crn ~ '^[A-Z][0-9]{6}$'),
    placement_id uuid REFERENCES placement (id) ON DELETE RESTRICT,
    referral_id uuid REFERENCES referral (id) ON DELETE RESTRICT,
    request_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_event_by_crn ON access_event (crn, id);

CREATE FUNCTION access_event_happens_now() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.occurred_at := now();
    NEW.created_at := now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER access_event_is_timed BEFORE INSERT ON access_event FOR EACH ROW EXECUTE FUNCTION access_event_happens_now();
CREATE TRIGGER access_event_is_append_only
    BEFORE UPDATE OR DELETE ON access_event
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER access_event_is_never_truncated
    BEFORE TRUNCATE ON access_event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only_log();
