import Foundation
import Postgres

/// A placement's bed for some of its nights, as the bed history shows it.
public struct BedStay: Sendable, Equatable {
    public var placementID: UUID
    public var bedID: UUID
    public var bedLabel: String
    public var room: String
    public var nights: Nights?
    /// When the stay stopped holding the bed (moved, cancelled), if it has.
    public var releasedAt: Date?
    public var allocatedAt: Date
}

extension PlacementStore {
    /// The bed stays of a premises' placements (one placement's when `placementID` is given),
    /// the released ones too, oldest first: who has which bed, and the history of moves.
    /// `current`: only the stays still held with a night to come on or after `today` (what the
    /// lists of who has which bed need, without the premises' whole history).
    public func bedStays(premisesID: UUID, placementID: UUID? = nil, current today: CalendarDate? = nil, by principal: Principal) async throws -> [BedStay] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see placements", premisesID: premisesID, on: connection)
            var which: SQL = placementID.map { "a.placement_id = \($0) AND p.premises_id = \(premisesID)" } ?? "p.premises_id = \(premisesID)"
            if let today {
                which = "\(which) AND a.released_at IS NULL AND upper(a.nights) > \(today)::date"
            }
            return try await connection.query("""
                SELECT a.placement_id, a.bed_id, b.label, r.name AS room, lower(a.nights) AS first, upper(a.nights) AS end,
                       a.released_at, a.created_at
                FROM bed_allocation a JOIN bed b ON b.id = a.bed_id JOIN room r ON r.id = b.room_id
                JOIN placement p ON p.id = a.placement_id
                WHERE \(which)
                ORDER BY a.created_at, lower(a.nights)
                """).map { row in
                let first: CalendarDate? = try row.decode("first")
                let end: CalendarDate? = try row.decode("end")
                return BedStay(placementID: try row.decode("placement_id"), bedID: try row.decode("bed_id"), bedLabel: try row.decode("label"),
                               room: try row.decode("room"), nights: first.flatMap { first in end.map { Nights(first: first, end: $0) } },
                               releasedAt: try row.decode("released_at"), allocatedAt: try row.decode("created_at"))
            }
        }
    }
}
