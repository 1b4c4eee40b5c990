-- Foundation: reference vocabularies, premises (the minimum staff belong to), staff and their
-- sign-in sessions, the append-only audit log, and idempotency records for POST retries.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- Refuses every UPDATE, DELETE and TRUNCATE on the table it guards: for append-only logs.
CREATE FUNCTION refuse_change_to_append_only_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: rows are never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'P0001', HINT = 'append_only';
END;
$$;

-- Reference vocabularies (seeded by 0002 from shared/reference, with NDelius codes) ----------

CREATE TABLE probation_region (
    code text PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ap_type (
    code text PRIMARY KEY,
    name text NOT NULL,
    default_stay_weeks integer NOT NULL CONSTRAINT ap_type_stay_is_positive CHECK (default_stay_weeks > 0),
    womens_allowed boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE premises_characteristic (
    code text PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE room_characteristic (
    code text PRIMARY KEY,
    name text NOT NULL,
    matched_on_bookings boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE departure_reason (
    code text PRIMARY KEY,
    name text NOT NULL,
    parent_code text REFERENCES departure_reason (code) ON DELETE RESTRICT,
    active boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE move_on_category (
    code text PRIMARY KEY,
    name text NOT NULL,
    accommodation_outcome text NOT NULL CONSTRAINT move_on_outcome_is_known
        CHECK (accommodation_outcome IN ('settled', 'unsettled', 'homeless', 'custody', 'other')),
    active boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE non_arrival_reason (
    code text PRIMARY KEY,
    name text NOT NULL,
    active boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cancellation_reason (
    code text PRIMARY KEY,
    name text NOT NULL,
    active boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE out_of_service_reason (
    code text PRIMARY KEY,
    name text NOT NULL,
    reference_kind text NOT NULL,
    active boolean NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE release_type (
    code text PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE postcode_district (
    outcode text PRIMARY KEY,
    latitude double precision NOT NULL CONSTRAINT postcode_latitude_in_range CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision NOT NULL CONSTRAINT postcode_longitude_in_range CHECK (longitude BETWEEN -180 AND 180),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Premises: the minimum that staff belong to; the premises issue adds rooms and beds ---------

CREATE TABLE premises (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL CONSTRAINT premises_code_is_unique UNIQUE
        CONSTRAINT premises_code_is_short CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,15}$'),
    name text NOT NULL CONSTRAINT premises_name_is_given CHECK (length(btrim(name)) > 0),
    region_code text NOT NULL REFERENCES probation_region (code) ON DELETE RESTRICT,
    ap_type_code text NOT NULL REFERENCES ap_type (code) ON DELETE RESTRICT,
    gender text NOT NULL CONSTRAINT premises_gender_is_known CHECK (gender IN ('men', 'women')),
    time_zone text NOT NULL DEFAULT 'Europe/London',
    postcode text,
    active boolean NOT NULL DEFAULT true,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Staff, roles and sign-in ---------------------------------------------------------------------

CREATE TABLE staff (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username text NOT NULL CONSTRAINT staff_username_is_valid CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
    display_name text NOT NULL CONSTRAINT staff_name_is_given CHECK (length(btrim(display_name)) > 0),
    email text,
    role text NOT NULL CONSTRAINT staff_role_is_known CHECK (role IN (
        'residential_worker', 'key_worker', 'ap_manager', 'referral_manager', 'regional_manager', 'administrator')),
    premises_id uuid REFERENCES premises (id) ON DELETE RESTRICT,
    region_code text REFERENCES probation_region (code) ON DELETE RESTRICT,
    password_hash text NOT NULL,
    active boolean NOT NULL DEFAULT true,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- AP staff belong to one premises, regional managers to one region, the others to neither.
    CONSTRAINT staff_scope_matches_role CHECK (
        (role IN ('residential_worker', 'key_worker', 'ap_manager') AND premises_id IS NOT NULL AND region_code IS NULL)
        OR (role = 'regional_manager' AND region_code IS NOT NULL AND premises_id IS NULL)
        OR (role IN ('referral_manager', 'administrator') AND premises_id IS NULL AND region_code IS NULL))
);
CREATE UNIQUE INDEX staff_username_is_unique ON staff (username);
CREATE INDEX staff_by_premises ON staff (premises_id) WHERE premises_id IS NOT NULL;

-- A signed-in session: the bearer token itself is never stored, only its SHA-256.
CREATE TABLE staff_session (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL CONSTRAINT staff_session_token_is_unique UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CONSTRAINT staff_session_expires_after_start CHECK (expires_at > created_at)
);
CREATE INDEX staff_session_by_staff ON staff_session (staff_id);

-- Failed sign-ins per username (known or not, so that the answer never tells which exist).
CREATE TABLE sign_in_throttle (
    username text PRIMARY KEY,
    consecutive_failures integer NOT NULL DEFAULT 0,
    last_failure_at timestamptz,
    locked_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Audit: every change made through the API, written in the change's own transaction ---------

CREATE TABLE audit_event (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT now(),
    staff_id uuid REFERENCES staff (id) ON DELETE RESTRICT,
    action text NOT NULL,
    entity text NOT NULL,
    entity_id text NOT NULL,
    before jsonb,
    after jsonb,
    request_id text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_event_by_entity ON audit_event (entity, entity_id);
CREATE INDEX audit_event_by_staff ON audit_event (staff_id, occurred_at);

CREATE TRIGGER audit_event_is_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only_log();
CREATE TRIGGER audit_event_is_never_truncated
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_append_only_log();

-- Idempotency: the first answer to a POST, replayed for a retry with the same key -----------

CREATE TABLE idempotency_record (
    staff_id uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    idempotency_key text NOT NULL CONSTRAINT idempotency_key_is_sane CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    request_fingerprint bytea NOT NULL,
    status integer,
    response_headers jsonb,
    response_body bytea,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    PRIMARY KEY (staff_id, idempotency_key)
);
