import Foundation
import Postgres

/// The moves themselves: matching a resident for the rest of their stay, the emergency transfer
/// made tonight, and the receiving AP's arrival that carries a planned one out.
extension TransferStore {
    /// What an AP manager records of an emergency transfer.
    public struct Emergency: Sendable {
        public var placementID: UUID
        public var toPremisesID: UUID
        /// The username of the receiving AP's manager who agreed.
        public var agreedBy: String
        public var reason: String
        public var notes: String?
        /// The end of the stay at the receiving AP; nil for the first stay's expected departure.
        public var expectedDeparture: CalendarDate?

        /// A value with each field given.
        public init(
            placementID: UUID, toPremisesID: UUID, agreedBy: String, reason: String, notes: String? = nil,
            expectedDeparture: CalendarDate? = nil
        ) {
            (self.placementID, self.toPremisesID, self.agreedBy, self.reason) = (placementID, toPremisesID, agreedBy, reason)
            (self.notes, self.expectedDeparture) = (notes, expectedDeparture)
        }
    }

    /// The premises that could take the resident from tonight until `until` (the stay's
    /// expected departure when nil), nearest their home first: what an AP manager looks at
    /// before ringing a receiving AP for an emergency transfer.
    public func emergencyMatch(_ placementID: UUID, until: CalendarDate?, by principal: Principal, now: Date = Date()) async throws
        -> MatchResult
    {
        try principal.require(Self.requesters, to: "make emergency transfers")
        return try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            let from = try await PremisesAccess.require(
                principal, Self.requesters, to: "make emergency transfers", premisesID: placement.premisesID, on: connection)
            try Self.requireResident(placement, at: from.name)
            let today = CalendarDate.today(in: from.timeZone, now: now)
            let end = until ?? placement.expectedDeparture
            guard end > today else {
                throw DomainError.invalid(field: "until", rule: "order", "until (\(end)) must be after today (\(today))")
            }
            return try await Self.match(placement, stay: Nights(first: today, end: end), only: nil, on: connection)
        }
    }

    /// Moves a resident tonight to a premises with a bed free, its manager agreeing: the first
    /// stay ends today ("emergency transfer") and the second begins today, arrived, in one
    /// transaction. The referral unit is told, and may change the dates afterwards.
    public func emergency(_ move: Emergency, by principal: Principal, now: Date = Date()) async throws -> Transfer {
        try principal.require(Self.requesters, to: "make emergency transfers")
        let notes = try Self.notes(move.notes, required: move.reason == "OTHER")
        return try await Self.translating(bedID: nil) {
            try await pool.transaction { connection in
                let peek = try await PlacementStore.load(move.placementID, on: connection, lock: false)
                let from = try await PremisesAccess.require(
                    principal, Self.requesters, to: "make emergency transfers", premisesID: peek.premisesID, on: connection)
                let placement = try await PlacementStore.load(move.placementID, on: connection, lock: true)
                try Self.requireResident(placement, at: from.name)
                guard move.toPremisesID != placement.premisesID else {
                    throw DomainError.invalid(
                        field: "toPremisesId", rule: "order", "toPremisesId is the AP \(placement.personName) is at now")
                }
                try await Self.checkReason(move.reason, on: connection)
                let agreedBy = try await Self.agreeingManager(move.agreedBy, at: move.toPremisesID, on: connection)
                let today = CalendarDate.today(in: from.timeZone, now: now)
                let end = move.expectedDeparture ?? placement.expectedDeparture
                guard end > today else {
                    throw DomainError.invalid(
                        field: "expectedDeparture", rule: "order", "expectedDeparture (\(end)) must be after today (\(today))")
                }
                if let arrival = placement.arrivalDate, arrival > today {
                    throw DomainError(.conflict, "\(placement.personName) arrived after today at \(from.name)")
                }
                let stay = Nights(first: today, end: end)
                let candidate = try await Self.candidate(placement, stay: stay, premisesID: move.toPremisesID, on: connection)
                let to = try await PremisesAccess.lock(move.toPremisesID, on: connection)
                // A planned transfer asked for or booked gives way to this one.
                try await Self.cancelContinuation(of: placement.id, departed: today, by: principal, on: connection)
                try await connection.execute(
                    """
                    UPDATE placement SET departed_at = \(now), departure_date = \(today), departure_reason_code = 'ET',
                        move_on_category_code = 'P', transferred_to = \(to.name), version = version + 1, updated_at = now()
                    WHERE id = \(placement.id)
                    """)
                try await PlacementStore.fitAllocations(placement.id, on: connection)
                let referralID = try await Self.referralID(of: placement.id, on: connection)
                let next = try await PlacementStore.book(
                    NewPlacement(
                        premisesID: move.toPremisesID, crn: placement.crn, personName: placement.personName, expectedArrival: today,
                        expectedDeparture: end, needs: placement.needs, bedID: candidate.bedID),
                    referralID: referralID, by: principal, on: connection, checkAccess: false)
                try await connection.execute(
                    """
                    UPDATE placement SET arrived_at = \(now), arrival_date = \(today), transferred_from = \(placement.id),
                        version = version + 1, updated_at = now()
                    WHERE id = \(next.id)
                    """)
                try await connection.execute(
                    "SELECT carry_resident_over(\(placement.id), \(next.id), \(today)::date, \(principal.staffID))")
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO transfer (kind, placement_id, from_premises_id, reason_code, transfer_date, notes, status, requested_by,
                                          to_premises_id, to_placement_id, agreed_by, was_expected_departure)
                    VALUES ('emergency', \(placement.id), \(placement.premisesID), \(move.reason), \(today), \(notes), 'completed',
                            \(principal.staffID), \(move.toPremisesID), \(next.id), \(agreedBy), \(placement.expectedDeparture))
                    RETURNING id
                    """
                ).decode("id")
                let transfer = try await Self.load(id, on: connection, lock: false)
                try await Self.event(
                    transfer, "transferred", note: "Emergency transfer to \(to.name): \(transfer.reasonName)", placement: next.id,
                    by: principal, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "transfer.emergency", entity: "transfer", entityID: id.uuidString,
                    before: Transfer?.none, after: transfer)
                return transfer
            }
        }
    }

    /// The receiving AP's arrival of a planned transfer, inside its transaction and before the
    /// arrival is written (a person is never resident in two APs on one night): the first stay
    /// ends that day ("planned transfer"). The arrival is on the transfer date.
    static func leaveFirstStay(
        _ next: Placement, arrivedAt: Date, arrivalDate: CalendarDate, premisesName: String, by principal: Principal,
        on connection: PostgresConnection
    ) async throws {
        guard let fromID = next.transferredFrom else { return }
        guard arrivalDate == next.expectedArrival else {
            throw DomainError.invalid(
                field: "arrivedAt", rule: "transfer",
                "\(next.personName) is transferred here on \(next.expectedArrival): record the arrival on that day, or ask the referral unit to change the transfer"
            )
        }
        let first = try await PlacementStore.load(fromID, on: connection, lock: true)
        guard first.status == .arrived, let firstArrived = first.arrivedAt, firstArrived <= arrivedAt else {
            throw DomainError(
                .conflict,
                "\(next.personName) is no longer resident at the AP they are transferred from (the placement there is \(first.status.rawValue)); ask the referral unit"
            )
        }
        try await connection.execute(
            """
            UPDATE placement SET departed_at = \(arrivedAt), departure_date = \(arrivalDate), departure_reason_code = 'PT',
                move_on_category_code = 'P', transferred_to = \(premisesName), version = version + 1, updated_at = now()
            WHERE id = \(fromID)
            """)
        try await PlacementStore.fitAllocations(fromID, on: connection)
        let after = try await PlacementStore.load(fromID, on: connection, lock: false)
        try await AuditLog.record(
            on: connection, by: principal, action: "placement.depart", entity: "placement", entityID: fromID.uuidString,
            before: first, after: after)
    }

    /// After the receiving AP's arrival of a planned transfer: what moves with the resident
    /// moves, and the transfer is done.
    static func carryOver(
        _ next: Placement, arrivalDate: CalendarDate, premisesName: String, by principal: Principal, on connection: PostgresConnection
    )
        async throws
    {
        guard let fromID = next.transferredFrom else { return }
        try await connection.execute("SELECT carry_resident_over(\(fromID), \(next.id), \(arrivalDate)::date, \(principal.staffID))")
        if let row = try await connection.first(
            """
            UPDATE transfer SET status = 'completed', version = version + 1 WHERE to_placement_id = \(next.id) AND status = 'booked'
            RETURNING id
            """)
        {
            let transfer = try await Self.load(try row.decode("id"), on: connection, lock: false)
            try await Self.event(
                transfer, "transferred", note: "Arrived at \(premisesName)", placement: next.id, by: principal, on: connection)
        }
    }

    /// The departure reasons only a transfer records.
    static let transferReasons: Set<String> = ["PT", "ET"]

    /// A resident who leaves before a booked transfer does not arrive at the receiving AP: that
    /// stay is cancelled (its bed freed) and the transfer with it; a transfer still waiting for
    /// the referral unit is cancelled too.
    static func cancelContinuation(of placementID: UUID, departed: CalendarDate, by principal: Principal, on connection: PostgresConnection)
        async throws
    {
        try await connection.execute(
            "UPDATE transfer SET status = 'cancelled', version = version + 1 WHERE placement_id = \(placementID) AND status = 'requested'")
        let rows = try await connection.query(
            """
            UPDATE placement AS p SET cancelled_at = now(), cancellation_reason_code = 'OTHER',
                cancellation_notes = 'Left the AP they were to be transferred from on ' || \(departed.description),
                version = p.version + 1, updated_at = now()
            WHERE p.transferred_from = \(placementID) AND p.cancelled_at IS NULL AND p.non_arrived_at IS NULL AND p.arrived_at IS NULL
            RETURNING p.id
            """)
        for row in rows {
            let id: UUID = try row.decode("id")
            try await PlacementStore.fitAllocations(id, on: connection)
            try await Self.lapse(continuation: id, on: connection)
            try await AuditLog.record(
                on: connection, by: principal, action: "placement.cancel", entity: "placement", entityID: id.uuidString,
                before: String?.none, after: ["reason": "OTHER", "why": "left the first AP before the transfer"])
        }
    }

    /// A booked transfer whose stay at the receiving AP will not begin (cancelled, or the
    /// resident left the first AP before the day) is cancelled with it.
    static func lapse(continuation placementID: UUID, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "UPDATE transfer SET status = 'cancelled', version = version + 1 WHERE to_placement_id = \(placementID) AND status = 'booked'")
    }

    /// The manager of `premisesID` named by `username`, who agreed to take the resident.
    static func agreeingManager(_ username: String, at premisesID: UUID, on connection: PostgresConnection) async throws -> UUID {
        guard
            let row = try await connection.first(
                """
                SELECT id FROM staff WHERE username = \(username.trimmingCharacters(in: .whitespaces).lowercased())
                  AND role = 'ap_manager' AND premises_id = \(premisesID) AND active
                """)
        else {
            throw DomainError.invalid(
                field: "agreedBy", rule: "unknown", "agreedBy must be the username of an AP manager of the receiving premises")
        }
        return try row.decode("id")
    }

    /// The receiving premises as matching sees it: a candidate with a bed, or refused naming
    /// each rule it breaks (422; 409 when all it lacks is a free bed, which may change).
    static func candidate(_ placement: Placement, stay: Nights, premisesID: UUID, on connection: PostgresConnection) async throws
        -> MatchResult.Candidate
    {
        let result = try await match(placement, stay: stay, only: premisesID, on: connection)
        if let candidate = result.candidates.first { return candidate }
        guard let left = result.excluded.first else {
            throw DomainError.invalid(field: "premisesId", rule: "unknown", "premisesId is not a known premises")
        }
        let message =
            "\(left.name) cannot take \(placement.personName) from \(stay.first) to \(stay.end): it \(left.reasons.joined(separator: "; it "))"
        if left.reasons.allSatisfy({ $0.contains("free") || $0.contains("full") }) {
            throw DomainError(.conflict, message)
        }
        throw DomainError.invalid(field: "premisesId", rule: "match", message)
    }

    /// Matches the resident of `placement` for `stay`: their referral's answers (their stay's
    /// needs and AP when they came without one), their exclusion zones, their own AP left out.
    static func match(_ placement: Placement, stay: Nights, only: UUID?, on connection: PostgresConnection) async throws -> MatchResult {
        var ask: MatchAsk
        var homeDistrict: String?
        if let referralID = try await referralID(of: placement.id, on: connection) {
            let referral = try await ReferralStore.load(referralID, on: connection, lock: false)
            let zones = try await MatchRules.knownDistricts(MatchAsk.districts(in: referral.details.exclusionZones), on: connection)
            ask = MatchAsk(referral: referral, excludedDistricts: zones)
            ask.roomNeeds.formUnion(placement.needs)
            homeDistrict = referral.details.homeDistrict
        } else {
            let row = try await connection.one(
                "SELECT gender, ap_type_code, upper(split_part(btrim(postcode), ' ', 1)) AS district FROM premises WHERE id = \(placement.premisesID)"
            )
            ask = MatchAsk(
                gender: try row.decode("gender") == "women" ? "women" : "men", apType: try row.decode("ap_type_code"),
                roomNeeds: Set(placement.needs))
            homeDistrict = try row.decode("district")
        }
        ask.leftOut[placement.premisesID] = "is where they live now"
        guard
            let homeDistrict,
            let home = try await connection.first("SELECT latitude, longitude FROM postcode_district WHERE outcode = \(homeDistrict)")
        else {
            throw DomainError(.conflict, "the resident's home district is not a known postcode district, so no premises can be ranked")
        }
        var premises = try await MatchRules.premises(for: stay, needs: ask.roomNeeds.sorted(), on: connection)
        if let only { premises = premises.filter { $0.id == only } }
        return MatchRules.match(ask, stay: stay, home: (try home.decode("latitude"), try home.decode("longitude")), premises: premises)
    }
}
