-- Transfers between APs (planned and emergency) and placement appeals. A transfer is two stays
-- of one person joined end to end: the first ends on the night the second begins, never a
-- night in two beds and never one in none. The database keeps the pair whole; Swift names why.

-- Why a stay ended, for the two kinds of transfer. Not NDelius codes (the national list has
-- none for a transfer); recorded only by a transfer, so not offered on departure forms.
INSERT INTO departure_reason (code, name, parent_code, active) VALUES
    ('PT', 'Planned transfer', NULL, false),
    ('ET', 'Emergency transfer', NULL, false);

-- Why a resident is moved: the national service's transfer reasons.
CREATE TABLE transfer_reason (
    code text PRIMARY KEY,
    name text NOT NULL,
    active boolean NOT NULL DEFAULT true
);
INSERT INTO transfer_reason (code, name) VALUES
    ('RISK_TO_RESIDENT', 'Risk to the resident at this AP (a threat, conflict with other residents)'),
    ('RISK_TO_OTHERS', 'Risk to staff or other residents'),
    ('EXCLUSION_ZONE', 'A new exclusion zone or victim issue'),
    ('NEEDS_NOT_MET', 'A need this AP cannot meet'),
    ('CLOSER_TO_HOME', 'A planned step nearer home or the resettlement area'),
    ('PREMISES_ISSUE', 'Premises issue (closure, works, damage)'),
    ('OTHER', 'Other');

-- Why an AP questions a booking before the person arrives.
CREATE TABLE appeal_reason (
    code text PRIMARY KEY,
    name text NOT NULL,
    active boolean NOT NULL DEFAULT true
);
INSERT INTO appeal_reason (code, name) VALUES
    ('RISK_TO_STAFF_OR_RESIDENTS', 'A risk to staff or residents'),
    ('NEED_NOT_MET', 'A need the premises cannot meet'),
    ('EXCLUSION_ZONE', 'The premises is in or near an exclusion zone'),
    ('OTHER', 'Other');

-- The stay a transfer continues. One live continuation a stay (a continuation cancelled or not
-- arrived no longer counts, so the unit may book another).
ALTER TABLE placement ADD COLUMN transferred_from uuid REFERENCES placement (id) ON DELETE RESTRICT;
CREATE UNIQUE INDEX placement_continued_once ON placement (transferred_from)
    WHERE transferred_from IS NOT NULL AND cancelled_at IS NULL AND non_arrived_at IS NULL;

-- What is wrong with a pair of stays joined by a transfer, or nil when nothing is.
CREATE FUNCTION transfer_pair_problem(prv placement, nxt placement) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF nxt.cancelled_at IS NOT NULL OR nxt.non_arrived_at IS NOT NULL THEN
        RETURN NULL; -- no longer a continuation
    END IF;
    IF nxt.crn <> prv.crn THEN
        RETURN 'a transfer continues the stay of the same person';
    END IF;
    IF prv.cancelled_at IS NOT NULL OR prv.non_arrived_at IS NOT NULL OR upper(prv.nights) <> lower(nxt.nights) THEN
        RETURN format('the stay at the first AP ends on %s and the next begins on %s: a transfer leaves no night without a bed and none in two',
                      upper(prv.nights), lower(nxt.nights));
    END IF;
    IF nxt.arrived_at IS NOT NULL AND (prv.departure_date IS DISTINCT FROM nxt.arrival_date
                                       OR prv.departure_reason_code NOT IN ('PT', 'ET')) THEN
        RETURN 'the resident arrives at the next AP on the day they leave the first for the transfer';
    END IF;
    IF prv.departure_reason_code IN ('PT', 'ET') AND nxt.arrived_at IS NULL THEN
        RETURN 'a departure for a transfer is recorded with the arrival at the next AP';
    END IF;
    RETURN NULL;
END;
$$;

-- Checked at commit, when both stays of the move have been written.
CREATE FUNCTION check_transfer_is_seamless() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    me placement%ROWTYPE;
    other placement%ROWTYPE;
    problem text;
BEGIN
    SELECT * INTO me FROM placement WHERE id = NEW.id;
    IF me.transferred_from IS NOT NULL THEN
        SELECT * INTO other FROM placement WHERE id = me.transferred_from;
        problem := transfer_pair_problem(other, me);
    END IF;
    IF problem IS NULL THEN
        SELECT * INTO other FROM placement
        WHERE transferred_from = me.id AND cancelled_at IS NULL AND non_arrived_at IS NULL;
        IF FOUND THEN
            problem := transfer_pair_problem(me, other);
        ELSIF me.departure_reason_code IN ('PT', 'ET') THEN
            problem := 'a departure for a transfer is recorded with the arrival at the next AP';
        END IF;
    END IF;
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION '%', problem USING ERRCODE = 'check_violation', CONSTRAINT = 'transfer_is_seamless';
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER placement_transfer_is_seamless
    AFTER INSERT OR UPDATE ON placement DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION check_transfer_is_seamless();

-- A stay and the stays before it that transfers joined to it (depth 0 is the stay itself): one
-- person's story across APs, for their record, key work and departure summary.
CREATE FUNCTION stay_chain(p_id uuid) RETURNS TABLE (id uuid, depth integer)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE chain (id, from_id, depth) AS (
        SELECT p.id, p.transferred_from, 0 FROM placement p WHERE p.id = p_id
        UNION ALL
        SELECT p.id, p.transferred_from, c.depth + 1 FROM placement p JOIN chain c ON p.id = c.from_id WHERE c.depth < 100
    )
    SELECT chain.id, chain.depth FROM chain
$$;
-- The first arrival of a chain of stays joined by transfers: a person's time in APs, for the
-- length of stay of the move-on report.
CREATE FUNCTION stay_chain_arrival(p_id uuid) RETURNS date
LANGUAGE sql STABLE AS $$
    SELECT p.arrival_date FROM stay_chain(p_id) c JOIN placement p ON p.id = c.id ORDER BY c.depth DESC LIMIT 1
$$;
CREATE INDEX placement_transferred_in ON placement (premises_id, arrival_date) WHERE transferred_from IS NOT NULL;

-- A transfer: asked for by the AP manager (planned) and decided by the referral unit, or made
-- tonight by the AP manager with the receiving AP's manager's agreement (emergency).
CREATE TABLE transfer (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CONSTRAINT transfer_kind_is_known CHECK (kind IN ('planned', 'emergency')),
    -- the stay the resident is moved out of, and its premises
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    from_premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    reason_code text NOT NULL REFERENCES transfer_reason (code) ON DELETE RESTRICT,
    -- the date from which (planned) or on which (emergency) the resident moves
    transfer_date date NOT NULL,
    notes text,
    status text NOT NULL DEFAULT 'requested' CONSTRAINT transfer_status_is_known
        CHECK (status IN ('requested', 'booked', 'refused', 'completed', 'cancelled')),
    requested_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    requested_at timestamptz NOT NULL DEFAULT now(),
    -- where to, once booked: the receiving premises and the stay there
    to_premises_id uuid REFERENCES premises (id) ON DELETE RESTRICT,
    to_placement_id uuid REFERENCES placement (id) ON DELETE RESTRICT,
    -- the receiving AP's manager who agreed to an emergency transfer
    agreed_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    -- the first stay's expected departure before the transfer shortened it
    was_expected_departure date,
    decided_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    decided_at timestamptz,
    refusal_reason text,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT transfer_booked_names_the_stay CHECK (status NOT IN ('booked', 'completed') OR to_placement_id IS NOT NULL),
    CONSTRAINT transfer_refused_says_why CHECK (status <> 'refused' OR length(btrim(refusal_reason)) > 0),
    CONSTRAINT transfer_emergency_is_agreed CHECK (kind <> 'emergency' OR agreed_by IS NOT NULL)
);
CREATE UNIQUE INDEX transfer_one_open_per_stay ON transfer (placement_id) WHERE status IN ('requested', 'booked');
CREATE INDEX transfer_queue ON transfer (status, transfer_date);
CREATE INDEX transfer_by_continuation ON transfer (to_placement_id) WHERE status = 'booked';
CREATE INDEX transfer_from_premises ON transfer (from_premises_id, requested_at DESC);
CREATE INDEX transfer_to_premises ON transfer (to_premises_id, requested_at DESC) WHERE to_premises_id IS NOT NULL;

-- A placement appeal: the booked AP's manager questions a booking before the arrival; the
-- referral unit accepts it (the booking is cancelled, the referral is matched again) or not.
CREATE TABLE placement_appeal (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    reason_code text NOT NULL REFERENCES appeal_reason (code) ON DELETE RESTRICT,
    notes text,
    status text NOT NULL DEFAULT 'pending' CONSTRAINT placement_appeal_status_is_known
        CHECK (status IN ('pending', 'accepted', 'rejected')),
    appealed_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    appealed_at timestamptz NOT NULL DEFAULT now(),
    decided_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    decided_at timestamptz,
    decision_notes text,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT placement_appeal_other_says_why CHECK (reason_code <> 'OTHER' OR length(btrim(notes)) > 0),
    CONSTRAINT placement_appeal_decided_whole CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE UNIQUE INDEX placement_appeal_one_pending ON placement_appeal (placement_id) WHERE status = 'pending';
CREATE INDEX placement_appeal_queue ON placement_appeal (status, appealed_at);

-- The referral's timeline tells of appeals and transfers too.
ALTER TABLE referral_event DROP CONSTRAINT referral_event_kind_is_known;
ALTER TABLE referral_event ADD CONSTRAINT referral_event_kind_is_known CHECK (kind IN (
    'submitted', 'accepted', 'rejected', 'information_requested', 'information_given',
    'unable_to_match', 'booked', 'withdrawn', 'offered', 'handed_over', 'information_added',
    'appealed', 'appeal_accepted', 'appeal_rejected', 'transfer_requested', 'transfer_booked', 'transfer_refused',
    'transferred'));

-- Key-work actions still open move with the resident to the next stay (the session they came
-- from stays where it was held); otherwise an action is still only ever marked done, once.
CREATE OR REPLACE FUNCTION refuse_change_to_key_work_action() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
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

-- What moves with the resident when they arrive at the next AP: the curfew variations still
-- ahead, the key-work actions still open, and the move-on plan (its address and each pathway
-- with its latest status). The logs (sign-outs, night checks, incidents) stay with the premises
-- that wrote them. The licence curfew is the referral's, which both stays share.
CREATE FUNCTION carry_resident_over(p_from uuid, p_to uuid, p_on date, p_by uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    src text := (SELECT pr.name FROM placement p JOIN premises pr ON pr.id = p.premises_id WHERE p.id = p_from);
    pathway record;
    new_id uuid;
BEGIN
    INSERT INTO curfew_variation (placement_id, nights, curfew_start, curfew_end, reason, approved_by, created_by)
    SELECT p_to, v.nights * daterange(p_on, NULL, '[)'), v.curfew_start, v.curfew_end, v.reason, v.approved_by, p_by
    FROM curfew_variation v
    WHERE v.placement_id = p_from AND NOT isempty(v.nights * daterange(p_on, NULL, '[)'));

    UPDATE key_work_action SET placement_id = p_to WHERE placement_id = p_from AND done_at IS NULL;

    UPDATE move_on_plan n SET address = o.address, address_confirmed_on = o.address_confirmed_on,
        address_recorded_by = o.address_recorded_by
    FROM move_on_plan o WHERE o.placement_id = p_from AND n.placement_id = p_to AND o.address IS NOT NULL;
    FOR pathway IN
        SELECT w.kind, w.detail, u.status FROM move_on_pathway w
        LEFT JOIN LATERAL (SELECT x.status FROM move_on_pathway_update x WHERE x.pathway_id = w.id ORDER BY x.id DESC LIMIT 1) u ON true
        WHERE w.placement_id = p_from ORDER BY w.created_at
    LOOP
        INSERT INTO move_on_pathway (placement_id, kind, detail, created_by)
        VALUES (p_to, pathway.kind, pathway.detail, p_by) RETURNING id INTO new_id;
        IF pathway.status IS NOT NULL THEN
            INSERT INTO move_on_pathway_update (pathway_id, status, on_date, note, recorded_by)
            VALUES (new_id, pathway.status, p_on, 'Carried over from ' || src || ' with the transfer', p_by);
        END IF;
    END LOOP;
END;
$$;

-- Notifications: the referral unit on each request and appeal; both APs and the practitioner
-- on a decision. A stay ended by a transfer is not a departure for the practitioner (they
-- hear of the transfer instead, and the departure summary waits for the last stay).
ALTER TABLE notification DROP CONSTRAINT notification_event_is_known;
ALTER TABLE notification ADD CONSTRAINT notification_event_is_known CHECK (event IN (
    'referral_received', 'information_requested', 'referral_accepted', 'referral_rejected',
    'referral_unable_to_match', 'referral_offered', 'booking_made', 'booking_changed', 'booking_cancelled',
    'arrived', 'not_arrived', 'breach_escalated', 'breach_outcome', 'departed', 'ended_early', 'move_on_due',
    'transfer_requested', 'transfer_booked', 'transfer_refused', 'emergency_transfer', 'appeal_made', 'appeal_decided'));

CREATE FUNCTION notify_transfer() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p placement%ROWTYPE;
    practitioner text;
    d jsonb;
    told text;
BEGIN
    IF current_setting('ap.outbox', true) = 'off' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.kind = 'planned' THEN
        told := 'transfer_requested';
    ELSIF NEW.kind = 'emergency' AND NEW.status = 'completed' AND (TG_OP = 'INSERT' OR OLD.status <> 'completed') THEN
        told := 'emergency_transfer';
    ELSIF TG_OP = 'UPDATE' AND NEW.status <> OLD.status AND NEW.status IN ('booked', 'refused') THEN
        told := 'transfer_' || NEW.status;
    ELSE
        RETURN NULL;
    END IF;
    SELECT * INTO p FROM placement WHERE id = NEW.placement_id;
    practitioner := (SELECT referrer_email FROM referral WHERE id = p.referral_id);
    d := jsonb_build_object('personName', p.person_name, 'crn', p.crn, 'arrival', NEW.transfer_date::text,
                            'fromPremises', (SELECT name FROM premises WHERE id = NEW.from_premises_id),
                            'premisesName', (SELECT name FROM premises WHERE id = NEW.to_premises_id),
                            'reason', (SELECT name FROM transfer_reason WHERE code = NEW.reason_code),
                            'link', '/transfers/' || NEW.id);
    IF told = 'transfer_requested' THEN
        PERFORM notify(told, 'cru', NULL, placement_region(p), p.referral_id, p.id, NEW.from_premises_id, NULL, d);
    ELSIF told = 'transfer_refused' THEN
        PERFORM notify(told, 'premises', NULL, NULL, p.referral_id, p.id, NEW.from_premises_id, NULL, d);
    ELSE -- booked, or an emergency transfer made: both APs and the practitioner; the unit for an emergency
        PERFORM notify(told, 'premises', NULL, NULL, p.referral_id, p.id, NEW.from_premises_id, NULL, d);
        PERFORM notify(told, 'premises', NULL, NULL, p.referral_id, p.id, NEW.to_premises_id, NULL, d);
        PERFORM notify(told, 'practitioner', practitioner, NULL, p.referral_id, p.id, NEW.from_premises_id, NULL, d);
        IF told = 'emergency_transfer' THEN
            PERFORM notify(told, 'cru', NULL, placement_region(p), p.referral_id, p.id, NEW.from_premises_id, NULL, d);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER transfer_notifies AFTER INSERT OR UPDATE OF status ON transfer
    FOR EACH ROW EXECUTE FUNCTION notify_transfer();

CREATE FUNCTION notify_appeal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    p placement%ROWTYPE;
    d jsonb;
BEGIN
    IF current_setting('ap.outbox', true) = 'off' OR (TG_OP = 'UPDATE' AND NEW.status = OLD.status) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO p FROM placement WHERE id = NEW.placement_id;
    d := placement_details(p) || jsonb_build_object(
        'reason', (SELECT name FROM appeal_reason WHERE code = NEW.reason_code), 'outcome', NEW.status,
        'link', '/appeals/' || NEW.id);
    IF TG_OP = 'INSERT' THEN
        PERFORM notify('appeal_made', 'cru', NULL, placement_region(p), p.referral_id, p.id, p.premises_id, NULL, d);
    ELSE
        PERFORM notify('appeal_decided', 'premises', NULL, NULL, p.referral_id, p.id, p.premises_id, NULL, d);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_appeal_notifies AFTER INSERT OR UPDATE OF status ON placement_appeal
    FOR EACH ROW EXECUTE FUNCTION notify_appeal();

-- A stay ended by a transfer: the practitioner and the unit hear of the transfer, not of a
-- departure (nor of a stay ended early).
CREATE FUNCTION drop_transfer_departure() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM placement WHERE id = NEW.placement_id AND departure_reason_code IN ('PT', 'ET')) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER transfer_departure_is_not_told BEFORE INSERT ON notification
    FOR EACH ROW WHEN (NEW.event IN ('departed', 'ended_early')) EXECUTE FUNCTION drop_transfer_departure();
