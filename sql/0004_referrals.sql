-- Referrals: everything the AP needs to know, told once, from intake through assessment to a
-- booked bed; and the timeline of every decision.

CREATE TABLE referral (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- the person
    crn text NOT NULL CONSTRAINT referral_crn_format CHECK (crn ~ '^[A-Z][0-9]{6}$'),
    noms_number text CONSTRAINT referral_noms_format CHECK (noms_number ~ '^[A-Z][0-9]{4}[A-Z]{2}$'),
    person_name text NOT NULL CONSTRAINT referral_person_is_named CHECK (length(btrim(person_name)) > 0),
    date_of_birth date NOT NULL,
    gender text NOT NULL CONSTRAINT referral_gender_is_known CHECK (gender IN ('man', 'woman')),
    pnc_number text,
    -- the referring probation practitioner
    referrer_name text NOT NULL,
    referrer_email text NOT NULL,
    referrer_team text,
    referrer_region_code text REFERENCES probation_region (code) ON DELETE RESTRICT,
    -- release and dates
    release_type_code text NOT NULL REFERENCES release_type (code) ON DELETE RESTRICT,
    expected_release date,
    expected_arrival date NOT NULL,
    length_of_stay_days integer CONSTRAINT referral_stay_is_sensible CHECK (length_of_stay_days BETWEEN 1 AND 730),
    -- risk
    rosh_overall text NOT NULL,
    rosh_children text,
    rosh_public text,
    rosh_known_adult text,
    rosh_staff text,
    mappa_category text CONSTRAINT referral_mappa_category CHECK (mappa_category IN ('1', '2', '3', '4')),
    mappa_level text CONSTRAINT referral_mappa_level CHECK (mappa_level IN ('1', '2', '3')),
    offence_flags text[] NOT NULL DEFAULT '{}',
    -- needs
    room_needs text[] NOT NULL DEFAULT '{}',
    premises_needs text[] NOT NULL DEFAULT '{}',
    ap_type_code text NOT NULL DEFAULT 'NORMAL' REFERENCES ap_type (code) ON DELETE RESTRICT,
    home_district text NOT NULL REFERENCES postcode_district (outcode) ON DELETE RESTRICT,
    radius_miles integer CONSTRAINT referral_radius_is_sensible CHECK (radius_miles BETWEEN 1 AND 1000),
    exclusion_zones text,
    -- the story, told once
    licence_conditions text,
    licence_curfew_start time,
    licence_curfew_end time,
    substance_misuse text,
    mental_health text,
    services_involved text,
    risk_to_staff text,
    risk_to_residents text,
    other_information text,
    -- where it stands
    status text NOT NULL DEFAULT 'submitted' CONSTRAINT referral_status_is_known CHECK (status IN (
        'submitted', 'awaiting_information', 'ready_to_match', 'unable_to_match', 'rejected', 'booked', 'withdrawn')),
    version integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT referral_rosh_levels_are_known CHECK (
        rosh_overall IN ('low', 'medium', 'high', 'very_high')
        AND coalesce(rosh_children, 'low') IN ('low', 'medium', 'high', 'very_high')
        AND coalesce(rosh_public, 'low') IN ('low', 'medium', 'high', 'very_high')
        AND coalesce(rosh_known_adult, 'low') IN ('low', 'medium', 'high', 'very_high')
        AND coalesce(rosh_staff, 'low') IN ('low', 'medium', 'high', 'very_high')),
    CONSTRAINT referral_licence_curfew_whole CHECK ((licence_curfew_start IS NULL) = (licence_curfew_end IS NULL)),
    CONSTRAINT referral_arrives_after_release CHECK (expected_release IS NULL OR expected_arrival >= expected_release)
);
CREATE INDEX referral_queue ON referral (status, expected_arrival);
CREATE INDEX referral_by_crn ON referral (crn);

-- Every decision and exchange on a referral, in order: its timeline.
CREATE TABLE referral_event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id uuid NOT NULL REFERENCES referral (id) ON DELETE RESTRICT,
    kind text NOT NULL CONSTRAINT referral_event_kind_is_known CHECK (kind IN (
        'submitted', 'accepted', 'rejected', 'information_requested', 'information_given',
        'unable_to_match', 'booked', 'withdrawn')),
    note text,
    placement_id uuid REFERENCES placement (id) ON DELETE RESTRICT,
    staff_id uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX referral_event_by_referral ON referral_event (referral_id, id);
CREATE TRIGGER referral_event_is_append_only
    BEFORE UPDATE OR DELETE ON referral_event
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

ALTER TABLE placement ADD COLUMN referral_id uuid REFERENCES referral (id) ON DELETE RESTRICT;
CREATE INDEX placement_by_referral ON placement (referral_id) WHERE referral_id IS NOT NULL;
