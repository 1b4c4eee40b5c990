import Foundation
import Postgres

/// A resident moved from one AP to another: asked for by the AP manager and decided by the
/// referral unit (planned), or made tonight by the AP manager with the receiving AP's manager's
/// agreement (emergency). Booked, it joins two stays end to end.
public struct Transfer: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case planned, emergency
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case requested, booked, refused, completed, cancelled
    }

    public var id: UUID
    public var kind: Kind
    public var status: Status
    /// The stay the resident moves out of.
    public var placementID: UUID
    public var crn: String
    public var personName: String
    public var fromPremisesID: UUID
    public var fromPremisesName: String
    public var reason: String
    public var reasonName: String
    /// The date from which (planned) or on which (emergency) the resident moves.
    public var transferDate: CalendarDate
    public var notes: String?
    /// The first stay's expected departure: before the transfer shortened it, once booked.
    public var expectedDeparture: CalendarDate
    public var requestedBy: String
    public var requestedAt: Date
    public var toPremisesID: UUID?
    public var toPremisesName: String?
    /// The stay at the receiving AP.
    public var toPlacementID: UUID?
    /// The receiving AP's manager who agreed to an emergency transfer.
    public var agreedBy: String?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var refusalReason: String?
    public var referralID: UUID?
    public var version: Int

    static let columns: SQL = """
        t.id, t.kind, t.status, t.placement_id, p.crn, p.person_name, t.from_premises_id, fp.name AS from_name, t.reason_code,
        tr.name AS reason_name, t.transfer_date, t.notes, coalesce(t.was_expected_departure, p.expected_departure) AS expected_departure,
        rq.display_name AS requested_by, t.requested_at, t.to_premises_id, tp.name AS to_name, t.to_placement_id,
        ag.display_name AS agreed_by, dc.display_name AS decided_by, t.decided_at, t.refusal_reason, p.referral_id, t.version
        """

    static let tables: SQL = """
        transfer t JOIN placement p ON p.id = t.placement_id JOIN premises fp ON fp.id = t.from_premises_id
        JOIN transfer_reason tr ON tr.code = t.reason_code JOIN staff rq ON rq.id = t.requested_by
        LEFT JOIN premises tp ON tp.id = t.to_premises_id LEFT JOIN staff ag ON ag.id = t.agreed_by
        LEFT JOIN staff dc ON dc.id = t.decided_by
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        kind = Kind(rawValue: try row.decode("kind")) ?? .planned
        status = Status(rawValue: try row.decode("status")) ?? .requested
        placementID = try row.decode("placement_id")
        crn = try row.decode("crn")
        personName = try row.decode("person_name")
        fromPremisesID = try row.decode("from_premises_id")
        fromPremisesName = try row.decode("from_name")
        reason = try row.decode("reason_code")
        reasonName = try row.decode("reason_name")
        transferDate = try row.decode("transfer_date")
        notes = try row.decode("notes")
        expectedDeparture = try row.decode("expected_departure")
        requestedBy = try row.decode("requested_by")
        requestedAt = try row.decode("requested_at")
        toPremisesID = try row.decode("to_premises_id")
        toPremisesName = try row.decode("to_name")
        toPlacementID = try row.decode("to_placement_id")
        agreedBy = try row.decode("agreed_by")
        decidedBy = try row.decode("decided_by")
        decidedAt = try row.decode("decided_at")
        refusalReason = try row.decode("refusal_reason")
        referralID = try row.decode("referral_id")
        version = try row.decode("version")
    }
}

/// A placement appeal: the booked AP's manager questions a booking before the person arrives.
public struct PlacementAppeal: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending, accepted, rejected
    }

    public var id: UUID
    public var status: Status
    public var placementID: UUID
    public var crn: String
    public var personName: String
    public var premisesID: UUID
    public var premisesName: String
    public var expectedArrival: CalendarDate
    public var reason: String
    public var reasonName: String
    public var notes: String?
    public var appealedBy: String
    public var appealedAt: Date
    public var decidedBy: String?
    public var decidedAt: Date?
    public var decisionNotes: String?
    public var referralID: UUID?
    public var version: Int

    static let columns: SQL = """
        a.id, a.status, a.placement_id, p.crn, p.person_name, p.premises_id, pr.name AS premises_name, p.expected_arrival,
        a.reason_code, ar.name AS reason_name, a.notes, ab.display_name AS appealed_by, a.appealed_at,
        dc.display_name AS decided_by, a.decided_at, a.decision_notes, p.referral_id, a.version
        """

    static let tables: SQL = """
        placement_appeal a JOIN placement p ON p.id = a.placement_id JOIN premises pr ON pr.id = p.premises_id
        JOIN appeal_reason ar ON ar.code = a.reason_code JOIN staff ab ON ab.id = a.appealed_by
        LEFT JOIN staff dc ON dc.id = a.decided_by
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        status = Status(rawValue: try row.decode("status")) ?? .pending
        placementID = try row.decode("placement_id")
        crn = try row.decode("crn")
        personName = try row.decode("person_name")
        premisesID = try row.decode("premises_id")
        premisesName = try row.decode("premises_name")
        expectedArrival = try row.decode("expected_arrival")
        reason = try row.decode("reason_code")
        reasonName = try row.decode("reason_name")
        notes = try row.decode("notes")
        appealedBy = try row.decode("appealed_by")
        appealedAt = try row.decode("appealed_at")
        decidedBy = try row.decode("decided_by")
        decidedAt = try row.decode("decided_at")
        decisionNotes = try row.decode("decision_notes")
        referralID = try row.decode("referral_id")
        version = try row.decode("version")
    }
}
