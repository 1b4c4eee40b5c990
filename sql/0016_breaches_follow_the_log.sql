-- Breaches follow the log whenever it is written: a late entry, an offline replay or a
-- correction re-evaluates the nights it touches. A breach the corrected log no longer supports
-- is marked void, with the entry that voided it, and kept; it no longer counts as a breach.
-- The one-breach-per-window constraint (0007) keeps the job and the re-evaluation from opening
-- the same breach twice.
ALTER TABLE curfew_breach
    ADD COLUMN voided_at timestamptz,
    ADD COLUMN voided_by_movement bigint REFERENCES movement (id) ON DELETE RESTRICT,
    ADD CONSTRAINT curfew_breach_void_whole CHECK ((voided_at IS NULL) = (voided_by_movement IS NULL));
DROP INDEX curfew_breach_open;
CREATE INDEX curfew_breach_open ON curfew_breach (premises_id) WHERE closed_at IS NULL AND voided_at IS NULL;
