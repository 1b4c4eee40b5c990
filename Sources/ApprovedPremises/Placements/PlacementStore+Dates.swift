import Foundation
import Postgres

extension PlacementStore {
    /// Moves the expected dates (arrival only before arrival), checking capacity like a booking;
    /// every change is kept.
    /// A change that would leave the premises short on a night it adds is refused, its
    /// `overbookingReason` problem naming the nights, unless `overbookingReason` says why (kept
    /// on the placement).
    public func changeDates(
        _ placementID: UUID, arrival: CalendarDate?, departure: CalendarDate?, expectedVersion: Int?, by principal: Principal,
        overbookingReason: String? = nil
    ) async throws -> Placement {
        try await change(
            placementID, expectedVersion: expectedVersion, action: "placement.change_dates", roles: Self.bookers,
            verb: "change placement dates", by: principal, lockPremises: true
        ) { placement, premises, connection in
            let (newArrival, newDeparture, overbooks) = try await Self.checkDates(
                placement, arrival: arrival, departure: departure, premisesName: premises.name,
                overbookingReason: overbookingReason, on: connection)
            try await connection.execute(
                """
                INSERT INTO placement_date_change (placement_id, old_arrival, old_departure, new_arrival, new_departure, changed_by)
                VALUES (\(placement.id), \(placement.expectedArrival), \(placement.expectedDeparture), \(newArrival), \(newDeparture), \(principal.staffID))
                """)
            let row = try await connection.one(
                """
                UPDATE placement AS p SET expected_arrival = \(newArrival), expected_departure = \(newDeparture),
                    overbooking_reason = coalesce(\(overbooks ? overbookingReason : nil), p.overbooking_reason),
                    version = p.version + 1, updated_at = now()
                WHERE p.id = \(placementID) RETURNING \(Placement.columns)
                """)
            try await Self.fitAllocations(placementID, on: connection)
            return try Placement(row: row)
        }
    }

    /// What `changeDates` would answer, without changing anything: the new expected dates, or
    /// the refusal (the nights a premises would be short, say). For a page that shows the
    /// capacity check's answer before the change is confirmed; the change checks again.
    public func checkDates(
        _ placementID: UUID, arrival: CalendarDate?, departure: CalendarDate?, by principal: Principal,
        overbookingReason: String? = nil
    ) async throws -> (arrival: CalendarDate, departure: CalendarDate, overbooks: Bool) {
        try await pool.withConnection { connection in
            let placement = try await Self.load(placementID, on: connection, lock: false)
            let premises = try await PremisesAccess.require(
                principal, Self.bookers, to: "change placement dates", premisesID: placement.premisesID, on: connection)
            return try await Self.checkDates(
                placement, arrival: arrival, departure: departure, premisesName: premises.name,
                overbookingReason: overbookingReason, on: connection)
        }
    }

    /// The rules of a change of dates: the order of the dates, the arrival fixed once arrived,
    /// and capacity on every night the stay newly takes.
    static func checkDates(
        _ placement: Placement, arrival: CalendarDate?, departure: CalendarDate?, premisesName: String,
        overbookingReason: String?, on connection: PostgresConnection
    ) async throws -> (arrival: CalendarDate, departure: CalendarDate, overbooks: Bool) {
        guard placement.status == .upcoming || placement.status == .arrived else {
            throw DomainError(.conflict, Self.sequenceMessage(placement.status, wanted: "have its dates changed"))
        }
        if arrival != nil && placement.status == .arrived {
            throw DomainError.invalid(
                field: "expectedArrival", rule: "arrived", "the person has arrived: only the expected departure can change")
        }
        let newArrival = arrival ?? placement.expectedArrival
        let newDeparture = departure ?? placement.expectedDeparture
        guard newDeparture > (placement.arrivalDate ?? newArrival) else {
            throw DomainError.invalid(field: "expectedDeparture", rule: "order", "expectedDeparture must be after the arrival")
        }
        let stay = Nights(first: placement.arrivalDate ?? newArrival, end: newDeparture)
        let counts = try await Capacity.nights(
            premisesID: placement.premisesID, nights: stay, needs: placement.needs, excluding: placement.id, on: connection)
        let old = placement.nights
        let shortfalls = Capacity.shortfalls(adding: placement.needs, to: counts).filter { !(old?.contains($0.night) ?? false) }
        let reason = overbookingReason?.trimmingCharacters(in: .whitespacesAndNewlines)
        if !shortfalls.isEmpty && (reason ?? "").isEmpty {
            let message = Capacity.describe(shortfalls, premises: premisesName)
            throw DomainError(
                .conflict, message,
                problems: [
                    FieldProblem(
                        field: "overbookingReason", rule: "required",
                        message: message + ": the new dates overbook it; say why to change them anyway")
                ])
        }
        if let reason, reason.count > 500 {
            throw DomainError.invalid(field: "overbookingReason", rule: "length", "overbookingReason must be at most 500 characters")
        }
        return (newArrival, newDeparture, !shortfalls.isEmpty)
    }
}
