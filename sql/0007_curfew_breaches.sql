-- Curfew breaches: opened by the service's job when a curfew window starts and a resident is
-- not in; closed by their sign-in, with how late they were.

CREATE TABLE curfew_breach (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    premises_id uuid NOT NULL REFERENCES premises (id) ON DELETE RESTRICT,
    placement_id uuid NOT NULL REFERENCES placement (id) ON DELETE RESTRICT,
    window_start timestamptz NOT NULL,
    window_end timestamptz NOT NULL,
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    closed_by_movement bigint REFERENCES movement (id) ON DELETE RESTRICT,
    minutes_late integer CONSTRAINT curfew_breach_minutes_not_negative CHECK (minutes_late >= 0),
    outcome text CONSTRAINT curfew_breach_outcome_is_known CHECK (outcome IN ('no_action', 'warning', 'reported_to_pp', 'recall_requested')),
    created_at timestamptz NOT NULL DEFAULT now(),
    -- the job may look again and again: one breach per resident per window
    CONSTRAINT curfew_breach_once_per_window UNIQUE (placement_id, window_start),
    CONSTRAINT curfew_breach_closed_whole CHECK ((closed_at IS NULL) = (minutes_late IS NULL))
);
CREATE INDEX curfew_breach_open ON curfew_breach (premises_id) WHERE closed_at IS NULL;
