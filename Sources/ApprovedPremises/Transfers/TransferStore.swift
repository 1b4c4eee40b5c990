import Foundation
import Postgres

/// Transfers between APs. A planned transfer is asked for by the resident's AP manager and
/// matched and booked (or refused) by the referral unit: booked, the first stay is expected to
/// end on the transfer date and the second to begin that day, in one transaction, and the
/// receiving AP's arrival ends the first stay. An emergency transfer moves the resident tonight,
/// both stays written at once. The database keeps the two stays end to end
/// (`transfer_is_seamless`, checked at commit) and a bed a night each (`bed_never_double_booked`).
public struct TransferStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who asks for a transfer and makes an emergency one: the resident's AP manager.
    public static let requesters: Set<Role> = [.administrator, .apManager]
    /// Who decides planned transfers and appeals: the referral unit.
    public static let deciders: Set<Role> = [.administrator, .referralManager]
    /// Who reads transfers: the unit, and the managers of the two APs (regional managers of theirs).
    public static let readers: Set<Role> = [.administrator, .referralManager, .apManager, .regionalManager]

    /// What an AP manager asks for.
    public struct Request: Sendable {
        public var placementID: UUID
        public var reason: String
        public var transferDate: CalendarDate
        public var notes: String?

        /// A value with each field given.
        public init(placementID: UUID, reason: String, transferDate: CalendarDate, notes: String? = nil) {
            (self.placementID, self.reason, self.transferDate, self.notes) = (placementID, reason, transferDate, notes)
        }
    }

    /// Asks the referral unit to move a resident from `transferDate` to another AP.
    public func request(_ request: Request, by principal: Principal, now: Date = Date()) async throws -> Transfer {
        try principal.require(Self.requesters, to: "ask for transfers")
        let notes = try Self.notes(request.notes, required: request.reason == "OTHER")
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let peek = try await PlacementStore.load(request.placementID, on: connection, lock: false)
                let premises = try await PremisesAccess.require(
                    principal, Self.requesters, to: "ask for transfers", premisesID: peek.premisesID, on: connection)
                let placement = try await PlacementStore.load(request.placementID, on: connection, lock: true)
                try Self.requireResident(placement, at: premises.name)
                let today = CalendarDate.today(in: premises.timeZone, now: now)
                try Self.checkDate(request.transferDate, field: "transferDate", today: today, stay: placement)
                try await Self.checkReason(request.reason, on: connection)
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO transfer (kind, placement_id, from_premises_id, reason_code, transfer_date, notes, requested_by)
                    VALUES ('planned', \(placement.id), \(placement.premisesID), \(request.reason), \(request.transferDate), \(notes),
                            \(principal.staffID))
                    RETURNING id
                    """
                ).decode("id")
                let transfer = try await Self.load(id, on: connection, lock: false)
                try await Self.event(
                    transfer, "transfer_requested", note: "\(transfer.reasonName), from \(transfer.transferDate)", by: principal,
                    on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "transfer.request", entity: "transfer", entityID: id.uuidString,
                    before: Transfer?.none, after: transfer)
                return transfer
            }
        }
    }

    /// The transfers the caller may see, newest first: those waiting for the unit when
    /// `status` is `requested` (its queue).
    public func list(status: Transfer.Status?, by principal: Principal, limit: Int = 200) async throws -> [Transfer] {
        try principal.require(Self.readers, to: "see transfers")
        return try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Transfer.columns) FROM \(Transfer.tables)
                WHERE \(Self.visible(to: principal)) AND (\(status?.rawValue)::text IS NULL OR t.status = \(status?.rawValue))
                ORDER BY CASE WHEN t.status = 'requested' THEN t.transfer_date END, t.requested_at DESC
                LIMIT \(limit)
                """
            ).map(Transfer.init(row:))
        }
    }

    /// One transfer, for the unit and the managers of its two APs; anyone else is told there is none.
    public func get(_ id: UUID, by principal: Principal) async throws -> Transfer {
        try principal.require(Self.readers, to: "see transfers")
        return try await pool.withConnection { connection in
            try await Self.load(id, visibleTo: principal, on: connection)
        }
    }

    /// The premises that could take the resident for the rest of their stay from the transfer
    /// date, nearest their home first: the same matching as a referral's, with their own AP
    /// left out.
    public func match(_ id: UUID, by principal: Principal) async throws -> MatchResult {
        try principal.require(Self.deciders, to: "match transfers")
        return try await pool.withConnection { connection in
            let transfer = try await Self.load(id, visibleTo: principal, on: connection)
            guard transfer.status == .requested else {
                throw DomainError(
                    .conflict, "only a transfer waiting for a decision can be matched; this one is \(transfer.status.rawValue)")
            }
            let placement = try await PlacementStore.load(transfer.placementID, on: connection, lock: false)
            let stay = try Self.stay(from: transfer.transferDate, placement: placement)
            return try await Self.match(placement, stay: stay, only: nil, on: connection)
        }
    }

    /// Books a requested transfer into `premisesID` (and `bedID`, else the best free bed): the
    /// first stay is now expected to end on the transfer date, and the second, at the receiving
    /// AP, to begin that day and end when the first was to. Refused, naming the rule, when the
    /// premises does not suit the resident or has no bed for the rest of their stay.
    public func book(
        _ id: UUID, premisesID: UUID, bedID: UUID?, expectedVersion: Int?, by principal: Principal, now: Date = Date()
    ) async throws -> Transfer {
        try principal.require(Self.deciders, to: "book transfers")
        return try await Self.translating(bedID: bedID) {
            try await pool.transaction { connection in
                let before = try await Self.load(id, visibleTo: principal, on: connection, lock: true, expectedVersion: expectedVersion)
                guard before.status == .requested else {
                    throw DomainError(
                        .conflict, "only a transfer waiting for a decision can be booked; this one is \(before.status.rawValue)")
                }
                let placement = try await PlacementStore.load(before.placementID, on: connection, lock: true)
                // Read, not locked: only the receiving premises is locked (by the booking), so two
                // transfers crossing between the same two APs never wait on each other.
                let from = try await PremisesAccess.require(
                    principal, Self.deciders, to: "book transfers", premisesID: placement.premisesID, on: connection)
                try Self.requireResident(placement, at: from.name)
                try Self.checkDate(
                    before.transferDate, field: "transferDate", today: CalendarDate.today(in: from.timeZone, now: now), stay: placement,
                    remedy: "refuse this request and ask the AP for a new date")
                let stay = try Self.stay(from: before.transferDate, placement: placement)
                let candidate = try await Self.candidate(placement, stay: stay, premisesID: premisesID, on: connection)
                try await connection.execute(
                    """
                    UPDATE placement SET expected_departure = \(stay.first), version = version + 1, updated_at = now()
                    WHERE id = \(placement.id)
                    """)
                try await PlacementStore.fitAllocations(placement.id, on: connection)
                let next = try await PlacementStore.book(
                    NewPlacement(
                        premisesID: premisesID, crn: placement.crn, personName: placement.personName, expectedArrival: stay.first,
                        expectedDeparture: stay.end, needs: placement.needs, bedID: bedID ?? candidate.bedID),
                    referralID: try await Self.referralID(of: placement.id, on: connection), by: principal, on: connection)
                try await connection.execute("UPDATE placement SET transferred_from = \(placement.id) WHERE id = \(next.id)")
                try await connection.execute(
                    """
                    UPDATE transfer SET status = 'booked', to_premises_id = \(premisesID), to_placement_id = \(next.id),
                        was_expected_departure = \(stay.end), decided_by = \(principal.staffID), decided_at = now(), version = version + 1
                    WHERE id = \(id)
                    """)
                let after = try await Self.load(id, on: connection, lock: false)
                try await Self.event(
                    after, "transfer_booked", note: "To \(after.toPremisesName ?? ""), from \(stay.first)", placement: next.id,
                    by: principal,
                    on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "transfer.book", entity: "transfer", entityID: id.uuidString,
                    before: before, after: after)
                return after
            }
        }
    }

    /// Refuses a requested transfer, saying why; the resident stays where they are.
    public func refuse(_ id: UUID, reason: String, expectedVersion: Int?, by principal: Principal) async throws -> Transfer {
        try principal.require(Self.deciders, to: "refuse transfers")
        let reason = try Self.notes(reason, required: true, field: "reason")
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let before = try await Self.load(id, visibleTo: principal, on: connection, lock: true, expectedVersion: expectedVersion)
                guard before.status == .requested else {
                    throw DomainError(
                        .conflict, "only a transfer waiting for a decision can be refused; this one is \(before.status.rawValue)")
                }
                try await connection.execute(
                    """
                    UPDATE transfer SET status = 'refused', refusal_reason = \(reason), decided_by = \(principal.staffID), decided_at = now(),
                        version = version + 1
                    WHERE id = \(id)
                    """)
                let after = try await Self.load(id, on: connection, lock: false)
                try await Self.event(after, "transfer_refused", note: reason, by: principal, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "transfer.refuse", entity: "transfer", entityID: id.uuidString,
                    before: before, after: after)
                return after
            }
        }
    }
}

extension TransferStore {
    /// Which transfers a caller may see, as a condition on `t`.
    static func visible(to principal: Principal) -> SQL {
        switch principal.role {
        case .administrator, .referralManager: "true"
        case .apManager:
            "(t.from_premises_id = \(principal.premisesID) OR t.to_premises_id = \(principal.premisesID))"
        case .regionalManager:
            """
            EXISTS (SELECT 1 FROM premises x WHERE x.id IN (t.from_premises_id, t.to_premises_id) AND x.region_code = \(principal.regionCode))
            """
        default: "false"
        }
    }

    static func load(
        _ id: UUID, visibleTo principal: Principal, on connection: PostgresConnection, lock: Bool = false, expectedVersion: Int? = nil
    ) async throws -> Transfer {
        let lockClause: SQL = lock ? "FOR UPDATE OF t" : ""
        guard
            let row = try await connection.first(
                "SELECT \(Transfer.columns) FROM \(Transfer.tables) WHERE t.id = \(id) AND \(visible(to: principal)) \(lockClause)")
        else {
            throw DomainError(.notFound, "there is no transfer \(id.uuidString.lowercased()), or it is not one you may see")
        }
        let transfer = try Transfer(row: row)
        if let expectedVersion, expectedVersion != transfer.version {
            throw DomainError(
                .preconditionFailed,
                "this transfer was changed by someone else since you read it (version \(transfer.version), you had \(expectedVersion)); read it again"
            )
        }
        return transfer
    }

    static func load(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> Transfer {
        guard let row = try await connection.first("SELECT \(Transfer.columns) FROM \(Transfer.tables) WHERE t.id = \(id)") else {
            throw DomainError(.notFound, "there is no transfer \(id.uuidString.lowercased())")
        }
        return try Transfer(row: row)
    }

    /// Free text of at most 2,000 characters; nil when blank, unless `required`.
    static func notes(_ text: String?, required: Bool, field: String = "notes") throws -> String? {
        let text = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, (text ?? "").isEmpty {
            throw DomainError.invalid(field: field, rule: "needed", "\(field) must say why")
        }
        if let text, text.count > 2_000 {
            throw DomainError.invalid(field: field, rule: "length", "\(field) must be at most 2,000 characters")
        }
        return (text ?? "").isEmpty ? nil : text
    }

    static func requireResident(_ placement: Placement, at premises: String) throws {
        guard placement.status == .arrived else {
            throw DomainError(
                .conflict,
                "\(placement.personName) is not resident at \(premises) (the placement is \(placement.status.rawValue.replacingOccurrences(of: "_", with: " "))): only a resident can be transferred"
            )
        }
    }

    /// A transfer date is a night of the rest of the stay: not before today, after the stay's
    /// first night (it keeps at least one), before the expected departure.
    static func checkDate(_ date: CalendarDate, field: String, today: CalendarDate, stay placement: Placement, remedy: String? = nil) throws
    {
        if date < today {
            throw DomainError.invalid(
                field: field, rule: "past",
                "\(field) (\(date)) is in the past\(remedy.map { ": " + $0 } ?? ": a transfer is from today on")")
        }
        // The stay here keeps at least its first night.
        let first = max(placement.arrivalDate ?? placement.expectedArrival, placement.expectedArrival)
        if date <= first {
            throw DomainError.invalid(
                field: field, rule: "order", "\(field) (\(date)) must be after \(placement.personName)'s first night here (\(first))")
        }
        if date >= placement.expectedDeparture {
            throw DomainError.invalid(
                field: field, rule: "order",
                "\(field) (\(date)) is not before the expected departure (\(placement.expectedDeparture)): there is no stay left to move")
        }
    }

    static func stay(from date: CalendarDate, placement: Placement) throws -> Nights {
        guard date < placement.expectedDeparture else {
            throw DomainError.invalid(
                field: "transferDate", rule: "order",
                "the transfer date is not before the expected departure (\(placement.expectedDeparture))")
        }
        return Nights(first: date, end: placement.expectedDeparture)
    }

    static func checkReason(_ code: String, on connection: PostgresConnection) async throws {
        guard try await connection.first("SELECT 1 AS known FROM transfer_reason WHERE code = \(code) AND active") != nil else {
            throw DomainError.invalid(field: "reason", rule: "unknown", "reason must be a code of /reference/transfer-reasons")
        }
    }

    static func referralID(of placementID: UUID, on connection: PostgresConnection) async throws -> UUID? {
        try await connection.one("SELECT referral_id FROM placement WHERE id = \(placementID)").decode("referral_id")
    }

    /// A line on the referral's timeline, when the stay came from a referral.
    static func event(
        _ transfer: Transfer, _ kind: String, note: String?, placement: UUID? = nil, by principal: Principal,
        on connection: PostgresConnection
    ) async throws {
        guard let referral = transfer.referralID else { return }
        try await ReferralStore.event(
            referral, kind, note: note, placement: placement ?? transfer.placementID, by: principal, on: connection)
    }

    /// Runs `body`, naming who has the bed when the database refuses a second booking of it.
    static func translating<T>(bedID: UUID?, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where error.constraint == "bed_never_double_booked" {
            throw DomainError(.conflict, "that bed was just given to someone else for some of those nights; match again and choose another")
        } catch {
            throw ConstraintViolations.translate(error)
        }
    }
}
