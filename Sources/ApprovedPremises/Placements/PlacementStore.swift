import Foundation
import Postgres

/// Placements: booking (with the capacity check), bed allocation, departure, cancellation and
/// changes of dates (arrivals and non-arrivals are in PlacementArrivals.swift). Every step is
/// one transaction with its audit row; the database refuses what must never happen (a bed twice
/// on one night, a person in two APs at once, a departure before an arrival), and this code
/// names the reason.
public struct PlacementStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who books, cancels and re-dates placements.
    public static let bookers: Set<Role> = [.administrator, .apManager, .referralManager]
    /// Who gives placements beds (one at a time or by plan).
    public static let allocators: Set<Role> = [.administrator, .apManager]
    /// Who records arrivals, non-arrivals and departures: the premises' staff.
    public static let recorders: Set<Role> = [.administrator, .apManager, .residentialWorker, .keyWorker]

    /// Books a placement. Refused, naming the full nights, when on any night it would leave
    /// more placements than usable beds (or than beds with a needed characteristic), unless a
    /// referral manager gives an overbooking reason.
    public func book(_ new: NewPlacement, by principal: Principal) async throws -> Placement {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await Self.book(new, referralID: nil, by: principal, on: connection)
            }
        }
    }

    /// Books a placement inside the caller's transaction (a booking from a referral, say). An
    /// emergency transfer books into a premises the AP manager does not work at, with its
    /// manager's agreement: `checkAccess` false, the caller has checked who may.
    static func book(
        _ new: NewPlacement, referralID: UUID?, by principal: Principal, on connection: PostgresConnection, checkAccess: Bool = true
    ) async throws -> Placement {
        var validation = Validation()
        let crn = new.crn.trimmingCharacters(in: .whitespaces).uppercased()
        validation.require(
            crn.wholeMatch(of: /[A-Z][0-9]{6}/) != nil, field: "crn", rule: "format",
            "crn must be a letter and six digits, such as X123456")
        validation.require(!new.personName.isBlank, field: "personName", rule: "required", "personName is required")
        if let departure = new.expectedDeparture {
            validation.require(
                departure > new.expectedArrival, field: "expectedDeparture", rule: "order",
                "expectedDeparture must be after expectedArrival")
        }
        if let reason = new.overbookingReason {
            validation.require(
                !reason.isBlank, field: "overbookingReason", rule: "required",
                "overbookingReason must say why, or be left out")
            validation.require(
                principal.role == .referralManager, field: "overbookingReason", rule: "role",
                "only a referral manager may knowingly overbook")
        }
        try validation.check()
        let needs = Array(Set(new.needs)).sorted()

        let premises =
            checkAccess
            ? try await PremisesAccess.require(
                principal, Self.bookers, to: "book placements", premisesID: new.premisesID,
                on: connection, lock: true)
            : try await PremisesAccess.lock(new.premisesID, on: connection)
        try await Self.checkNeeds(needs, on: connection)
        var departure = new.expectedDeparture
        if departure == nil {
            let weeks: Int = try await connection.one(
                """
                SELECT t.default_stay_weeks FROM premises p JOIN ap_type t ON t.code = p.ap_type_code WHERE p.id = \(new.premisesID)
                """
            ).decode("default_stay_weeks")
            departure = new.expectedArrival.adding(days: weeks * 7)
        }
        let nights = Nights(first: new.expectedArrival, end: departure!)
        let counts = try await Capacity.nights(premisesID: new.premisesID, nights: nights, needs: needs, excluding: nil, on: connection)
        let shortfalls = Capacity.shortfalls(adding: needs, to: counts)
        if !shortfalls.isEmpty && new.overbookingReason == nil {
            throw DomainError(
                .conflict,
                Capacity.describe(shortfalls, premises: premises.name)
                    + (principal.role == .referralManager ? "; to book anyway, give an overbookingReason" : ""))
        }
        let row = try await connection.first(
            """
            INSERT INTO placement AS p (premises_id, crn, person_name, expected_arrival, expected_departure, needs, overbooking_reason, referral_id, created_by)
            VALUES (\(new.premisesID), \(crn), \(new.personName), \(new.expectedArrival), \(departure!), \(needs)::text[],
                    \(shortfalls.isEmpty ? nil : new.overbookingReason), \(referralID), \(principal.staffID))
            RETURNING \(Placement.columns)
            """)
        let placement = try Placement(row: row!)
        try await AuditLog.record(
            on: connection, by: principal, action: "placement.book", entity: "placement",
            entityID: placement.id.uuidString, before: Placement?.none, after: placement)
        if let bedID = new.bedID {
            try await Self.allocate(placement, bedID: bedID, from: nil, by: principal, on: connection)
        }
        return placement
    }

    /// One placement, for those who may see its premises.
    public func get(_ id: UUID, by principal: Principal) async throws -> Placement {
        try await pool.withConnection { connection in
            let placement = try await Self.load(id, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see placements", premisesID: placement.premisesID, on: connection)
            return placement
        }
    }

    /// The placements of a premises whose stay touches `nights`, by expected arrival.
    public func list(premisesID: UUID, nights: Nights, by principal: Principal) async throws -> [Placement] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see placements", premisesID: premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Placement.columns) FROM placement p
                WHERE p.premises_id = \(premisesID)
                  AND daterange(p.expected_arrival, greatest(p.expected_departure, coalesce(p.departure_date, p.expected_departure)), '[)')
                      && daterange(\(nights.first)::date, \(nights.end)::date, '[)')
                ORDER BY p.expected_arrival, p.person_name
                """
            ).map(Placement.init(row:))
        }
    }

    /// Gives a placement a bed from `from` (its first night when nil) to the end of its stay.
    /// Nights it already had another bed for, from then on, move to this one (history kept).
    public func allocate(_ placementID: UUID, bedID: UUID, from: CalendarDate?, by principal: Principal) async throws {
        do {
            try await pool.transaction { connection in
                let placement = try await Self.load(placementID, on: connection, lock: true)
                try await PremisesAccess.require(
                    principal, Self.allocators, to: "allocate beds", premisesID: placement.premisesID, on: connection)
                try await Self.allocate(placement, bedID: bedID, from: from, by: principal, on: connection)
            }
        } catch let error as PostgresError where error.constraint == "bed_never_double_booked" {
            throw try await holderConflict(bedID: bedID, placementID: placementID)
        } catch {
            throw ConstraintViolations.translate(error)
        }
    }

    static func allocate(
        _ placement: Placement, bedID: UUID, from: CalendarDate?, by principal: Principal, on connection: PostgresConnection
    ) async throws {
        guard placement.status == .upcoming || placement.status == .arrived, let stay = placement.nights else {
            throw DomainError(
                .conflict, "a \(placement.status.rawValue.replacingOccurrences(of: "_", with: "-")) placement cannot be given a bed")
        }
        let first = max(from ?? stay.first, stay.first)
        guard first < stay.end else {
            throw DomainError.invalid(
                field: "from", rule: "span", "from must be a night of the stay (\(stay.first) to \(stay.end.adding(days: -1)))")
        }
        let nights = Nights(first: first, end: stay.end)
        // Earlier allocations give up the nights this one takes.
        try await connection.execute(
            """
            UPDATE bed_allocation SET released_at = now(), updated_at = now()
            WHERE placement_id = \(placement.id) AND released_at IS NULL AND lower(nights) >= \(first)::date
            """)
        try await connection.execute(
            """
            UPDATE bed_allocation SET nights = daterange(lower(nights), \(first)::date, '[)'), updated_at = now()
            WHERE placement_id = \(placement.id) AND released_at IS NULL AND nights @> \(first)::date
            """)
        let id: UUID = try await connection.one(
            """
            INSERT INTO bed_allocation (placement_id, bed_id, nights, created_by)
            VALUES (\(placement.id), \(bedID), daterange(\(nights.first)::date, \(nights.end)::date, '[)'), \(principal.staffID))
            RETURNING id
            """
        ).decode("id")
        try await AuditLog.record(
            on: connection, by: principal, action: "placement.allocate_bed", entity: "placement",
            entityID: placement.id.uuidString, before: String?.none,
            after: ["allocationId": id.uuidString, "bedId": bedID.uuidString, "from": "\(nights.first)", "to": "\(nights.end)"])
    }

    /// A conflict naming who has the bed, read after the refused transaction has ended.
    private func holderConflict(bedID: UUID, placementID: UUID) async throws -> DomainError {
        let row = try await pool.query(
            """
            SELECT p.person_name, p.crn, lower(a.nights) AS first, upper(a.nights) AS end, b.label
            FROM bed_allocation a JOIN placement p ON p.id = a.placement_id JOIN bed b ON b.id = a.bed_id
            WHERE a.bed_id = \(bedID) AND a.released_at IS NULL
              AND a.nights && (SELECT nights FROM placement WHERE id = \(placementID))
            ORDER BY lower(a.nights) LIMIT 1
            """
        ).first
        guard let row else { return DomainError(.conflict, "that bed was just given to someone else; choose another") }
        let first: CalendarDate = try row.decode("first")
        let end: CalendarDate = try row.decode("end")
        return DomainError(
            .conflict,
            "bed \(try row.decode("label", as: String.self)) is already allocated to "
                + "\(try row.decode("person_name", as: String.self)) (\(try row.decode("crn", as: String.self))) for \(first) to \(end.adding(days: -1)); choose another bed"
        )
    }

    /// What a departure records.
    public struct Departure: Sendable {
        public var departedAt: Date
        public var reason: String
        public var moveOnCategory: String?
        public var notes: String?
        public var transferredTo: String?

        /// A value with each field given.
        public init(departedAt: Date, reason: String, moveOnCategory: String? = nil, notes: String? = nil, transferredTo: String? = nil) {
            self.departedAt = departedAt
            self.reason = reason
            self.moveOnCategory = moveOnCategory
            self.notes = notes
            self.transferredTo = transferredTo
        }
    }

    /// Records a departure; the bed is free from the departure date. A departure is not in the
    /// future: a typo must not block the person at every other AP.
    public func depart(
        _ placementID: UUID, _ departure: Departure, expectedVersion: Int?, by principal: Principal,
        now: Date = Date()
    ) async throws -> Placement {
        guard departure.departedAt <= now.addingTimeInterval(120) else {
            throw DomainError.invalid(
                field: "departedAt", rule: "future", "departedAt must not be in the future: record a departure when it happens")
        }
        return try await change(
            placementID, expectedVersion: expectedVersion, action: "placement.depart", roles: Self.recorders, verb: "record departures",
            by: principal
        ) { placement, premises, connection in
            guard placement.status == .arrived, let arrivedAt = placement.arrivedAt else {
                throw DomainError(.conflict, Self.sequenceMessage(placement.status, wanted: "depart"))
            }
            guard departure.departedAt >= arrivedAt else {
                throw DomainError.invalid(
                    field: "departedAt", rule: "order", "departedAt is before the arrival (\(arrivedAt.formatted(.iso8601)))")
            }
            var validation = Validation()
            validation.require(
                !TransferStore.transferReasons.contains(departure.reason), field: "reason", rule: "transfer",
                "a transfer's departure is recorded by the receiving AP's arrival (or by an emergency transfer), not as a departure")
            if departure.reason == "O" {
                validation.require(
                    departure.moveOnCategory != nil, field: "moveOnCategory", rule: "required",
                    "a planned move-on needs a moveOnCategory (move_on_categories.csv)")
            }
            if departure.moveOnCategory == "P" {
                validation.require(
                    !(departure.transferredTo ?? "").isEmpty, field: "transferredTo", rule: "required",
                    "a transfer to another AP needs the AP's name in transferredTo")
            }
            try validation.check()
            let departureDate = CalendarDate.today(in: premises.timeZone, now: departure.departedAt)
            let row = try await connection.one(
                """
                UPDATE placement AS p SET departed_at = \(departure.departedAt), departure_date = \(departureDate),
                    departure_reason_code = \(departure.reason), move_on_category_code = \(departure.moveOnCategory),
                    departure_notes = \(departure.notes), transferred_to = \(departure.transferredTo),
                    version = p.version + 1, updated_at = now()
                WHERE p.id = \(placementID) RETURNING \(Placement.columns)
                """)
            try await Self.fitAllocations(placementID, on: connection)
            try await TransferStore.cancelContinuation(of: placementID, departed: departureDate, by: principal, on: connection)
            return try Placement(row: row)
        }
    }

    /// Cancels a placement before arrival; its beds are freed.
    public func cancel(_ placementID: UUID, reason: String, notes: String?, expectedVersion: Int?, by principal: Principal) async throws
        -> Placement
    {
        try await change(
            placementID, expectedVersion: expectedVersion, action: "placement.cancel", roles: Self.bookers, verb: "cancel placements",
            by: principal
        ) { placement, _, connection in
            guard placement.status == .upcoming else {
                throw DomainError(.conflict, Self.sequenceMessage(placement.status, wanted: "be cancelled"))
            }
            let row = try await connection.one(
                """
                UPDATE placement AS p SET cancelled_at = now(), cancellation_reason_code = \(reason), cancellation_notes = \(notes),
                    version = p.version + 1, updated_at = now()
                WHERE p.id = \(placementID) RETURNING \(Placement.columns)
                """)
            try await Self.fitAllocations(placementID, on: connection)
            if placement.transferredFrom != nil { try await TransferStore.lapse(continuation: placementID, on: connection) }
            return try Placement(row: row)
        }
    }

    /// Runs one change of a placement: loads and locks it, checks access and version, audits.
    func change(
        _ placementID: UUID, expectedVersion: Int?, action: String, roles: Set<Role>, verb: String, by principal: Principal,
        lockPremises: Bool = false,
        _ body: @escaping (Placement, (timeZone: TimeZone, regionCode: String, name: String), PostgresConnection) async throws -> Placement
    ) async throws -> Placement {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let peek = try await Self.load(placementID, on: connection, lock: false)
                let premises = try await PremisesAccess.require(
                    principal, roles, to: verb, premisesID: peek.premisesID, on: connection, lock: lockPremises)
                let before = try await Self.load(placementID, on: connection, lock: true)
                if let expectedVersion, expectedVersion != before.version {
                    throw DomainError(
                        .preconditionFailed,
                        "this placement was changed by someone else since you read it (version \(before.version), you had \(expectedVersion)); read it again"
                    )
                }
                let after = try await body(before, premises, connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: action, entity: "placement",
                    entityID: placementID.uuidString, before: before, after: after)
                return after
            }
        }
    }

    static func load(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> Placement {
        let lockClause: SQL = lock ? "FOR UPDATE" : ""
        guard
            let row = try await connection.first(
                "SELECT \(Placement.columns) FROM placement p WHERE p.id = \(id) \(lockClause)", reusingPlan: true)
        else {
            throw DomainError(.notFound, "there is no placement \(id.uuidString.lowercased())")
        }
        return try Placement(row: row)
    }

    /// Makes the placement's allocations fit its nights again: trimmed to them, released when
    /// nothing is left (history stays).
    static func fitAllocations(_ placementID: UUID, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE bed_allocation a SET released_at = now(), updated_at = now()
            FROM placement p
            WHERE a.placement_id = p.id AND p.id = \(placementID) AND a.released_at IS NULL
              AND isempty(a.nights * p.nights)
            """)
        try await connection.execute(
            """
            UPDATE bed_allocation a SET nights = a.nights * p.nights, updated_at = now()
            FROM placement p
            WHERE a.placement_id = p.id AND p.id = \(placementID) AND a.released_at IS NULL
              AND NOT (p.nights @> a.nights)
            """)
    }

    static func checkNeeds(_ needs: [String], on connection: PostgresConnection) async throws {
        guard !needs.isEmpty else { return }
        let known = Set(
            try await connection.query("SELECT code FROM room_characteristic WHERE matched_on_bookings").map {
                try $0.decode("code", as: String.self)
            })
        let unknown = needs.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw DomainError.invalid(
                field: "needs", rule: "unknown",
                "needs may hold only \(known.sorted().joined(separator: ", ")); not \(DomainError.quoting(unknown.joined(separator: ", ")))"
            )
        }
    }

    static func sequenceMessage(_ status: Placement.Status, wanted: String) -> String {
        switch status {
        case .upcoming: "the person has not arrived yet, so the placement cannot \(wanted)"
        case .arrived: "the person has already arrived, so the placement cannot \(wanted)"
        case .departed: "the person has already departed, so the placement cannot \(wanted)"
        case .nonArrived: "the person was recorded as not arriving, so the placement cannot \(wanted)"
        case .cancelled: "the placement was cancelled, so it cannot \(wanted)"
        }
    }
}
