-- Premises settings, rooms, beds, out-of-service periods, placements and bed allocations.
--
-- Nights are calendar dates in the premises' time zone; a stay occupies its arrival date up
-- to, not including, its departure date: the daterange '[arrival, departure)'.

-- Premises: the rest of what an AP is ---------------------------------------------------------

ALTER TABLE premises
    ADD COLUMN address text,
    ADD COLUMN local_restrictions text,
    ADD COLUMN curfew_start time NOT NULL DEFAULT '23:00',
    ADD COLUMN curfew_end time NOT NULL DEFAULT '07:00',
    ADD COLUMN night_check_start time NOT NULL DEFAULT '23:00',
    ADD COLUMN night_check_end time NOT NULL DEFAULT '07:00',
    ADD COLUMN night_check_interval_minutes integer NOT NULL DEFAULT 60
        CONSTRAINT night_check_interval_is_sensible CHECK (night_check_interval_minutes BETWEEN 15 AND 240);

CREATE TABLE premises_feature (
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE CASCADE,
    characteristic_code text NOT NULL REFERENCES premises_characteristic (code) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (premises_id, characteristic_code)
);

-- Rooms and beds ---------------------------------------------------------------------------

CREATE TABLE room (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    name text NOT NULL CONSTRAINT room_name_is_given CHECK (length(btrim(name)) > 0),
    floor text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT room_name_is_unique_in_premises UNIQUE (premises_id, name),
    -- lets a bed name its room and premises together, so they cannot disagree
    CONSTRAINT room_in_premises UNIQUE (id, premises_id)
);

CREATE TABLE room_feature (
    room_id uuid NOT NULL REFERENCES room (id) ON DELETE CASCADE,
    characteristic_code text NOT NULL REFERENCES room_characteristic (code) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (room_id, characteristic_code)
);

CREATE TABLE bed (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    room_id uuid NOT NULL,
    premises_id uuid NOT NULL,
    label text NOT NULL CONSTRAINT bed_label_is_given CHECK (length(btrim(label)) > 0),
    -- the nights the bed can be used at all: from its first night, open-ended until retired
    in_use daterange NOT NULL CONSTRAINT bed_in_use_is_not_empty CHECK (NOT isempty(in_use)),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bed_label_is_unique_in_room UNIQUE (room_id, label),
    CONSTRAINT bed_in_its_room FOREIGN KEY (room_id, premises_id) REFERENCES room (id, premises_id) ON DELETE RESTRICT
);
CREATE INDEX bed_by_premises ON bed (premises_id);

-- Out of service ---------------------------------------------------------------------------

CREATE TABLE bed_out_of_service (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    bed_id uuid NOT NULL REFERENCES bed (id) ON DELETE RESTRICT,
    nights daterange NOT NULL CONSTRAINT out_of_service_is_not_empty CHECK (NOT isempty(nights)),
    reason_code text NOT NULL REFERENCES out_of_service_reason (code) ON DELETE RESTRICT,
    reference text,
    notes text,
    cancelled_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bed_out_of_service_never_overlaps
        EXCLUDE USING gist (bed_id WITH =, nights WITH &&) WHERE (cancelled_at IS NULL)
);

-- Every version of an out-of-service period, as it was saved.
CREATE TABLE bed_out_of_service_revision (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    out_of_service_id uuid NOT NULL REFERENCES bed_out_of_service (id) ON DELETE RESTRICT,
    version integer NOT NULL,
    change text NOT NULL CONSTRAINT out_of_service_change_is_known CHECK (change IN ('created', 'ended', 'cancelled')),
    nights daterange NOT NULL,
    reason_code text NOT NULL,
    reference text,
    notes text,
    changed_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT out_of_service_revision_is_unique UNIQUE (out_of_service_id, version)
);
CREATE TRIGGER bed_out_of_service_revision_is_append_only
    BEFORE UPDATE OR DELETE ON bed_out_of_service_revision
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

-- Placements -------------------------------------------------------------------------------

CREATE TABLE placement (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    crn text NOT NULL CONSTRAINT placement_crn_format CHECK (crn ~ '^[A-Z][0-9]{6}$'),
    person_name text NOT NULL CONSTRAINT placement_person_is_named CHECK (length(btrim(person_name)) > 0),
    expected_arrival date NOT NULL,
    expected_departure date NOT NULL,
    -- room characteristics (matched_on_bookings) the stay needs
    needs text[] NOT NULL DEFAULT '{}',
    overbooking_reason text,
    arrived_at timestamptz,
    arrival_date date,
    key_worker_id uuid REFERENCES staff (id) ON DELETE RESTRICT,
    non_arrived_at timestamptz,
    non_arrival_reason_code text REFERENCES non_arrival_reason (code) ON DELETE RESTRICT,
    non_arrival_notes text,
    departed_at timestamptz,
    departure_date date,
    departure_reason_code text REFERENCES departure_reason (code) ON DELETE RESTRICT,
    move_on_category_code text REFERENCES move_on_category (code) ON DELETE RESTRICT,
    departure_notes text,
    transferred_to text,
    cancelled_at timestamptz,
    cancellation_reason_code text REFERENCES cancellation_reason (code) ON DELETE RESTRICT,
    cancellation_notes text,
    -- the nights the stay occupies: actual dates where known, expected ones otherwise
    nights daterange GENERATED ALWAYS AS (
        CASE WHEN cancelled_at IS NOT NULL OR non_arrived_at IS NOT NULL THEN 'empty'::daterange
             ELSE daterange(coalesce(arrival_date, expected_arrival), coalesce(departure_date, expected_departure), '[)') END
    ) STORED,
    -- the nights the person lives here: from arrival until departure, open while they are here
    resident_nights daterange GENERATED ALWAYS AS (
        CASE WHEN arrival_date IS NULL THEN 'empty'::daterange
             ELSE daterange(arrival_date, departure_date, '[)') END
    ) STORED,
    version integer NOT NULL DEFAULT 1,
    created_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT placement_departs_after_arriving CHECK (expected_departure > expected_arrival),
    CONSTRAINT placement_arrival_recorded_whole CHECK ((arrived_at IS NULL) = (arrival_date IS NULL)),
    CONSTRAINT placement_departure_recorded_whole CHECK (
        (departed_at IS NULL) = (departure_date IS NULL) AND (departed_at IS NULL) = (departure_reason_code IS NULL)),
    CONSTRAINT placement_departure_needs_arrival CHECK (departed_at IS NULL OR arrived_at IS NOT NULL),
    CONSTRAINT placement_departure_not_before_arrival CHECK (departure_date IS NULL OR departure_date >= arrival_date),
    CONSTRAINT placement_arrival_or_non_arrival CHECK (arrived_at IS NULL OR non_arrived_at IS NULL),
    CONSTRAINT placement_non_arrival_has_reason CHECK ((non_arrived_at IS NULL) = (non_arrival_reason_code IS NULL)),
    CONSTRAINT placement_cancelled_before_arrival CHECK (cancelled_at IS NULL OR (arrived_at IS NULL AND non_arrived_at IS NULL)),
    CONSTRAINT placement_cancellation_has_reason CHECK ((cancelled_at IS NULL) = (cancellation_reason_code IS NULL)),
    CONSTRAINT person_never_resident_in_two_aps EXCLUDE USING gist (crn WITH =, resident_nights WITH &&)
);
CREATE INDEX placement_nights ON placement USING gist (premises_id, nights);
CREATE INDEX placement_by_crn ON placement (crn);

-- Every change of a placement's expected dates.
CREATE TABLE placement_date_change (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    old_arrival date NOT NULL,
    old_departure date NOT NULL,
    new_arrival date NOT NULL,
    new_departure date NOT NULL,
    changed_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER placement_date_change_is_append_only
    BEFORE UPDATE OR DELETE ON placement_date_change
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();

-- Bed allocations: which bed a placement has on which nights ---------------------------------

CREATE TABLE bed_allocation (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    bed_id uuid NOT NULL REFERENCES bed (id) ON DELETE RESTRICT,
    nights daterange NOT NULL,
    -- set when the allocation no longer holds the bed (the placement was cancelled, say);
    -- the row stays, as history
    released_at timestamptz,
    created_by uuid REFERENCES staff (id) ON DELETE RESTRICT,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bed_allocation_is_not_empty CHECK (released_at IS NOT NULL OR NOT isempty(nights)),
    CONSTRAINT bed_never_double_booked
        EXCLUDE USING gist (bed_id WITH =, nights WITH &&) WHERE (released_at IS NULL),
    CONSTRAINT placement_in_one_bed_a_night
        EXCLUDE USING gist (placement_id WITH =, nights WITH &&) WHERE (released_at IS NULL)
);

-- A bed given to a placement must be in its premises, in use, in service, and have every room
-- characteristic the placement needs, on every night of the allocation. The bed's row is
-- locked first, so an allocation and an out-of-service period of the same bed take turns.
CREATE FUNCTION check_bed_allocation() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    b bed%ROWTYPE;
    p placement%ROWTYPE;
    missing text[];
BEGIN
    IF NEW.released_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    SELECT * INTO b FROM bed WHERE id = NEW.bed_id FOR UPDATE;
    SELECT * INTO p FROM placement WHERE id = NEW.placement_id;
    IF b.premises_id <> p.premises_id THEN
        RAISE EXCEPTION 'the bed is in another premises' USING ERRCODE = 'check_violation', CONSTRAINT = 'bed_in_placement_premises';
    END IF;
    IF NOT (p.nights @> NEW.nights) THEN
        RAISE EXCEPTION 'the allocation is outside the stay' USING ERRCODE = 'check_violation', CONSTRAINT = 'allocation_within_stay';
    END IF;
    IF NOT (b.in_use @> NEW.nights) THEN
        RAISE EXCEPTION 'the bed is not in use on every night' USING ERRCODE = 'check_violation', CONSTRAINT = 'bed_in_use_for_allocation';
    END IF;
    SELECT array_agg(need) INTO missing FROM unnest(p.needs) AS need
    WHERE need NOT IN (SELECT f.characteristic_code FROM room_feature f WHERE f.room_id = b.room_id);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'the bed lacks %', array_to_string(missing, ', ')
            USING ERRCODE = 'check_violation', CONSTRAINT = 'bed_meets_placement_needs';
    END IF;
    IF EXISTS (SELECT 1 FROM bed_out_of_service o
               WHERE o.bed_id = NEW.bed_id AND o.cancelled_at IS NULL AND o.nights && NEW.nights) THEN
        RAISE EXCEPTION 'the bed is out of service' USING ERRCODE = 'check_violation', CONSTRAINT = 'bed_in_service_for_allocation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER bed_allocation_is_possible
    BEFORE INSERT OR UPDATE ON bed_allocation
    FOR EACH ROW EXECUTE FUNCTION check_bed_allocation();

-- A bed cannot go out of service over nights someone is allocated to it.
CREATE FUNCTION check_out_of_service() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.cancelled_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM bed WHERE id = NEW.bed_id FOR UPDATE;
    IF EXISTS (SELECT 1 FROM bed_allocation a
               WHERE a.bed_id = NEW.bed_id AND a.released_at IS NULL AND a.nights && NEW.nights) THEN
        RAISE EXCEPTION 'someone is allocated to the bed on those nights'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'out_of_service_bed_is_empty';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER bed_out_of_service_is_possible
    BEFORE INSERT OR UPDATE ON bed_out_of_service
    FOR EACH ROW EXECUTE FUNCTION check_out_of_service();
