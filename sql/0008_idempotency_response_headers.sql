-- A replayed answer needs more of the first answer's headers than its content type (ETag,
-- Location): keep them all, as JSON.
ALTER TABLE idempotency_record DROP COLUMN content_type;
ALTER TABLE idempotency_record ADD COLUMN response_headers jsonb;
