import Foundation
import Postgres

/// A person booked into a premises for planned nights.
public struct Placement: Sendable, Equatable, Codable {
    /// Where a placement stands, derived from what has been recorded.
    public enum Status: String, Sendable, Codable {
        case upcoming, arrived, departed
        case nonArrived = "non_arrived"
        case cancelled
    }

    public var id: UUID
    public var premisesID: UUID
    /// The person's case reference number (NDelius CRN, such as X123456).
    public var crn: String
    public var personName: String
    public var expectedArrival: CalendarDate
    public var expectedDeparture: CalendarDate
    /// Room characteristics the stay needs.
    public var needs: [String]
    /// Why a referral manager booked beyond capacity, when they did.
    public var overbookingReason: String?
    public var arrivedAt: Date?
    public var arrivalDate: CalendarDate?
    /// Why an arrival more than `PlacementStore.earlyArrivalDays` before the expected one was recorded.
    public var earlyArrivalReason: String?
    public var keyWorkerID: UUID?
    public var nonArrivedAt: Date?
    public var nonArrivalReason: String?
    public var departedAt: Date?
    public var departureDate: CalendarDate?
    public var departureReason: String?
    public var moveOnCategory: String?
    public var transferredTo: String?
    public var cancelledAt: Date?
    public var cancellationReason: String?
    /// The stay this one continues after a transfer from another AP.
    public var transferredFrom: UUID?
    public var version: Int

    /// Where the placement stands.
    public var status: Status {
        if cancelledAt != nil { return .cancelled }
        if nonArrivedAt != nil { return .nonArrived }
        if departedAt != nil { return .departed }
        if arrivedAt != nil { return .arrived }
        return .upcoming
    }

    /// The nights the stay occupies: actual dates where known, expected ones otherwise; none
    /// for a cancelled or non-arrived placement.
    public var nights: Nights? {
        if status == .cancelled || status == .nonArrived { return nil }
        return Nights(first: arrivalDate ?? expectedArrival, end: departureDate ?? expectedDeparture)
    }

    static let columns: SQL = """
        p.id, p.premises_id, p.crn, p.person_name, p.expected_arrival, p.expected_departure, array_to_string(p.needs, ',') AS needs,
        p.overbooking_reason, p.arrived_at, p.arrival_date, p.early_arrival_reason, p.key_worker_id, p.non_arrived_at, p.non_arrival_reason_code,
        p.departed_at, p.departure_date, p.departure_reason_code, p.move_on_category_code, p.transferred_to,
        p.cancelled_at, p.cancellation_reason_code, p.transferred_from, p.version
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        premisesID = try row.decode("premises_id")
        crn = try row.decode("crn")
        personName = try row.decode("person_name")
        expectedArrival = try row.decode("expected_arrival")
        expectedDeparture = try row.decode("expected_departure")
        needs = (try row.decode("needs", as: String.self)).split(separator: ",").map(String.init)
        overbookingReason = try row.decode("overbooking_reason")
        arrivedAt = try row.decode("arrived_at")
        arrivalDate = try row.decode("arrival_date")
        earlyArrivalReason = try row.decode("early_arrival_reason")
        keyWorkerID = try row.decode("key_worker_id")
        nonArrivedAt = try row.decode("non_arrived_at")
        nonArrivalReason = try row.decode("non_arrival_reason_code")
        departedAt = try row.decode("departed_at")
        departureDate = try row.decode("departure_date")
        departureReason = try row.decode("departure_reason_code")
        moveOnCategory = try row.decode("move_on_category_code")
        transferredTo = try row.decode("transferred_to")
        cancelledAt = try row.decode("cancelled_at")
        cancellationReason = try row.decode("cancellation_reason_code")
        transferredFrom = try row.decode("transferred_from")
        version = try row.decode("version")
    }
}

/// What is needed to book a placement.
public struct NewPlacement: Sendable {
    public var premisesID: UUID
    public var crn: String
    public var personName: String
    public var expectedArrival: CalendarDate
    /// Nil for the AP type's default length of stay.
    public var expectedDeparture: CalendarDate?
    public var needs: [String]
    /// Set only by a referral manager who books beyond capacity on purpose.
    public var overbookingReason: String?
    /// A bed to allocate for the whole stay at once, if chosen.
    public var bedID: UUID?

    /// A value with each field given.
    public init(
        premisesID: UUID, crn: String, personName: String, expectedArrival: CalendarDate, expectedDeparture: CalendarDate? = nil,
        needs: [String] = [], overbookingReason: String? = nil, bedID: UUID? = nil
    ) {
        self.premisesID = premisesID
        self.crn = crn
        self.personName = personName
        self.expectedArrival = expectedArrival
        self.expectedDeparture = expectedDeparture
        self.needs = needs
        self.overbookingReason = overbookingReason
        self.bedID = bedID
    }
}

extension Placement {
    /// Refuses a time before the resident arrived: what is recorded of a resident happens while
    /// they are here, so their record stays in order.
    func requireHere(at date: Date, field: String) throws {
        if let arrivedAt, date < arrivedAt {
            throw DomainError.invalid(
                field: field, rule: "order", "\(field) is before \(personName) arrived (\(arrivedAt.formatted(.iso8601)))")
        }
    }
}
