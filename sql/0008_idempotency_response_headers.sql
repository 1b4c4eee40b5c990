-- A replayed answer needs more of the first answer's headers than its content type (ETag,
-- Location): keep them all, as JSON. 0001 as it first landed already has `response_headers`;
-- for a while 0001 was wrongly put back to an older text with `content_type`, and this file
-- turned that column into `response_headers`. Either way the table ends the same.
ALTER TABLE idempotency_record DROP COLUMN IF EXISTS content_type;
ALTER TABLE idempotency_record ADD COLUMN IF NOT EXISTS response_headers jsonb;
