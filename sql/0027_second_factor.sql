-- Sign-in as a government service should (issue 39): a second factor, sessions a person can see
-- and end, and the idle time-out that needs each session's last use.

-- A member of staff's TOTP factor (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps). The secret
-- must be read to check a code, so it is stored as it is; `confirmed_at` is set by the first
-- right code, and only a confirmed factor signs anyone in. `last_step` is the step of the last
-- code accepted: a code of that step or an earlier one is refused, so no code is used twice.
CREATE TABLE second_factor (
    staff_id uuid PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    secret bytea NOT NULL CONSTRAINT second_factor_secret_is_20_bytes CHECK (length(secret) = 20),
    created_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at timestamptz,
    last_step bigint
);

-- Ten single-use recovery codes per confirmed factor, stored as SHA-256 of the code.
CREATE TABLE recovery_code (
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (staff_id, code_hash)
);

-- A browser's sign-in between the right password and the right code: its token (hashed) is
-- good only for the code or enrolment page, for ten minutes, and is never a session.
CREATE TABLE sign_in_pending (
    token_hash bytea PRIMARY KEY,
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

-- Where each session came from (the browser, `ap`, another client of the API) and when it was
-- last used, for the list of one's sessions and the idle time-out.
ALTER TABLE staff_session
    ADD COLUMN client text NOT NULL DEFAULT 'api'
        CONSTRAINT staff_session_client_is_known CHECK (client IN ('browser', 'ap', 'api')),
    ADD COLUMN last_used_at timestamptz,
    ADD COLUMN ended_reason text;
UPDATE staff_session SET last_used_at = created_at;
ALTER TABLE staff_session ALTER COLUMN last_used_at SET DEFAULT now(), ALTER COLUMN last_used_at SET NOT NULL;
CREATE INDEX staff_session_live_by_staff ON staff_session (staff_id) WHERE revoked_at IS NULL;

-- Whether residential workers and key workers of a premises must use a second factor too (its
-- managers always do). Off by default: a night office's PC is shared.
ALTER TABLE premises ADD COLUMN second_factor_for_all_staff boolean NOT NULL DEFAULT false;

-- A member of staff is told by e-mail when an administrator resets their second factor.
ALTER TABLE notification DROP CONSTRAINT notification_event_is_known;
ALTER TABLE notification ADD CONSTRAINT notification_event_is_known CHECK (event IN (
    'referral_received', 'information_requested', 'referral_accepted', 'referral_rejected',
    'referral_unable_to_match', 'referral_offered', 'booking_made', 'booking_changed', 'booking_cancelled',
    'arrived', 'not_arrived', 'breach_escalated', 'breach_outcome', 'departed', 'ended_early', 'move_on_due',
    'transfer_requested', 'transfer_booked', 'transfer_refused', 'emergency_transfer', 'appeal_made', 'appeal_decided',
    'second_factor_reset'));
ALTER TABLE notification DROP CONSTRAINT notification_recipient_kind_is_known;
ALTER TABLE notification ADD CONSTRAINT notification_recipient_kind_is_known
    CHECK (recipient_kind IN ('practitioner', 'cru', 'out_of_hours', 'premises', 'staff'));
