import APClient
import ApprovedPremises
import Foundation
import Postgres

/// Hand-written plain SQL for what the benchmarked paths answer, the way one would first write
/// it: the benchmark times each path beside its baseline in the same run, and compares answers.
enum BenchBaselines {
    /// What a hand-written `GET /premises/{id}/tonight` would run: the caller's session looked up
    /// by its token's hash, then the residents (`residents`).
    static func tonight(_ pool: PostgresPool, tokenHash: Data, premisesID: UUID, now: Date) async throws -> Int {
        guard
            try await pool.query(
                """
                SELECT s.id, s.role, s.premises_id, s.region_code FROM staff_session ss JOIN staff s ON s.id = ss.staff_id
                WHERE ss.token_hash = \(tokenHash) AND ss.revoked_at IS NULL AND ss.expires_at > now() AND s.active
                """
            ).first != nil
        else { throw CLIError("the benchmark's session has ended") }
        return try await residents(pool, premisesID: premisesID, now: now)
    }

    /// Who is in at one premises (or at every active one): each resident, their bed tonight,
    /// their licence curfew, their last entry that no correction replaced and any curfew
    /// variation over last night or tonight, in one statement.
    static func residents(_ pool: PostgresPool, premisesID: UUID?, now: Date) async throws -> Int {
        try await pool.query(
            """
            SELECT p.id, p.person_name, p.crn, b.label AS bed, r.licence_curfew_start, r.licence_curfew_end,
                   last.kind, last.occurred_at, last.destination, last.expected_back, last.with_permission,
                   v.nights AS variation_nights, v.curfew_start, v.curfew_end
            FROM placement p
            JOIN premises pr ON pr.id = p.premises_id
            LEFT JOIN referral r ON r.id = p.referral_id
            LEFT JOIN bed_allocation a ON a.placement_id = p.id AND a.released_at IS NULL
                 AND a.nights @> (\(now)::timestamptz AT TIME ZONE pr.time_zone)::date
            LEFT JOIN bed b ON b.id = a.bed_id
            LEFT JOIN curfew_variation v ON v.placement_id = p.id
                 AND v.nights && daterange((\(now)::timestamptz AT TIME ZONE pr.time_zone)::date - 1,
                                           (\(now)::timestamptz AT TIME ZONE pr.time_zone)::date + 1, '[)')
            LEFT JOIN LATERAL (
                SELECT m.kind, m.occurred_at, m.destination, m.expected_back, m.with_permission FROM movement m
                WHERE m.placement_id = p.id AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)
                ORDER BY m.occurred_at DESC, m.id DESC LIMIT 1
            ) last ON true
            WHERE p.arrived_at IS NOT NULL AND p.departed_at IS NULL
              AND (\(premisesID)::uuid IS NULL AND pr.active OR p.premises_id = \(premisesID)::uuid)
            """
        ).count
    }

    /// What matching answers for a man's referral to a NORMAL AP with no special needs for
    /// `stay`, within `radius` miles of `home`, worked out night by night as one would first write
    /// it: the premises suitable (men's, NORMAL, active, within the radius); each one's full nights
    /// over the stay and the eight weeks after it (a night is full when its placements and one more
    /// outnumber the beds in use and in service); and for each start from the stay's first night
    /// to eight weeks later, the bed the premises would give (in use, and neither allocated nor out
    /// of service, throughout; the plainest bed first) when it is full on none of those nights.
    /// A premises with a bed on the first night is a candidate ("NAT-012 bed 7"); one full then is
    /// given the first later start it has a bed ("NAT-014 from 2026-12-21"), as matching gives it;
    /// one with none within the eight weeks is left out, as matching leaves its date out. By code.
    static func matches(
        _ pool: PostgresPool, stay: Nights, home: (latitude: Double, longitude: Double), radius: Int,
        searchAheadDays: Int
    ) async throws -> [String] {
        try await pool.query(
            """
            WITH night AS (
                SELECT d::date AS night
                FROM generate_series(\(stay.first)::date, \(stay.end)::date + \(searchAheadDays)::integer - 1, interval '1 day') AS d
            ),
            start AS (
                SELECT k AS days, \(stay.first)::date + k AS first, \(stay.first)::date + k + \(stay.count)::integer AS until
                FROM generate_series(0, \(searchAheadDays)::integer) AS k
            ),
            suitable AS (
                SELECT p.id, p.code FROM premises p
                LEFT JOIN postcode_district d ON d.outcode = upper(split_part(btrim(p.postcode), ' ', 1))
                WHERE p.active AND p.gender = 'men' AND p.ap_type_code = 'NORMAL'
                  AND 2 * 3958.8 * asin(least(1, sqrt(
                        power(sin(radians(d.latitude - \(home.latitude)) / 2), 2)
                        + cos(radians(\(home.latitude))) * cos(radians(d.latitude)) * power(sin(radians(d.longitude - \(home.longitude)) / 2), 2)
                      ))) <= \(radius)
            ),
            out_of_service AS MATERIALIZED (
                SELECT b.premises_id, o.nights * b.in_use AS nights FROM bed_out_of_service o JOIN bed b ON b.id = o.bed_id
                WHERE o.cancelled_at IS NULL AND o.nights && daterange(\(stay.first)::date, \(stay.end)::date + \(searchAheadDays)::integer, '[)')
            ),
            full_night AS MATERIALIZED (
                SELECT s.id, n.night FROM suitable s CROSS JOIN night n
                WHERE (SELECT count(*) FROM placement p WHERE p.premises_id = s.id AND p.nights @> n.night) + 1
                    > (SELECT count(*) FROM bed b WHERE b.premises_id = s.id AND b.in_use @> n.night)
                      - (SELECT count(*) FROM out_of_service o WHERE o.premises_id = s.id AND o.nights @> n.night)
            ),
            open_start AS MATERIALIZED (
                SELECT s.id, s.code, st.days, st.first, daterange(st.first, st.until, '[)') AS stay
                FROM suitable s CROSS JOIN start st
                WHERE NOT EXISTS (SELECT 1 FROM full_night f WHERE f.id = s.id AND f.night >= st.first AND f.night < st.until)
            ),
            busy AS MATERIALIZED (
                SELECT a.bed_id, a.nights FROM bed_allocation a
                WHERE a.released_at IS NULL AND a.nights && daterange(\(stay.first)::date, \(stay.end)::date + \(searchAheadDays)::integer, '[)')
                UNION ALL
                SELECT o.bed_id, o.nights FROM bed_out_of_service o
                WHERE o.cancelled_at IS NULL AND o.nights && daterange(\(stay.first)::date, \(stay.end)::date + \(searchAheadDays)::integer, '[)')
            ),
            free_bed AS (
                SELECT o.id, o.code, o.days, o.first, b.label, (SELECT count(*) FROM room_feature f WHERE f.room_id = b.room_id) AS extras
                FROM open_start o JOIN bed b ON b.premises_id = o.id AND b.in_use @> o.stay
                WHERE NOT EXISTS (SELECT 1 FROM busy u WHERE u.bed_id = b.id AND u.nights && o.stay)
            ),
            earliest AS (
                SELECT DISTINCT ON (id) code, days, first, label AS bed FROM free_bed ORDER BY id, days, extras, label
            )
            SELECT CASE WHEN days = 0 THEN code || ' bed ' || bed ELSE code || ' from ' || first END AS answer
            FROM earliest ORDER BY code
            """
        ).map { try $0.decode("answer", as: String.self) }
    }
}
