-- Which service a database is: one id, made once, that `ap` keeps beside the list of residents
-- and each entry it saves while the service cannot be reached, so that offline work is only
-- ever sent to the service it was recorded for (a training service beside the live one has an
-- id of its own). A standby or a restored copy keeps the id: it is the same service's record.
CREATE TABLE service_identity (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    only_one boolean NOT NULL DEFAULT true UNIQUE CONSTRAINT service_identity_is_one_row CHECK (only_one),
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO service_identity DEFAULT VALUES;
