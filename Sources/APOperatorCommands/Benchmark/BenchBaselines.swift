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
        guard try await pool.query("""
            SELECT s.id, s.role, s.premises_id, s.region_code FROM staff_session ss JOIN staff s ON s.id = ss.staff_id
            WHERE ss.token_hash = \(tokenHash) AND ss.revoked_at IS NULL AND ss.expires_at > now() AND s.active
            """).first != nil else { throw CLIError("the benchmark's session has ended") }
        return try await residents(pool, premisesID: premisesID, now: now)
    }

    /// Who is in at one premises (or at every active one): each resident, their bed tonight,
    /// their licence curfew, their last entry that no correction replaced and any curfew
    /// variation over last night or tonight, in one statement.
    static func residents(_ pool: PostgresPool, premisesID: UUID?, now: Date) async throws -> Int {
        try await pool.query("""
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
            """).count
    }

    /// The premises that can take a man's referral to a NORMAL AP with no special needs for
    /// `stay`, within `radius` miles of `home`, with the bed each would get: night by night, a
    /// premises is left out when it is full on any night of the stay, and a bed when it is not in
    /// use, in service and unallocated on every night. Codes and bed labels, by code.
    static func candidates(_ pool: PostgresPool, stay: Nights, home: (latitude: Double, longitude: Double), radius: Int) async throws -> [String] {
        try await pool.query("""
            WITH stay AS (
                SELECT d::date AS night FROM generate_series(\(stay.first)::date, \(stay.end)::date - 1, interval '1 day') AS d
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
            full_night AS (
                SELECT DISTINCT s.id FROM suitable s CROSS JOIN stay n
                WHERE (SELECT count(*) FROM placement p WHERE p.premises_id = s.id AND p.nights @> n.night) + 1
                    > (SELECT count(*) FROM bed b WHERE b.premises_id = s.id AND b.in_use @> n.night
                       AND NOT EXISTS (SELECT 1 FROM bed_out_of_service o WHERE o.bed_id = b.id AND o.cancelled_at IS NULL AND o.nights @> n.night))
            ),
            free_bed AS (
                SELECT DISTINCT ON (b.premises_id) b.premises_id, b.label
                FROM bed b JOIN suitable s ON s.id = b.premises_id
                WHERE b.in_use @> daterange(\(stay.first)::date, \(stay.end)::date, '[)')
                  AND NOT EXISTS (SELECT 1 FROM bed_allocation a WHERE a.bed_id = b.id AND a.released_at IS NULL
                                  AND a.nights && daterange(\(stay.first)::date, \(stay.end)::date, '[)'))
                  AND NOT EXISTS (SELECT 1 FROM bed_out_of_service o WHERE o.bed_id = b.id AND o.cancelled_at IS NULL
                                  AND o.nights && daterange(\(stay.first)::date, \(stay.end)::date, '[)'))
                ORDER BY b.premises_id, (SELECT count(*) FROM room_feature f WHERE f.room_id = b.room_id), b.label
            )
            SELECT s.code || ' bed ' || f.label AS candidate
            FROM suitable s JOIN free_bed f ON f.premises_id = s.id
            WHERE s.id NOT IN (SELECT id FROM full_night)
            ORDER BY s.code
            """).map { try $0.decode("candidate", as: String.self) }
    }
}
