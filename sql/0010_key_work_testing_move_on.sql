-- What an AP does with a resident between arrival and departure: key work, drug and alcohol
-- testing, and the move-on plan.

ALTER TABLE premises
    ADD COLUMN key_work_interval_days integer NOT NULL DEFAULT 7
        CONSTRAINT key_work_interval_is_sensible CHECK (key_work_interval_days BETWEEN 1 AND 60),
    ADD COLUMN lab_result_days integer NOT NULL DEFAULT 7
        CONSTRAINT lab_result_days_is_sensible CHECK (lab_result_days BETWEEN 1 AND 60);

-- Key workers: every time a placement's key worker is set or changes, the history gains a row.
CREATE TABLE key_worker_assignment (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    -- NULL: no key worker from then
    staff_id uuid REFERENCES staff (id) ON DELETE RESTRICT,
    assigned_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX key_worker_assignment_by_placement ON key_worker_assignment (placement_id, id);

CREATE FUNCTION record_key_worker() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.key_worker_id IS DISTINCT FROM OLD.key_worker_id THEN
        IF TG_OP = 'UPDATE' OR NEW.key_worker_id IS NOT NULL THEN
            INSERT INTO key_worker_assignment (placement_id, staff_id) VALUES (NEW.id, NEW.key_worker_id);
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_key_worker_history AFTER INSERT OR UPDATE OF key_worker_id ON placement
    FOR EACH ROW EXECUTE FUNCTION record_key_worker();
CREATE TRIGGER key_worker_assignment_is_append_only BEFORE UPDATE OR DELETE ON key_worker_assignment
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
-- Placements that already have a key worker start their history now.
INSERT INTO key_worker_assignment (placement_id, staff_id, assigned_at)
    SELECT id, key_worker_id, coalesce(arrived_at, now()) FROM placement WHERE key_worker_id IS NOT NULL;

-- Key-work sessions, recorded once; their agreed actions are ticked off when done.
CREATE TABLE key_work_session (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    held_at timestamptz NOT NULL,
    duration_minutes integer NOT NULL CONSTRAINT key_work_session_length_is_sensible CHECK (duration_minutes BETWEEN 5 AND 480),
    kind text NOT NULL CONSTRAINT key_work_session_kind_is_known
        CHECK (kind IN ('induction', 'one_to_one', 'relapse_prevention', 'move_on_planning', 'other')),
    topics text[] NOT NULL DEFAULT '{}',
    notes text NOT NULL CONSTRAINT key_work_session_has_notes CHECK (length(btrim(notes)) > 0),
    next_session_on date,
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT key_work_next_session_after CHECK (next_session_on IS NULL OR next_session_on >= held_at::date - 1)
);
CREATE INDEX key_work_session_by_placement ON key_work_session (placement_id, held_at DESC);
CREATE TRIGGER key_work_session_is_append_only BEFORE UPDATE OR DELETE ON key_work_session
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

CREATE TABLE key_work_action (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    session_id uuid NOT NULL REFERENCES key_work_session (id) ON DELETE RESTRICT,
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    position integer NOT NULL,
    action text NOT NULL CONSTRAINT key_work_action_is_given CHECK (length(btrim(action)) > 0),
    owner text NOT NULL CONSTRAINT key_work_action_has_owner CHECK (length(btrim(owner)) > 0),
    due_on date NOT NULL,
    done_at timestamptz,
    done_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    CONSTRAINT key_work_action_done_whole CHECK ((done_at IS NULL) = (done_by IS NULL)),
    CONSTRAINT key_work_action_once_per_position UNIQUE (session_id, position)
);
CREATE INDEX key_work_action_open ON key_work_action (placement_id, due_on) WHERE done_at IS NULL;
-- An action is only ever ticked off, once.
CREATE FUNCTION refuse_change_to_key_work_action() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.done_at IS NOT NULL OR NEW.done_at IS NULL
       OR (NEW.session_id, NEW.placement_id, NEW.position, NEW.action, NEW.owner, NEW.due_on)
          IS DISTINCT FROM (OLD.session_id, OLD.placement_id, OLD.position, OLD.action, OLD.owner, OLD.due_on) THEN
        RAISE EXCEPTION 'key-work actions are only ever marked done, once' USING ERRCODE = 'P0001', HINT = 'append_only';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER key_work_action_only_marked_done BEFORE UPDATE OR DELETE ON key_work_action
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_key_work_action();

-- Drug and alcohol testing. The AP manager's authorisation says when tests may be required
-- (Approved Premises (Substance Testing) Act 2022); a test needs one covering its reason and day.
CREATE TABLE testing_authorisation (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    reasons text[] NOT NULL CONSTRAINT testing_authorisation_reasons_are_known
        CHECK (cardinality(reasons) > 0 AND reasons <@ ARRAY['on_arrival', 'random', 'on_suspicion', 'routine']),
    valid daterange NOT NULL CONSTRAINT testing_authorisation_is_not_empty CHECK (NOT isempty(valid)),
    note text NOT NULL CONSTRAINT testing_authorisation_says_why CHECK (length(btrim(note)) > 0),
    authorised_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX testing_authorisation_by_premises ON testing_authorisation USING gist (premises_id, valid);
CREATE TRIGGER testing_authorisation_is_append_only BEFORE UPDATE OR DELETE ON testing_authorisation
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

CREATE TABLE substance_test (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    authorisation_id uuid NOT NULL REFERENCES testing_authorisation (id) ON DELETE RESTRICT,
    reason text NOT NULL CONSTRAINT substance_test_reason_is_known CHECK (reason IN ('on_arrival', 'random', 'on_suspicion', 'routine')),
    sample_type text NOT NULL CONSTRAINT substance_test_sample_type_is_known
        CHECK (sample_type IN ('urine_lab', 'urine_instant', 'oral_fluid', 'breath')),
    required_at timestamptz NOT NULL,
    taken_at timestamptz,
    taken_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    sample_number text,
    -- a required test that was not done says why, never left blank
    missed_reason text CONSTRAINT substance_test_missed_reason_is_known CHECK (missed_reason IN ('no_kit', 'resident_absent', 'other')),
    missed_note text,
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT substance_test_taken_or_missed CHECK ((taken_at IS NULL) = (missed_reason IS NOT NULL)),
    CONSTRAINT substance_test_taken_by_someone CHECK ((taken_at IS NULL) = (taken_by IS NULL)),
    CONSTRAINT substance_test_lab_sample_is_numbered CHECK (sample_type <> 'urine_lab' OR taken_at IS NULL OR length(btrim(sample_number)) > 0),
    CONSTRAINT substance_test_other_miss_explained CHECK (missed_reason IS DISTINCT FROM 'other' OR length(btrim(missed_note)) > 0)
);
CREATE INDEX substance_test_by_placement ON substance_test (placement_id, required_at DESC);
CREATE INDEX substance_test_by_premises ON substance_test (premises_id, required_at DESC);
CREATE TRIGGER substance_test_is_append_only BEFORE UPDATE OR DELETE ON substance_test
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

-- The chain of custody of a laboratory sample, step by step, each once, in order.
CREATE TABLE substance_test_custody (
    test_id uuid NOT NULL REFERENCES substance_test (id) ON DELETE RESTRICT,
    step text NOT NULL CONSTRAINT custody_step_is_known
        CHECK (step IN ('collected', 'sealed', 'sent_to_lab', 'received_by_lab', 'result_received')),
    occurred_at timestamptz NOT NULL,
    person text NOT NULL CONSTRAINT custody_step_names_a_person CHECK (length(btrim(person)) > 0),
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (test_id, step)
);
CREATE FUNCTION check_custody_order() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    steps text[] := ARRAY['collected', 'sealed', 'sent_to_lab', 'received_by_lab', 'result_received'];
    place integer := array_position(steps, NEW.step);
    before record;
BEGIN
    IF place > 1 THEN
        SELECT * INTO before FROM substance_test_custody WHERE test_id = NEW.test_id AND step = steps[place - 1];
        IF NOT FOUND THEN
            RAISE EXCEPTION 'custody step % comes after %, which is not recorded', NEW.step, steps[place - 1]
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custody_steps_in_order';
        END IF;
        IF NEW.occurred_at < before.occurred_at THEN
            RAISE EXCEPTION 'custody step % cannot happen before % (%)', NEW.step, steps[place - 1], before.occurred_at
                USING ERRCODE = 'check_violation', CONSTRAINT = 'custody_steps_in_order';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER custody_steps_in_order BEFORE INSERT ON substance_test_custody
    FOR EACH ROW EXECUTE FUNCTION check_custody_order();
CREATE TRIGGER substance_test_custody_is_append_only BEFORE UPDATE OR DELETE ON substance_test_custody
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

CREATE TABLE substance_test_result (
    test_id uuid NOT NULL REFERENCES substance_test (id) ON DELETE RESTRICT,
    -- whole_sample: what happened to the sample as a whole (refused, unable to provide, dilute, tampered)
    substance text NOT NULL CONSTRAINT substance_is_known CHECK (substance IN (
        'opiates', 'cocaine', 'amphetamines', 'cannabis', 'benzodiazepines', 'buprenorphine', 'methadone',
        'synthetic_cannabinoids', 'other', 'alcohol', 'whole_sample')),
    result text NOT NULL CONSTRAINT substance_result_is_known CHECK (result IN (
        'negative', 'positive', 'positive_prescribed', 'dilute', 'tampered', 'refused', 'unable_to_provide')),
    -- breath alcohol, micrograms per 100 ml of breath
    reading numeric CONSTRAINT substance_reading_not_negative CHECK (reading >= 0),
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (test_id, substance),
    CONSTRAINT substance_reading_is_alcohol CHECK (reading IS NULL OR substance = 'alcohol')
);
CREATE TRIGGER substance_test_result_is_append_only BEFORE UPDATE OR DELETE ON substance_test_result
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

CREATE TABLE substance_test_follow_up (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    test_id uuid NOT NULL REFERENCES substance_test (id) ON DELETE RESTRICT,
    action text NOT NULL CONSTRAINT follow_up_action_is_known
        CHECK (action IN ('referral_to_substance_services', 'warning', 'reported_to_pp')),
    note text,
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER substance_test_follow_up_is_append_only BEFORE UPDATE OR DELETE ON substance_test_follow_up
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

-- Move-on plans: opened by the arrival, aimed at the expected departure, closed by the departure
-- with its move-on category. The database keeps them in step with the placement.
CREATE TABLE move_on_plan (
    placement_id uuid PRIMARY KEY REFERENCES placement (id) ON DELETE RESTRICT,
    opened_at timestamptz NOT NULL,
    target_date date NOT NULL,
    address text,
    address_confirmed_on date,
    address_recorded_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    closed_at timestamptz,
    move_on_category_code text REFERENCES move_on_category (code) ON DELETE RESTRICT,
    CONSTRAINT move_on_address_whole CHECK ((address IS NULL) = (address_confirmed_on IS NULL))
);
CREATE FUNCTION keep_move_on_plan() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.arrived_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.arrived_at IS NULL) THEN
        INSERT INTO move_on_plan (placement_id, opened_at, target_date)
        VALUES (NEW.id, NEW.arrived_at, NEW.expected_departure) ON CONFLICT (placement_id) DO NOTHING;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.expected_departure IS DISTINCT FROM OLD.expected_departure THEN
        UPDATE move_on_plan SET target_date = NEW.expected_departure WHERE placement_id = NEW.id AND closed_at IS NULL;
    END IF;
    IF NEW.departed_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.departed_at IS NULL) THEN
        UPDATE move_on_plan SET closed_at = NEW.departed_at, move_on_category_code = NEW.move_on_category_code
        WHERE placement_id = NEW.id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER placement_keeps_move_on_plan AFTER INSERT OR UPDATE OF arrived_at, departed_at, expected_departure ON placement
    FOR EACH ROW EXECUTE FUNCTION keep_move_on_plan();
-- Residents already here get their plans.
INSERT INTO move_on_plan (placement_id, opened_at, target_date, closed_at, move_on_category_code)
    SELECT id, arrived_at, expected_departure, departed_at, move_on_category_code FROM placement WHERE arrived_at IS NOT NULL;

CREATE TABLE move_on_pathway (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id uuid NOT NULL REFERENCES move_on_plan (placement_id) ON DELETE RESTRICT,
    kind text NOT NULL CONSTRAINT move_on_pathway_kind_is_known CHECK (kind IN (
        'local_authority_housing', 'cas3_referral', 'private_rented', 'family', 'supported_housing', 'other')),
    detail text,
    created_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER move_on_pathway_is_append_only BEFORE UPDATE OR DELETE ON move_on_pathway
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

-- Each change of a pathway's status, with its date: the pathway's status is its latest.
CREATE TABLE move_on_pathway_update (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pathway_id uuid NOT NULL REFERENCES move_on_pathway (id) ON DELETE RESTRICT,
    status text NOT NULL CONSTRAINT move_on_pathway_status_is_known CHECK (status IN (
        'planned', 'applied', 'in_progress', 'offered', 'accepted', 'declined', 'withdrawn')),
    on_date date NOT NULL,
    note text,
    recorded_by uuid NOT NULL REFERENCES staff (id) ON DELETE RESTRICT,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX move_on_pathway_update_by_pathway ON move_on_pathway_update (pathway_id, id DESC);
CREATE TRIGGER move_on_pathway_update_is_append_only BEFORE UPDATE OR DELETE ON move_on_pathway_update
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
