import Foundation
import Logging
import Postgres

/// A curfew window a resident was not in for.
public struct CurfewBreach: Sendable, Equatable, Codable {
    public var id: UUID
    public var placementID: UUID
    public var personName: String
    public var windowStart: Date
    public var windowEnd: Date
    public var openedAt: Date
    public var closedAt: Date?
    public var minutesLate: Int?
    public var outcome: String?
}

/// Opening breaches when a curfew starts (by the service's job, not by someone remembering)
/// and closing them when the resident signs in.
public enum CurfewBreaches {
    /// Opens a breach for every resident of every premises who is late now; looking again finds
    /// the same breaches, so the job can run as often as it likes. Returns how many it opened.
    @discardableResult
    public static func scan(pool: PostgresPool, now: Date = Date()) async throws -> Int {
        try await pool.withConnection { connection in
            var opened = 0
            for row in try await connection.query("SELECT id, time_zone FROM premises WHERE active ORDER BY code") {
                let premisesID: UUID = try row.decode("id")
                let timeZone = TimeZone(identifier: try row.decode("time_zone")) ?? TimeZone(identifier: "Europe/London")!
                let states = try await MovementLog.states(premisesID: premisesID, timeZone: timeZone, now: now, on: connection)
                for state in states where state.state == .late {
                    guard let start = state.curfewStart, let end = state.curfewEnd else { continue }
                    let inserted = try await connection.query("""
                        INSERT INTO curfew_breach (premises_id, placement_id, window_start, window_end, opened_at)
                        VALUES (\(premisesID), \(state.placementID), \(start), \(end), \(now))
                        ON CONFLICT (placement_id, window_start) DO NOTHING
                        RETURNING id
                        """)
                    if let id: UUID = try inserted.first?.decode("id") {
                        opened += 1
                        try await AuditLog.record(on: connection, by: nil, action: "curfew_breach.open", entity: "curfew_breach",
                                                  entityID: id.uuidString, before: String?.none,
                                                  after: ["placementId": state.placementID.uuidString, "windowStart": start.formatted(.iso8601)])
                    }
                }
            }
            return opened
        }
    }

    /// Closes a resident's open breaches at their sign-in, with how late they were: from the
    /// later of the window's start and their sign-out.
    static func close(placementID: UUID, signedInAt: Date, movementID: Int64, on connection: PostgresConnection) async throws {
        try await connection.execute("""
            UPDATE curfew_breach b SET closed_at = \(signedInAt), closed_by_movement = \(movementID),
                minutes_late = greatest(0, floor(extract(epoch FROM \(signedInAt)::timestamptz - greatest(b.window_start,
                    coalesce((SELECT max(m.occurred_at) FROM movement m WHERE m.placement_id = b.placement_id AND m.kind = 'out'
                              AND m.occurred_at <= \(signedInAt)::timestamptz
                              AND NOT EXISTS (SELECT 1 FROM movement c WHERE c.corrects_id = m.id)), b.window_start))) / 60))::integer
            WHERE b.placement_id = \(placementID) AND b.closed_at IS NULL AND b.window_start <= \(signedInAt)::timestamptz
            """)
    }

    /// A premises' breaches, newest first; `openOnly` for those not yet closed.
    public static func list(pool: PostgresPool, premisesID: UUID, openOnly: Bool, by principal: Principal) async throws -> [CurfewBreach] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see curfew breaches", premisesID: premisesID, on: connection)
            return try await connection.query("""
                SELECT b.id, b.placement_id, p.person_name, b.window_start, b.window_end, b.opened_at, b.closed_at, b.minutes_late, b.outcome
                FROM curfew_breach b JOIN placement p ON p.id = b.placement_id
                WHERE b.premises_id = \(premisesID) AND (NOT \(openOnly) OR b.closed_at IS NULL)
                ORDER BY b.window_start DESC, p.person_name
                LIMIT 500
                """).map { row in
                CurfewBreach(id: try row.decode("id"), placementID: try row.decode("placement_id"), personName: try row.decode("person_name"),
                             windowStart: try row.decode("window_start"), windowEnd: try row.decode("window_end"),
                             openedAt: try row.decode("opened_at"), closedAt: try row.decode("closed_at"),
                             minutesLate: try row.decode("minutes_late"), outcome: try row.decode("outcome"))
            }
        }
    }
}
