-- Probation practitioners: their accounts, the referrals they own, the drafts they write in the
-- browser page by page, and the national list of reasons for withdrawing a referral.

-- A practitioner signs in with an e-mail address (where they are told) and a probation region
-- (and a team, in their own words); they belong to no premises.
ALTER TABLE staff DROP CONSTRAINT staff_role_is_known;
ALTER TABLE staff ADD CONSTRAINT staff_role_is_known CHECK (role IN (
    'residential_worker', 'key_worker', 'ap_manager', 'referral_manager', 'regional_manager', 'administrator',
    'probation_practitioner'));
ALTER TABLE staff ADD COLUMN team text CONSTRAINT staff_team_is_short CHECK (length(team) <= 120);
ALTER TABLE staff DROP CONSTRAINT staff_scope_matches_role;
ALTER TABLE staff ADD CONSTRAINT staff_scope_matches_role CHECK (
    (role IN ('residential_worker', 'key_worker', 'ap_manager') AND premises_id IS NOT NULL AND region_code IS NULL)
    OR (role = 'regional_manager' AND region_code IS NOT NULL AND premises_id IS NULL)
    OR (role = 'probation_practitioner' AND region_code IS NOT NULL AND premises_id IS NULL AND email IS NOT NULL)
    OR (role IN ('referral_manager', 'administrator') AND premises_id IS NULL AND region_code IS NULL));
ALTER TABLE staff ADD CONSTRAINT staff_team_is_a_practitioners CHECK (team IS NULL OR role = 'probation_practitioner');

-- The premises' telephone: a practitioner told of a booking needs to ring the AP.
ALTER TABLE premises ADD COLUMN telephone text CONSTRAINT premises_telephone_is_a_number CHECK (telephone ~ '^[0-9 +()-]{0,40}$');

-- Why a referral was withdrawn: the national service's list (its application withdrawal reasons).
CREATE TABLE withdrawal_reason (
    code text PRIMARY KEY,
    name text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO withdrawal_reason (code, name) VALUES
    ('change_in_circumstances_new_application_to_be_submitted', 'Change in circumstances: a new referral will be made'),
    ('error_in_application', 'There is an error in the referral'),
    ('duplicate_application', 'The referral is a duplicate'),
    ('death', 'The person has died'),
    ('other_accommodation_identified', 'Other accommodation has been found'),
    ('other', 'Another reason');

-- The practitioner who owns a referral (none for one typed in by the referral unit for someone
-- without an account); what the apply journey asks beyond the first form; and why it was withdrawn.
ALTER TABLE referral
    ADD COLUMN owner_id uuid REFERENCES staff (id) ON DELETE RESTRICT,
    ADD COLUMN licence_end date,
    ADD COLUMN health_needs text,
    ADD COLUMN preferred_areas text,
    ADD COLUMN move_on_plan text,
    ADD COLUMN withdrawal_reason_code text REFERENCES withdrawal_reason (code) ON DELETE RESTRICT,
    ADD CONSTRAINT referral_licence_ends_after_arrival CHECK (licence_end IS NULL OR licence_end >= expected_arrival),
    ADD CONSTRAINT referral_withdrawn_for_a_reason CHECK (withdrawal_reason_code IS NULL OR status = 'withdrawn');
CREATE INDEX referral_by_owner ON referral (owner_id, created_at) WHERE owner_id IS NOT NULL;

-- The timeline also says when a case changed hands and when the practitioner added information.
ALTER TABLE referral_event DROP CONSTRAINT referral_event_kind_is_known;
ALTER TABLE referral_event ADD CONSTRAINT referral_event_kind_is_known CHECK (kind IN (
    'submitted', 'accepted', 'rejected', 'information_requested', 'information_given',
    'unable_to_match', 'booked', 'withdrawn', 'offered', 'handed_over', 'information_added'));

-- A referral being written: the answers saved so far, page by page (each page's answers are
-- saved only when its rules hold), by the practitioner who writes it, readable from any browser
-- they sign in on. Submitted, it becomes a referral and the draft names it; a draft is never a
-- referral before then, and is discarded by deleting it.
CREATE TABLE referral_draft (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    answers jsonb NOT NULL DEFAULT '{}' CONSTRAINT referral_draft_answers_are_an_object CHECK (jsonb_typeof(answers) = 'object'),
    sections_saved text[] NOT NULL DEFAULT '{}',
    referral_id uuid CONSTRAINT referral_draft_submits_once UNIQUE REFERENCES referral (id) ON DELETE RESTRICT,
    submitted_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT referral_draft_submission_is_whole CHECK ((referral_id IS NULL) = (submitted_at IS NULL))
);
CREATE INDEX referral_draft_by_owner ON referral_draft (owner_id, updated_at DESC) WHERE referral_id IS NULL;
