-- A resident's bed tonight: a plain index on the placement, carrying the bed and the nights,
-- finds their few live allocations without a visit to the table, quicker than the exclusion
-- constraint's GiST index does. (For a while this index was wrongly added to 0011 after 0011 had
-- landed; a database migrated then already has it, hence IF NOT EXISTS.)
CREATE INDEX IF NOT EXISTS bed_allocation_live_by_placement ON bed_allocation (placement_id) INCLUDE (bed_id, nights)
    WHERE released_at IS NULL;
