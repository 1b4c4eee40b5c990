-- National scale: who is in now, and the breach job, found from indexes whose cost follows the
-- residents, never the years of log behind them.

-- A resident's last entry: walk their own entries newest first and stop at the first one no
-- correction replaced. Ordered as the queries ask (occurred_at, then id), so the walk needs no
-- sort; it also serves every "this resident's log" query the old index served.
CREATE INDEX movement_latest_by_placement ON movement (placement_id, occurred_at DESC, id DESC);
DROP INDEX movement_by_placement;

-- "Has this entry been corrected?" is asked of every entry looked at: answered from this index
-- (corrections are few, so it stays small) instead of a scan of the whole log.
CREATE INDEX movement_correction_of ON movement (corrects_id) WHERE corrects_id IS NOT NULL;

-- The residents in residence now, per premises: tonight, the breach job and night checks start here.
CREATE INDEX placement_in_residence ON placement (premises_id)
    WHERE arrived_at IS NOT NULL AND departed_at IS NULL;
