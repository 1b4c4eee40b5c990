-- A request's idempotency claim now commits in the same transaction as its change and its
-- answer, so a claim is never seen without its answer. The claims without one were left by
-- earlier versions of the service (which claimed keys in a transaction of their own) for
-- requests that died: they are cleared, and their retries run afresh.
DELETE FROM idempotency_record WHERE completed_at IS NULL;
