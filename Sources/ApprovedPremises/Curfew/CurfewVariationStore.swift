import Foundation
import Postgres

/// A temporary change to a resident's curfew hours.
public struct CurfewVariation: Sendable, Equatable, Codable {
    public var id: UUID
    public var placementID: UUID
    public var nights: Nights
    /// The hours that apply instead; nil lifts the curfew on those nights.
    public var hours: CurfewHours?
    public var reason: String
    public var approvedBy: String
}

/// Curfew variations: approved by the AP manager (paid night work with written proof, say).
public struct CurfewVariationStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who varies a resident's curfew: the AP manager.
    public static let approvers: Set<Role> = [.administrator, .apManager]

    /// Adds a variation for a resident's nights; variations of one resident never overlap.
    public func add(
        placementID: UUID, nights: Nights, hours: CurfewHours?, reason: String, approvedBy: String,
        by principal: Principal
    ) async throws -> CurfewVariation {
        var v = Validation()
        v.require(nights.count > 0, field: "to", rule: "order", "to must be after from")
        v.require(nights.count <= 366, field: "to", rule: "span", "a variation covers at most a year")
        v.require(!reason.isBlank, field: "reason", rule: "required", "reason is required")
        v.require(!approvedBy.isBlank, field: "approvedBy", rule: "required", "approvedBy is required")
        if let hours {
            v.require(hours.start != hours.end, field: "end", rule: "window", "a curfew window has a length: start and end must differ")
        }
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
                try await PremisesAccess.require(
                    principal, Self.approvers, to: "vary curfews", premisesID: placement.premisesID, on: connection)
                // A variation is for nights of the stay: from its arrival (or expected arrival) to its departure.
                let stay = Nights(
                    first: placement.arrivalDate ?? placement.expectedArrival, end: placement.departureDate ?? placement.expectedDeparture)
                guard nights.first >= stay.first, nights.end <= stay.end else {
                    throw DomainError.invalid(
                        field: nights.first < stay.first ? "from" : "to", rule: "stay",
                        "a variation is for nights of the stay, \(stay.first) to \(stay.end)")
                }
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO curfew_variation (placement_id, nights, curfew_start, curfew_end, reason, approved_by, created_by)
                    VALUES (\(placementID), daterange(\(nights.first)::date, \(nights.end)::date, '[)'),
                            \(hours?.start.description)::time, \(hours?.end.description)::time, \(reason), \(approvedBy), \(principal.staffID))
                    RETURNING id
                    """
                ).decode("id")
                let variation = CurfewVariation(
                    id: id, placementID: placementID, nights: nights, hours: hours, reason: reason, approvedBy: approvedBy)
                try await AuditLog.record(
                    on: connection, by: principal, action: "curfew_variation.create", entity: "curfew_variation",
                    entityID: id.uuidString, before: CurfewVariation?.none, after: variation)
                return variation
            }
        }
    }

    /// A resident's variations, the earliest first.
    public func list(placementID: UUID, by principal: Principal) async throws -> [CurfewVariation] {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see curfew variations", premisesID: placement.premisesID, on: connection)
            return try await connection.query(
                """
                SELECT id, lower(nights) AS first, upper(nights) AS end, to_char(curfew_start, 'HH24:MI') AS s, to_char(curfew_end, 'HH24:MI') AS e,
                       reason, approved_by
                FROM curfew_variation WHERE placement_id = \(placementID) ORDER BY lower(nights)
                """
            ).map { row in
                var hours: CurfewHours? = nil
                if let start = (try row.decode("s", as: String?.self)).flatMap(WallClock.init),
                    let end = (try row.decode("e", as: String?.self)).flatMap(WallClock.init)
                {
                    hours = CurfewHours(start: start, end: end)
                }
                return CurfewVariation(
                    id: try row.decode("id"), placementID: placementID,
                    nights: Nights(first: try row.decode("first"), end: try row.decode("end")),
                    hours: hours, reason: try row.decode("reason"), approvedBy: try row.decode("approved_by"))
            }
        }
    }
}
