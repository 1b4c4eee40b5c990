import Foundation
import Postgres

/// A bed out of use for some nights.
public struct OutOfService: Sendable, Equatable, Codable {
    public var id: UUID
    public var bedID: UUID
    public var nights: Nights
    /// `out_of_service_reasons.csv`
    public var reason: String
    /// A work order number or a CRN, as the reason asks.
    public var reference: String?
    public var notes: String?
    public var cancelled: Bool
    public var version: Int
}

/// Out-of-service periods: taken by administrators and the premises' AP manager. Every
/// version is kept in `bed_out_of_service_revision`.
public struct OutOfServiceStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    static let columns: SQL =
        "o.id, o.bed_id, lower(o.nights) AS first, upper(o.nights) AS end, o.reason_code, o.reference, o.notes, o.cancelled_at IS NOT NULL AS cancelled, o.version"

    static func outOfService(_ row: PostgresRow) throws -> OutOfService {
        OutOfService(
            id: try row.decode("id"), bedID: try row.decode("bed_id"),
            nights: Nights(first: try row.decode("first"), end: try row.decode("end")),
            reason: try row.decode("reason_code"), reference: try row.decode("reference"), notes: try row.decode("notes"),
            cancelled: try row.decode("cancelled"), version: try row.decode("version"))
    }

    /// Takes a bed out of service for `nights`. Refused, naming who is there, when someone is
    /// allocated to the bed on any of them.
    ///
    /// With `checkCapacity` (the web view), a period that would leave the premises with more
    /// placements than usable beds on a night that had room is refused (`overbookingReason`
    /// required) unless `overbookingReason` says why; the reason is kept on the period.
    public func create(
        bedID: UUID, nights: Nights, reason: String, reference: String?, notes: String?, by principal: Principal,
        checkCapacity: Bool = false, overbookingReason: String? = nil
    ) async throws -> OutOfService {
        guard nights.count > 0 else {
            throw DomainError.invalid(field: "end", rule: "order", "end must be after start")
        }
        do {
            return try await pool.transaction { connection in
                let premisesID = try await Self.premises(ofBed: bedID, on: connection)
                let premises = try await PremisesAccess.require(
                    principal, RoomStore.keepers, to: "take beds out of service", premisesID: premisesID,
                    on: connection, lock: checkCapacity)
                let why = overbookingReason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                let notes = why.isEmpty ? notes : [notes, "Overbooked knowingly: \(why)"].compactMap { $0 }.joined(separator: "\n")
                let before =
                    checkCapacity
                    ? try await Capacity.nights(premisesID: premisesID, nights: nights, needs: [], excluding: nil, on: connection) : []
                let row = try await connection.one(
                    """
                    INSERT INTO bed_out_of_service AS o (bed_id, nights, reason_code, reference, notes, created_by)
                    VALUES (\(bedID), daterange(\(nights.first)::date, \(nights.end)::date, '[)'), \(reason), \(reference), \(notes), \(principal.staffID))
                    RETURNING \(Self.columns)
                    """)
                if checkCapacity {
                    let after = try await Capacity.nights(premisesID: premisesID, nights: nights, needs: [], excluding: nil, on: connection)
                    let over = zip(before, after).filter { $0.booked <= $0.usableBeds && $1.booked > $1.usableBeds }.map {
                        Capacity.Shortfall(night: $1.night, need: nil)
                    }
                    if !over.isEmpty && why.isEmpty {
                        let message =
                            Capacity.describe(over, premises: premises.name)
                            + ": taking the bed out of service then overbooks it; say why to do it anyway"
                        throw DomainError(
                            .conflict, message, problems: [FieldProblem(field: "overbookingReason", rule: "required", message: message)])
                    }
                }
                let period = try Self.outOfService(row)
                try await Self.revise(period, change: "created", by: principal, on: connection)
                return period
            }
        } catch let error as PostgresError where error.constraint == "out_of_service_bed_is_empty" {
            let occupants = try await pool.query(
                """
                SELECT p.person_name, p.crn, lower(a.nights) AS first, upper(a.nights) AS end
                FROM bed_allocation a JOIN placement p ON p.id = a.placement_id
                WHERE a.bed_id = \(bedID) AND a.released_at IS NULL
                  AND a.nights && daterange(\(nights.first)::date, \(nights.end)::date, '[)')
                ORDER BY lower(a.nights)
                """)
            let names = try occupants.map { row -> String in
                let end: CalendarDate = try row.decode("end")
                return
                    "\(try row.decode("person_name", as: String.self)) (\(try row.decode("crn", as: String.self)), \(try row.decode("first", as: CalendarDate.self)) to \(end.adding(days: -1)))"
            }
            throw DomainError(
                .conflict, "the bed is allocated on those nights to \(names.joined(separator: ", ")); move them to another bed first")
        } catch {
            throw ConstraintViolations.translate(error)
        }
    }

    /// Ends a period early: the bed is back in service from `end`.
    public func end(_ id: UUID, on end: CalendarDate, by principal: Principal) async throws -> OutOfService {
        try await revise(id, change: "ended", by: principal) { period, connection in
            guard end > period.nights.first, end < period.nights.end else {
                throw DomainError.invalid(
                    field: "end", rule: "span", "end must fall after \(period.nights.first) and before \(period.nights.end)")
            }
            return try await connection.one(
                """
                UPDATE bed_out_of_service AS o SET nights = daterange(lower(o.nights), \(end)::date, '[)'), version = o.version + 1, updated_at = now()
                WHERE o.id = \(id) RETURNING \(Self.columns)
                """)
        }
    }

    /// Cancels a period: the bed was never out of service after all.
    public func cancel(_ id: UUID, by principal: Principal) async throws -> OutOfService {
        try await revise(id, change: "cancelled", by: principal) { _, connection in
            try await connection.one(
                """
                UPDATE bed_out_of_service AS o SET cancelled_at = now(), version = o.version + 1, updated_at = now()
                WHERE o.id = \(id) RETURNING \(Self.columns)
                """)
        }
    }

    private func revise(
        _ id: UUID, change: String, by principal: Principal,
        _ body: (OutOfService, PostgresConnection) async throws -> PostgresRow
    ) async throws -> OutOfService {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                guard let row = try await connection.first("SELECT \(Self.columns) FROM bed_out_of_service o WHERE o.id = \(id) FOR UPDATE")
                else {
                    throw DomainError(.notFound, "there is no out-of-service period \(id.uuidString.lowercased())")
                }
                let before = try Self.outOfService(row)
                guard !before.cancelled else { throw DomainError(.conflict, "this out-of-service period was cancelled") }
                let premisesID = try await Self.premises(ofBed: before.bedID, on: connection)
                try await PremisesAccess.require(
                    principal, RoomStore.keepers, to: "change out-of-service periods", premisesID: premisesID, on: connection)
                let after = try Self.outOfService(try await body(before, connection))
                try await Self.revise(after, change: change, by: principal, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "bed_out_of_service.\(change)", entity: "bed_out_of_service",
                    entityID: id.uuidString, before: before, after: after)
                return after
            }
        }
    }

    private static func revise(_ period: OutOfService, change: String, by principal: Principal, on connection: PostgresConnection)
        async throws
    {
        try await connection.execute(
            """
            INSERT INTO bed_out_of_service_revision (out_of_service_id, version, change, nights, reason_code, reference, notes, changed_by)
            VALUES (\(period.id), \(period.version), \(change), daterange(\(period.nights.first)::date, \(period.nights.end)::date, '[)'),
                    \(period.reason), \(period.reference), \(period.notes), \(principal.staffID))
            """)
        if change == "created" {
            try await AuditLog.record(
                on: connection, by: principal, action: "bed_out_of_service.created", entity: "bed_out_of_service",
                entityID: period.id.uuidString, before: OutOfService?.none, after: period)
        }
    }

    static func premises(ofBed bedID: UUID, on connection: PostgresConnection) async throws -> UUID {
        guard let row = try await connection.first("SELECT premises_id FROM bed WHERE id = \(bedID)") else {
            throw DomainError(.notFound, "there is no bed \(bedID.uuidString.lowercased())")
        }
        return try row.decode("premises_id")
    }
}

extension OutOfServiceStore {
    /// A premises' out-of-service periods that are not cancelled and end after `from`, by first
    /// night, each with its bed's label: what is or will be out of service.
    public func list(premisesID: UUID, from: CalendarDate, by principal: Principal) async throws -> [(
        period: OutOfService, bedLabel: String
    )] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see beds", premisesID: premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Self.columns), b.label FROM bed_out_of_service o JOIN bed b ON b.id = o.bed_id
                WHERE b.premises_id = \(premisesID) AND o.cancelled_at IS NULL AND upper(o.nights) > \(from)::date
                ORDER BY lower(o.nights), b.label
                """
            ).map { (try Self.outOfService($0), try $0.decode("label")) }
        }
    }
}
