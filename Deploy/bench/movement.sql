-- pgbench baseline of `ap db bench`: the statements one API sign-out or sign-in runs
-- (POST /placements/{id}/movements with an Idempotency-Key), in the service's order and as it
-- sends them (taken from PostgreSQL's statement log of one of each), in one transaction: the
-- session lookup, then the key's claim, the placement (locked), the log's order around the
-- new entry, the chained insert (which names the member of staff the chain trigger records and
-- reads with the new entry the resident's curfew and breaches, to re-evaluate any breach), the
-- audit row and the stored answer. The access check asks nothing of the database for the
-- benchmark's administrator (nor for the night staff of the premises). A sign-out and a sign-in
-- run the same statements and differ only in the kind, which each pgbench is given (`ap db
-- bench` gives half its clients out and half in); pgbench does not check the log's order.
-- Keep it in step with the service: `ap db bench` is only fair while it is.
-- Variables (pgbench -D): kind (out or in), placement, premises, staff, token_hash (hex of the
-- bearer token's SHA-256).
\set key random(1, 1000000000000)
SELECT ss.id AS session_id, ss.expires_at, s.id, s.username, s.display_name, s.email, s.role, s.premises_id, s.region_code, s.active, s.version
FROM staff_session ss JOIN staff s ON s.id = ss.staff_id
WHERE ss.token_hash = decode(':token_hash', 'hex') AND ss.revoked_at IS NULL AND ss.expires_at > now() AND s.active;
BEGIN ISOLATION LEVEL READ COMMITTED;
INSERT INTO idempotency_record (staff_id, idempotency_key, request_fingerprint)
VALUES (':staff', 'bench-' || :key, sha256(convert_to('POST /placements/' || ':placement' || '/movements ' || :key, 'UTF8')))
ON CONFLICT (staff_id, idempotency_key) DO NOTHING;
SELECT p.id, p.premises_id, p.crn, p.person_name, p.expected_arrival, p.expected_departure, array_to_string(p.needs, ',') AS needs,
       p.overbooking_reason, p.arrived_at, p.arrival_date, p.early_arrival_reason, p.key_worker_id, p.non_arrived_at, p.non_arrival_reason_code,
       p.departed_at, p.departure_date, p.departure_reason_code, p.move_on_category_code, p.transferred_to,
       p.cancelled_at, p.cancellation_reason_code, p.version
FROM placement p WHERE p.id = ':placement' FOR UPDATE;
(SELECT 0 AS part, m.id, m.kind, m.occurred_at FROM movement m WHERE m.placement_id = ':placement' AND m.id IS DISTINCT FROM NULL
     AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id) AND m.occurred_at <= now()
 ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1)
UNION ALL
(SELECT 1, m.id, m.kind, m.occurred_at FROM movement m WHERE m.placement_id = ':placement' AND m.id IS DISTINCT FROM NULL
     AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id) AND m.occurred_at > now() AND m.occurred_at <= now())
UNION ALL
(SELECT 2, m.id, m.kind, m.occurred_at FROM movement m WHERE false AND m.placement_id = ':placement' AND m.id IS DISTINCT FROM NULL
     AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id) AND m.occurred_at > now()
 ORDER BY m.occurred_at, m.id LIMIT 1);
WITH written AS (
    INSERT INTO movement AS m (premises_id, placement_id, kind, occurred_at, destination, expected_back, with_permission, corrects_id, correction_reason)
    SELECT ':premises'::uuid, ':placement'::uuid, ':kind'::text, now()::timestamptz,
           'bench'::text, NULL::timestamptz, false::boolean,
           NULL::bigint, NULL::text
    FROM (SELECT set_config('ap.staff_id', ':staff', true)) AS recorder
    RETURNING m.id AS movement_id, m.placement_id, m.kind, m.occurred_at, m.recorded_at,
              (SELECT s.display_name FROM staff s WHERE s.id = m.recorded_by) AS recorded_by, m.destination,
              m.expected_back, m.with_permission, m.corrects_id, m.correction_reason, NULL::bigint AS corrected_by_id
)
SELECT written.*, pr.time_zone, to_char(pr.curfew_start, 'HH24:MI') AS ap_start, to_char(pr.curfew_end, 'HH24:MI') AS ap_end,
       to_char(r.licence_curfew_start, 'HH24:MI') AS licence_start, to_char(r.licence_curfew_end, 'HH24:MI') AS licence_end,
       p.premises_id, p.arrived_at,
       (SELECT min(b.window_start) FROM curfew_breach b WHERE b.placement_id = p.id AND b.voided_at IS NULL
            AND (b.closed_at IS NULL OR b.closed_at >= now())) AS earliest_breach,
       (SELECT string_agg(concat_ws(' ', lower(v.nights), upper(v.nights), coalesce(to_char(v.curfew_start, 'HH24:MI'), '-'),
                                    coalesce(to_char(v.curfew_end, 'HH24:MI'), '-')), ';')
        FROM curfew_variation v WHERE v.placement_id = p.id) AS variations
FROM written JOIN placement p ON p.id = written.placement_id JOIN premises pr ON pr.id = p.premises_id LEFT JOIN referral r ON r.id = p.referral_id \gset
INSERT INTO audit_event (staff_id, action, entity, entity_id, before, after, request_id)
VALUES (':staff', 'movement.:kind', 'movement', ':movement_id', NULL,
        ('{"id": ' || :movement_id || ', "kind": ":kind", "occurredAt": "2026-12-06T17:29:55Z", "recordedAt": "2026-12-06T17:29:56Z", '
         || '"recordedBy": "Benchmark", "destination": "bench", "placementID": "' || upper(':placement') || '", "withPermission": false}')::jsonb,
        'bench-' || :key);
UPDATE idempotency_record
SET status = 201, response_headers = '{"content-type": "application/json; charset=utf-8"}'::jsonb,
    response_body = convert_to('{"destination":"bench","id":' || :movement_id || ',"kind":":kind","lateEntry":false,"occurredAt":"2026-12-06T17:29:55Z","placementId":"'
                               || ':placement' || '","recordedAt":"2026-12-06T17:29:56Z","recordedBy":"Benchmark","withPermission":false}', 'UTF8'),
    completed_at = now()
WHERE staff_id = ':staff' AND idempotency_key = 'bench-' || :key;
COMMIT;
