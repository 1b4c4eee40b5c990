-- Notifications: everyone outside the AP told what they need to know, by e-mail, through a
-- transactional outbox. A change that must be told writes its messages in the same statement
-- (the triggers below), so there is no change without its message and no message for a change
-- that rolled back; the service's delivery job hands them to the local mail transfer agent.
--
-- A message names the person (name and CRN), says what happened and links to the page; it never
-- carries risk, health, offences or free text (GOV.UK Notify's guidance on personal data).

-- Where the organisation's mailboxes are: the Central Referral Unit and the out-of-hours
-- probation mailbox of each region, and each premises' own.
CREATE TABLE mailbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CONSTRAINT mailbox_kind_is_known CHECK (kind IN ('cru', 'out_of_hours', 'premises')),
    region_code text REFERENCES probation_region (code) ON DELETE RESTRICT,
    premises_id uuid REFERENCES premises (id) ON DELETE RESTRICT,
    address text NOT NULL CONSTRAINT mailbox_address_is_an_email
        CHECK (address ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    updated_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mailbox_scope_matches_kind CHECK (
        (kind = 'premises' AND premises_id IS NOT NULL AND region_code IS NULL)
        OR (kind IN ('cru', 'out_of_hours') AND region_code IS NOT NULL AND premises_id IS NULL)),
    CONSTRAINT mailbox_one_per_scope UNIQUE NULLS NOT DISTINCT (kind, region_code, premises_id)
);

-- The outbox. `details` holds the few values the message needs (name, CRN, premises, dates, a
-- reason from a national list, the page's path). A message whose mailbox is not set is written
-- as failed, saying which, so that an administrator sees it and can set the mailbox and resend.
CREATE TABLE notification (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- the order messages were written in, for paging
    seq bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT notification_seq_is_unique UNIQUE,
    event text NOT NULL CONSTRAINT notification_event_is_known CHECK (event IN (
        'referral_received', 'information_requested', 'referral_accepted', 'referral_rejected',
        'referral_unable_to_match', 'referral_offered', 'booking_made', 'booking_changed', 'booking_cancelled',
        'arrived', 'not_arrived', 'breach_escalated', 'breach_outcome', 'departed', 'ended_early', 'move_on_due')),
    recipient_kind text NOT NULL CONSTRAINT notification_recipient_kind_is_known
        CHECK (recipient_kind IN ('practitioner', 'cru', 'out_of_hours', 'premises')),
    recipient text,
    -- the region whose CRU or out-of-hours mailbox it is for
    region_code text REFERENCES probation_region (code) ON DELETE RESTRICT,
    referral_id uuid REFERENCES referral (id) ON DELETE RESTRICT,
    placement_id uuid REFERENCES placement (id) ON DELETE RESTRICT,
    premises_id uuid REFERENCES premises (id) ON DELETE RESTRICT,
    curfew_breach_id uuid REFERENCES curfew_breach (id) ON DELETE RESTRICT,
    details jsonb NOT NULL,
    -- events the job finds rather than a change (the move-on flag) are written once
    once_key text,
    state text NOT NULL DEFAULT 'waiting' CONSTRAINT notification_state_is_known CHECK (state IN ('waiting', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- when it joined the queue (again, after a resend): retries stop a day after
    queued_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    sent_at timestamptz,
    message_id text,
    resent_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notification_sent_has_time CHECK (state <> 'sent' OR sent_at IS NOT NULL),
    CONSTRAINT notification_waits_for_someone CHECK (state <> 'waiting' OR recipient IS NOT NULL)
);
-- Few indexes, each partial where it can be: every booking and breach writes rows here.
CREATE UNIQUE INDEX notification_written_once ON notification (once_key) WHERE once_key IS NOT NULL;
CREATE INDEX notification_due ON notification (next_attempt_at) WHERE state = 'waiting';
CREATE INDEX notification_failed ON notification (seq) WHERE state = 'failed';
CREATE INDEX notification_by_referral ON notification (referral_id, seq) WHERE referral_id IS NOT NULL;
CREATE INDEX notification_by_placement ON notification (placement_id, seq) WHERE placement_id IS NOT NULL;

-- Loading history (the demo, the national seed) and the benchmark's baseline set ap.outbox to
-- 'off' for their own sessions: nobody is told now of what happened before.
-- (The helpers below are PL/pgSQL, not SQL functions: PL/pgSQL keeps each statement's plan for
-- the session, where a SQL function called from a trigger is planned again at every call; and
-- the triggers read only what their messages need, in as few statements as they can: every
-- booking pays for them.)

-- Where a message for a kind of recipient goes: the practitioner's address as given, else the
-- mailbox set for the region or the premises (nil when none is).
CREATE FUNCTION mailbox_of(p_kind text, p_region text, p_premises uuid) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_kind = 'premises' THEN
        RETURN (SELECT address FROM mailbox WHERE kind = 'premises' AND premises_id = p_premises);
    END IF;
    RETURN (SELECT address FROM mailbox WHERE kind = p_kind AND region_code = p_region);
END;
$$;

CREATE FUNCTION notify(
    p_event text, p_kind text, p_practitioner text, p_region text,
    p_referral uuid, p_placement uuid, p_premises uuid, p_breach uuid, p_details jsonb
) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    address text;
BEGIN
    IF p_kind = 'practitioner' THEN
        IF p_practitioner IS NOT NULL THEN -- a stay booked without a referral has no practitioner to tell
            INSERT INTO notification (event, recipient_kind, recipient, referral_id, placement_id, premises_id, curfew_breach_id, details)
            VALUES (p_event, p_kind, p_practitioner, p_referral, p_placement, p_premises, p_breach, jsonb_strip_nulls(p_details));
        END IF;
        RETURN;
    END IF;
    IF p_kind = 'premises' THEN
        SELECT m.address INTO address FROM mailbox m WHERE m.kind = 'premises' AND m.premises_id = p_premises;
    ELSE
        SELECT m.address INTO address FROM mailbox m WHERE m.kind = p_kind AND m.region_code = p_region;
    END IF;
    INSERT INTO notification (event, recipient_kind, recipient, region_code, referral_id, placement_id, premises_id, curfew_breach_id,
                              details, state, last_error)
    VALUES (p_event, p_kind, address, CASE WHEN p_kind <> 'premises' THEN p_region END,
            p_referral, p_placement, p_premises, p_breach, jsonb_strip_nulls(p_details),
            CASE WHEN address IS NULL THEN 'failed' ELSE 'waiting' END,
            CASE WHEN address IS NOT NULL THEN NULL
                 WHEN p_kind = 'premises' THEN 'no mailbox is set for premises ' || (SELECT code FROM premises WHERE id = p_premises)
                 WHEN p_region IS NULL THEN 'no region is known, so no ' || replace(p_kind, '_', '-') || ' mailbox'
                 ELSE 'no ' || CASE p_kind WHEN 'cru' THEN 'CRU' ELSE 'out-of-hours' END || ' mailbox is set for '
                      || (SELECT name FROM probation_region WHERE code = p_region) END);
END;
$$;

-- What every message about a stay says: who, where, when, and the page.
CREATE FUNCTION placement_details(p placement) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT jsonb_build_object(
        'personName', p.person_name, 'crn', p.crn, 'premisesName', pr.name, 'premisesAddress', pr.address,
        'arrival', coalesce(p.arrival_date, p.expected_arrival)::text, 'departure', coalesce(p.departure_date, p.expected_departure)::text,
        'link', '/premises/' || pr.code || '/placements/' || p.id)
    FROM premises pr WHERE pr.id = p.premises_id);
END;
$$;

-- The region whose CRU and out-of-hours mailboxes hear about a stay: the referring
-- practitioner's, else the premises'.
CREATE FUNCTION placement_region(p placement) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(r.referrer_region_code, pr.region_code)
            FROM premises pr LEFT JOIN referral r ON r.id = p.referral_id WHERE pr.id = p.premises_id);
END;
$$;

-- The referral's timeline ----------------------------------------------------------------------

CREATE FUNCTION notify_referral_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    d jsonb;
BEGIN
    IF current_setting('ap.outbox', true) = 'off' OR NEW.kind NOT IN (
        'submitted', 'information_requested', 'accepted', 'rejected', 'unable_to_match', 'booked') THEN
        RETURN NULL;
    END IF;
    IF NEW.kind = 'booked' THEN
        -- A booking, the busiest case: one statement.
        INSERT INTO notification (event, recipient_kind, recipient, referral_id, placement_id, premises_id, details)
        SELECT 'booking_made', 'practitioner', rf.referrer_email, rf.id, p.id, p.premises_id,
               jsonb_strip_nulls(jsonb_build_object(
                   'personName', p.person_name, 'crn', p.crn, 'premisesName', pr.name, 'premisesAddress', pr.address,
                   'arrival', p.expected_arrival::text, 'departure', p.expected_departure::text,
                   'link', '/premises/' || pr.code || '/placements/' || p.id))
        FROM referral rf JOIN placement p ON p.id = NEW.placement_id JOIN premises pr ON pr.id = p.premises_id
        WHERE rf.id = NEW.referral_id;
        RETURN NULL;
    END IF;
    SELECT person_name, crn, referrer_email, referrer_region_code INTO r FROM referral WHERE id = NEW.referral_id;
    d := jsonb_build_object('personName', r.person_name, 'crn', r.crn, 'link', '/referrals/' || NEW.referral_id);
    CASE NEW.kind
        WHEN 'submitted' THEN
            PERFORM notify('referral_received', 'practitioner', r.referrer_email, NULL, NEW.referral_id, NULL, NULL, NULL, d);
        WHEN 'information_requested' THEN
            PERFORM notify('information_requested', 'practitioner', r.referrer_email, NULL, NEW.referral_id, NULL, NULL, NULL, d);
        WHEN 'accepted' THEN
            PERFORM notify('referral_accepted', 'practitioner', r.referrer_email, NULL, NEW.referral_id, NULL, NULL, NULL, d);
        WHEN 'rejected' THEN
            PERFORM notify('referral_rejected', 'practitioner', r.referrer_email, NULL, NEW.referral_id, NULL, NULL, NULL, d);
        ELSE -- unable_to_match
            PERFORM notify('referral_unable_to_match', 'cru', NULL, r.referrer_region_code, NEW.referral_id, NULL, NULL, NULL, d);
    END CASE;
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_event_notifies AFTER INSERT ON referral_event
    FOR EACH ROW EXECUTE FUNCTION notify_referral_event();

CREATE FUNCTION notify_referral_offer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    r referral%ROWTYPE;
BEGIN
    IF current_setting('ap.outbox', true) = 'off' THEN
        RETURN NULL;
    END IF;
    SELECT * INTO r FROM referral WHERE id = NEW.referral_id;
    PERFORM notify('referral_offered', 'premises', NULL, NULL, r.id, NULL, NEW.premises_id, NULL,
                   jsonb_build_object('personName', r.person_name, 'crn', r.crn, 'link', '/referrals/' || r.id,
                                      'premisesName', (SELECT name FROM premises WHERE id = NEW.premises_id)));
    RETURN NULL;
END;
$$;
CREATE TRIGGER referral_offer_notifies AFTER INSERT ON referral_offer
    FOR EACH ROW EXECUTE FUNCTION notify_referral_offer();

-- A stay: booked, changed, cancelled, arrived or not, departed ---------------------------------

CREATE FUNCTION notify_placement() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    practitioner text;
    region text;
    d jsonb;
BEGIN
    IF current_setting('ap.outbox', true) = 'off' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- A booking, the busiest case: one statement.
        INSERT INTO notification (event, recipient_kind, recipient, referral_id, placement_id, premises_id, details, state, last_error)
        SELECT 'booking_made', 'premises', m.address, NEW.referral_id, NEW.id, NEW.premises_id,
               jsonb_strip_nulls(jsonb_build_object(
                   'personName', NEW.person_name, 'crn', NEW.crn, 'premisesName', pr.name, 'premisesAddress', pr.address,
                   'arrival', NEW.expected_arrival::text, 'departure', NEW.expected_departure::text,
                   'link', '/premises/' || pr.code || '/placements/' || NEW.id)),
               CASE WHEN m.address IS NULL THEN 'failed' ELSE 'waiting' END,
               CASE WHEN m.address IS NULL THEN 'no mailbox is set for premises ' || pr.code END
        FROM premises pr LEFT JOIN mailbox m ON m.kind = 'premises' AND m.premises_id = pr.id
        WHERE pr.id = NEW.premises_id;
        RETURN NULL;
    END IF;
    IF (NEW.cancelled_at IS NULL OR OLD.cancelled_at IS NOT NULL) AND (NEW.arrived_at IS NULL OR OLD.arrived_at IS NOT NULL)
       AND (NEW.non_arrived_at IS NULL OR OLD.non_arrived_at IS NOT NULL) AND (NEW.departed_at IS NULL OR OLD.departed_at IS NOT NULL) THEN
        RETURN NULL; -- those columns were written, but nothing that is told happened
    END IF;
    d := placement_details(NEW);
    practitioner := (SELECT referrer_email FROM referral WHERE id = NEW.referral_id);
    region := placement_region(NEW);
    IF NEW.cancelled_at IS NOT NULL AND OLD.cancelled_at IS NULL THEN
        d := d || jsonb_build_object('reason', (SELECT name FROM cancellation_reason WHERE code = NEW.cancellation_reason_code),
                                     'arrival', NEW.expected_arrival::text, 'departure', NEW.expected_departure::text);
        PERFORM notify('booking_cancelled', 'practitioner', practitioner, NULL, NEW.referral_id, NEW.id, NEW.premises_id, NULL, d);
        PERFORM notify('booking_cancelled', 'premises', NULL, NULL, NEW.referral_id, NEW.id, NEW.premises_id, NULL, d);
    END IF;
    IF NEW.arrived_at IS NOT NULL AND OLD.arrived_at IS NULL THEN
        PERFORM notify('arrived', 'practitioner', practitioner, NULL, NEW.referral_id, NEW.id, NEW.premises_id, NULL, d);
    END IF;
    IF NEW.non_arrived_at IS NOT NULL AND OLD.non_arrived_at IS NULL THEN
        d := d || jsonb_build_object('reason', (SELECT name FROM non_arrival_reason WHERE code = NEW.non_arrival_reason_code),
                                     'arrival', NEW.expected_arrival::text, 'departure', NEW.expected_departure::text);
        PERFORM notify('not_arrived', 'practitioner', practitioner, NULL, NEW.referral_id, NEW.id, NEW.premises_id, NULL, d);
        PERFORM notify('not_arrived', 'cru', NULL, region, NEW.referral_id, NEW.id, NEW.premises_id, NULL, d);
    END IF;
    IF NEW.departed_at IS NOT NULL AND OLD.departed_at IS NULL THEN
        d := d || jsonb_build_object('reason', (SELECT name FROM departure_reason WHERE code = NEW.departure_reason_code),
                                     'expectedDeparture', NEW.expected_departure::text);
        PERFORM notify('departed', 'practitioner', practitioner, NULL, NEW.referral_id, NEW.id, NEW.premises_id, NULL,
                       d || jsonb_build_object('link', (d ->> 'link') || '/departure-summary'));
        IF NEW.departure_date < NEW.expected_departure THEN
            PERFORM notify('ended_early', 'cru', NULL, region, NEW.referral_id, NEW.id, NEW.premises_id, NULL, d);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_notifies AFTER INSERT OR UPDATE OF cancelled_at, arrived_at, non_arrived_at, departed_at ON placement
    FOR EACH ROW EXECUTE FUNCTION notify_placement();

CREATE FUNCTION notify_placement_date_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p placement%ROWTYPE;
    practitioner text;
    d jsonb;
BEGIN
    IF current_setting('ap.outbox', true) = 'off' THEN
        RETURN NULL;
    END IF;
    SELECT * INTO p FROM placement WHERE id = NEW.placement_id;
    practitioner := (SELECT referrer_email FROM referral WHERE id = p.referral_id);
    d := placement_details(p) || jsonb_build_object('arrival', NEW.new_arrival::text, 'departure', NEW.new_departure::text);
    PERFORM notify('booking_changed', 'practitioner', practitioner, NULL, p.referral_id, p.id, p.premises_id, NULL, d);
    PERFORM notify('booking_changed', 'premises', NULL, NULL, p.referral_id, p.id, p.premises_id, NULL, d);
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_date_change_notifies AFTER INSERT ON placement_date_change
    FOR EACH ROW EXECUTE FUNCTION notify_placement_date_change();

-- A curfew breach: escalated (at once, day or night, also to the region's out-of-hours mailbox)
-- and its outcome.
CREATE FUNCTION notify_curfew_breach() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p placement%ROWTYPE;
    practitioner text;
    d jsonb;
BEGIN
    IF current_setting('ap.outbox', true) = 'off' THEN
        RETURN NULL;
    END IF;
    SELECT * INTO p FROM placement WHERE id = NEW.placement_id;
    practitioner := (SELECT referrer_email FROM referral WHERE id = p.referral_id);
    d := placement_details(p) || jsonb_build_object('curfewStart', NEW.window_start, 'outcome', NEW.outcome);
    IF NEW.escalated_at IS NOT NULL AND OLD.escalated_at IS NULL THEN
        PERFORM notify('breach_escalated', 'practitioner', practitioner, NULL, p.referral_id, p.id, p.premises_id, NEW.id, d);
        PERFORM notify('breach_escalated', 'out_of_hours', NULL, placement_region(p), p.referral_id, p.id, p.premises_id, NEW.id, d);
    END IF;
    IF NEW.outcome_at IS NOT NULL AND OLD.outcome_at IS NULL THEN
        PERFORM notify('breach_outcome', 'practitioner', practitioner, NULL, p.referral_id, p.id, p.premises_id, NEW.id, d);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER curfew_breach_notifies AFTER UPDATE OF escalated_at, outcome_at ON curfew_breach
    FOR EACH ROW EXECUTE FUNCTION notify_curfew_breach();

-- The move-on flag (a resident four weeks from their expected departure with no address) is
-- found by the delivery job each pass, and told once per stay.
CREATE FUNCTION notify_move_on_due(p_today date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    told integer;
BEGIN
    INSERT INTO notification (event, recipient_kind, recipient, referral_id, placement_id, premises_id, details, once_key)
    SELECT 'move_on_due', 'practitioner', r.referrer_email, p.referral_id, p.id, p.premises_id,
           jsonb_strip_nulls(placement_details(p) || jsonb_build_object('departure', m.target_date::text)), 'move_on_due:' || p.id
    FROM move_on_plan m
    JOIN placement p ON p.id = m.placement_id
    JOIN referral r ON r.id = p.referral_id
    WHERE m.closed_at IS NULL AND m.address IS NULL AND m.target_date BETWEEN p_today AND p_today + 28
    ON CONFLICT (once_key) WHERE once_key IS NOT NULL DO NOTHING;
    GET DIAGNOSTICS told = ROW_COUNT;
    RETURN told;
END;
$$;
