import Foundation
import Postgres

/// Arrivals and non-arrivals: how a booked placement becomes a stay, or is recorded as one that
/// never began.
extension PlacementStore {
    /// How many days before its expected arrival an arrival may be recorded; further out, the
    /// expected dates are changed first, so the nights it takes are the nights booked, or an
    /// AP manager records it with the reason why.
    public static let earlyArrivalDays = 7

    /// Who may record an arrival further out than `earlyArrivalDays`, giving the reason.
    public static let earlyArrivalRecorders: Set<Role> = [.administrator, .apManager]

    /// Records an arrival; the arrival date is `arrivedAt`'s date at the premises. An arrival
    /// is not in the future, nor more than `earlyArrivalDays` before the expected arrival unless
    /// an AP manager gives `earlyReason`.
    ///
    /// With `checkCapacity` (the web view), an arrival before the expected date that would leave
    /// the premises short of beds on a night it adds is refused (`overbookingReason` required)
    /// unless `overbookingReason` says why; the reason is kept on the placement.
    public func arrive(
        _ placementID: UUID, at arrivedAt: Date, keyWorkerID: UUID?, earlyReason: String? = nil, expectedVersion: Int?,
        by principal: Principal, now: Date = Date(), checkCapacity: Bool = false, overbookingReason: String? = nil
    ) async throws -> Placement {
        let earlyReason = earlyReason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let earlyReason, !(1...500).contains(earlyReason.count) {
            throw DomainError.invalid(field: "earlyArrivalReason", rule: "reason", "earlyArrivalReason must be 1-500 characters")
        }
        guard arrivedAt <= now.addingTimeInterval(120) else {
            throw DomainError.invalid(
                field: "arrivedAt", rule: "future", "arrivedAt must not be in the future: record an arrival when it happens")
        }
        return try await change(
            placementID, expectedVersion: expectedVersion, action: "placement.arrive", roles: Self.recorders, verb: "record arrivals",
            by: principal,
            lockPremises: checkCapacity
        ) { placement, premises, connection in
            guard placement.status == .upcoming else {
                throw DomainError(.conflict, Self.sequenceMessage(placement.status, wanted: "arrive"))
            }
            if let keyWorkerID {
                try await KeyWorkStore.requireKeyWorker(keyWorkerID, at: placement.premisesID, field: "keyWorkerId", on: connection)
            }
            let arrivalDate = CalendarDate.today(in: premises.timeZone, now: arrivedAt)
            let early = arrivalDate < placement.expectedArrival.adding(days: -Self.earlyArrivalDays)
            if early, earlyReason == nil {
                let remedy =
                    Self.earlyArrivalRecorders.contains(principal.role)
                    ? "change the expected dates first, or give earlyArrivalReason"
                    : "change the expected dates first, or ask the AP manager to record it with the reason"
                throw DomainError.invalid(
                    field: "arrivedAt", rule: "window",
                    "arrivedAt (\(arrivalDate)) is more than \(Self.earlyArrivalDays) days before the expected arrival (\(placement.expectedArrival)); \(remedy)"
                )
            }
            if early {
                try principal.require(Self.earlyArrivalRecorders, to: "record an arrival more than \(Self.earlyArrivalDays) days early")
            } else if earlyReason != nil {
                throw DomainError.invalid(
                    field: "earlyArrivalReason", rule: "notNeeded",
                    "earlyArrivalReason is only for an arrival more than \(Self.earlyArrivalDays) days before the expected arrival (\(placement.expectedArrival))"
                )
            }
            guard arrivalDate < placement.expectedDeparture else {
                throw DomainError.invalid(
                    field: "arrivedAt", rule: "order",
                    "arrivedAt is on or after the expected departure (\(placement.expectedDeparture)); change the expected departure first")
            }
            var overbooks = false
            if checkCapacity, arrivalDate < placement.expectedArrival {
                overbooks = try await Self.overbooking(
                    placement, adding: Nights(first: arrivalDate, end: placement.expectedArrival),
                    reason: overbookingReason, premisesName: premises.name, doing: "an arrival then", on: connection)
            }
            try await TransferStore.leaveFirstStay(
                placement, arrivedAt: arrivedAt, arrivalDate: arrivalDate, premisesName: premises.name, by: principal, on: connection)
            let row = try await connection.one(
                """
                UPDATE placement AS p SET arrived_at = \(arrivedAt), arrival_date = \(arrivalDate), key_worker_id = \(keyWorkerID),
                    early_arrival_reason = \(earlyReason), overbooking_reason = coalesce(\(overbooks ? overbookingReason : nil), p.overbooking_reason),
                    version = p.version + 1, updated_at = now()
                WHERE p.id = \(placementID) RETURNING \(Placement.columns)
                """)
            try await Self.fitAllocations(placementID, on: connection)
            try await TransferStore.carryOver(
                placement, arrivalDate: arrivalDate, premisesName: premises.name, by: principal, on: connection)
            return try Placement(row: row)
        }
    }

    /// Records that the person never arrived.
    public func recordNonArrival(_ placementID: UUID, reason: String, notes: String?, expectedVersion: Int?, by principal: Principal)
        async throws -> Placement
    {
        try await change(
            placementID, expectedVersion: expectedVersion, action: "placement.non_arrival", roles: Self.recorders,
            verb: "record non-arrivals", by: principal
        ) { placement, _, connection in
            guard placement.status == .upcoming else {
                throw DomainError(.conflict, Self.sequenceMessage(placement.status, wanted: "be recorded as not arrived"))
            }
            let row = try await connection.one(
                """
                UPDATE placement AS p SET non_arrived_at = now(), non_arrival_reason_code = \(reason), non_arrival_notes = \(notes),
                    version = p.version + 1, updated_at = now()
                WHERE p.id = \(placementID) RETURNING \(Placement.columns)
                """)
            try await Self.fitAllocations(placementID, on: connection)
            if placement.transferredFrom != nil { try await TransferStore.lapse(continuation: placementID, on: connection) }
            return try Placement(row: row)
        }
    }

    /// Whether one more placement on the nights `added` leaves the premises short (of beds, or
    /// of beds with a characteristic the placement needs): refused, naming the nights, unless
    /// `reason` says why it may (then true: the caller keeps the reason).
    static func overbooking(
        _ placement: Placement, adding added: Nights, reason: String?, premisesName: String, doing: String,
        on connection: PostgresConnection
    ) async throws -> Bool {
        guard added.count > 0 else { return false }
        let counts = try await Capacity.nights(
            premisesID: placement.premisesID, nights: added, needs: placement.needs, excluding: placement.id, on: connection)
        let shortfalls = Capacity.shortfalls(adding: placement.needs, to: counts)
        guard !shortfalls.isEmpty else { return false }
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let reason, !reason.isEmpty else {
            let message = Capacity.describe(shortfalls, premises: premisesName) + ": \(doing) overbooks it; say why to record it anyway"
            throw DomainError(.conflict, message, problems: [FieldProblem(field: "overbookingReason", rule: "required", message: message)])
        }
        guard reason.count <= 500 else {
            throw DomainError.invalid(field: "overbookingReason", rule: "length", "overbookingReason must be at most 500 characters")
        }
        return true
    }
}
