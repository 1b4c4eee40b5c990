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
    public func bedStays(premisesID: UUID, placementID: UUID? = nil, current today: CalendarDate? = nil, by principal: Principal)
        async throws -> [BedStay]
    {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see placements", premisesID: premisesID, on: connection)
            var which: SQL =
                placementID.map { "a.placement_id = \($0) AND p.premises_id = \(premisesID)" } ?? "p.premises_id = \(premisesID)"
            if let today {
                which = "\(which) AND a.released_at IS NULL AND upper(a.nights) > \(today)::date"
            }
            return try await connection.query(
                """
                SELECT a.placement_id, a.bed_id, b.label, r.name AS room, lower(a.nights) AS first, upper(a.nights) AS end,
                       a.released_at, a.created_at
                FROM bed_allocation a JOIN bed b ON b.id = a.bed_id JOIN room r ON r.id = b.room_id
                JOIN placement p ON p.id = a.placement_id
                WHERE \(which)
                ORDER BY a.created_at, lower(a.nights)
                """
            ).map { row in
                let first: CalendarDate? = try row.decode("first")
                let end: CalendarDate? = try row.decode("end")
                return BedStay(
                    placementID: try row.decode("placement_id"), bedID: try row.decode("bed_id"), bedLabel: try row.decode("label"),
                    room: try row.decode("room"), nights: first.flatMap { first in end.map { Nights(first: first, end: $0) } },
                    releasedAt: try row.decode("released_at"), allocatedAt: try row.decode("created_at"))
            }
        }
    }

    /// Who took a bed for some of `nights`: the member of staff whose allocation holds it, when
    /// (for a booking refused because someone else was quicker). Nil when no one holds it.
    public func bedTaken(bedID: UUID, nights: Nights, by principal: Principal) async throws -> BedTaken? {
        try await pool.withConnection { connection in
            guard
                let premisesID: UUID = try await connection.first("SELECT premises_id FROM bed WHERE id = \(bedID)")?.decode("premises_id")
            else {
                return nil
            }
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see placements", premisesID: premisesID, on: connection)
            return try await connection.first(
                """
                SELECT b.label, s.display_name, a.created_at
                FROM bed_allocation a JOIN bed b ON b.id = a.bed_id LEFT JOIN staff s ON s.id = a.created_by
                WHERE a.bed_id = \(bedID) AND a.released_at IS NULL
                  AND a.nights && daterange(\(nights.first)::date, \(nights.end)::date, '[)')
                ORDER BY a.created_at DESC LIMIT 1
                """
            ).map { row in
                BedTaken(bedLabel: try row.decode("label"), staffName: try row.decode("display_name"), at: try row.decode("created_at"))
            }
        }
    }
}

/// A bed someone else holds: which, by whom, since when.
public struct BedTaken: Sendable, Equatable {
    public var bedLabel: String
    /// Nil when the allocation was made by no account (loaded data).
    public var staffName: String?
    public var at: Date
}
