-- A placement's bed history (every allocation, released ones too) is read by each of its pages;
-- the live-only index left the released ones to a scan of every allocation.
CREATE INDEX bed_allocation_by_placement ON bed_allocation (placement_id);
