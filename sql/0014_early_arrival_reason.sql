-- An arrival more than a week before the expected arrival is recorded only by an AP manager (or
-- an administrator), with the reason why: the nights it occupies were not the nights booked.
ALTER TABLE placement ADD COLUMN early_arrival_reason text;
ALTER TABLE placement ADD CONSTRAINT placement_early_arrival_reason_needs_arrival
    CHECK (early_arrival_reason IS NULL OR arrived_at IS NOT NULL);
ALTER TABLE placement ADD CONSTRAINT placement_early_arrival_reason_length
    CHECK (early_arrival_reason IS NULL OR length(early_arrival_reason) BETWEEN 1 AND 500);
