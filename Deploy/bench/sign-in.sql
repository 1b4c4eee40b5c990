-- pgbench baseline of `ap db bench`: the statements one API sign-in runs
-- (POST /placements/{id}/movements with an Idempotency-Key), in the service's order, in one
-- transaction: the session lookup, then the key's claim, the placement (locked), the access
-- check, the resident's last entry, the chained insert, the closing of any open curfew breach, its audit row and the stored answer.
-- Variables (pgbench -D): placement, premises, staff, token_hash (hex of the bearer token's SHA-256).
\set key random(1, 1000000000000)
SELECT ss.id AS session_id, ss.expires_at, s.id, s.username, s.display_name, s.email, s.role, s.premises_id, s.region_code, s.active, s.version
FROM staff_session ss JOIN staff s ON s.id = ss.staff_id
WHERE ss.token_hash = decode(':token_hash', 'hex') AND ss.revoked_at IS NULL AND ss.expires_at > now() AND s.active;
BEGIN ISOLATION LEVEL READ COMMITTED;
INSERT INTO idempotency_record (staff_id, idempotency_key, request_fingerprint)
VALUES (':staff', 'bench-' || :key, sha256(convert_to('POST /placements/' || ':placement' || '/movements ' || :key, 'UTF8')))
ON CONFLICT (staff_id, idempotency_key) DO NOTHING;
SELECT p.id, p.premises_id, p.crn, p.person_name, p.expected_arrival, p.expected_departure, array_to_string(p.needs, ',') AS needs,
       p.overbooking_reason, p.arrived_at, p.arrival_date, p.key_worker_id, p.non_arrived_at, p.non_arrival_reason_code,
       p.departed_at, p.departure_date, p.departure_reason_code, p.move_on_category_code, p.transferred_to,
       p.cancelled_at, p.cancellation_reason_code, p.version
FROM placement p WHERE p.id = ':placement' FOR UPDATE;
SELECT name, region_code, time_zone FROM premises WHERE id = ':premises';
SELECT m.id, m.placement_id, m.kind, m.occurred_at, m.recorded_at, s.display_name AS recorded_by, m.destination, m.expected_back,
       m.with_permission, m.corrects_id, m.correction_reason,
       (SELECT c.id FROM movement c WHERE c.corrects_id = m.id ORDER BY c.id DESC LIMIT 1) AS corrected_by_id
FROM movement m JOIN staff s ON s.id = m.recorded_by
WHERE m.placement_id = ':placement' AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)
ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1;
INSERT INTO movement AS m (premises_id, placement_id, kind, occurred_at, recorded_by, destination, expected_back, with_permission, corrects_id, correction_reason)
VALUES (':premises', ':placement', 'in', now(), ':staff', 'bench', NULL, false, NULL, NULL)
RETURNING m.id AS movement_id, m.placement_id, m.kind, m.occurred_at, m.recorded_at,
          (SELECT s.display_name FROM staff s WHERE s.id = m.recorded_by) AS recorded_by, m.destination,
          m.expected_back, m.with_permission, m.corrects_id, m.correction_reason, NULL::bigint AS corrected_by_id \gset
UPDATE curfew_breach b SET closed_at = now(), closed_by_movement = :movement_id,
    minutes_late = greatest(0, floor(extract(epoch FROM now() - greatest(b.window_start,
        coalesce((SELECT max(m.occurred_at) FROM movement m WHERE m.placement_id = b.placement_id AND m.kind = 'out'
                  AND m.occurred_at <= now()
                  AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)), b.window_start))) / 60))::integer
WHERE b.placement_id = ':placement' AND b.closed_at IS NULL AND b.window_start <= now();
INSERT INTO audit_event (staff_id, action, entity, entity_id, before, after, request_id)
VALUES (':staff', 'movement.in', 'movement', ':movement_id', NULL,
        jsonb_build_object('id', :movement_id, 'placementID', ':placement', 'kind', 'in', 'occurredAt', 786300000.5, 'recordedAt', 786300000.5,
                           'recordedBy', 'Benchmark', 'destination', 'bench', 'withPermission', false), 'bench-request-id');
UPDATE idempotency_record
SET status = 201, response_headers = '{"Content-Type": "application/json; charset=utf-8"}'::jsonb,
    response_body = convert_to('{"id":' || :movement_id || ',"placementId":"' || ':placement' || '","kind":"in","occurredAt":"2026-12-01T20:00:00Z","recordedAt":"2026-12-01T20:00:00Z","recordedBy":"Benchmark","destination":"bench","withPermission":false,"lateEntry":false}', 'UTF8'),
    completed_at = now()
WHERE staff_id = ':staff' AND idempotency_key = 'bench-' || :key;
COMMIT;
