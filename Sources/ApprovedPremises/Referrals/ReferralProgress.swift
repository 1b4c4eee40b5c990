import Foundation
import Postgres

/// What became of a referral after the decision, as its practitioner follows it: each stay
/// booked from it (the premises, how to reach it, the dates; arrival or non-arrival; departure;
/// or the booking cancelled), and each curfew breach escalated to them with its outcome. Never
/// the night log itself, nor anything else of the AP's own records.
public struct ReferralProgress: Sendable, Equatable, Codable {
    /// One stay booked from the referral.
    public struct Stay: Sendable, Equatable, Codable {
        public var placementID: UUID
        public var premisesName: String
        public var address: String?
        public var postcode: String?
        public var telephone: String?
        public var expectedArrival: CalendarDate
        public var expectedDeparture: CalendarDate
        public var arrivedOn: CalendarDate?
        public var notArrivedOn: CalendarDate?
        public var nonArrivalReason: String?
        public var departedOn: CalendarDate?
        public var departureReason: String?
        public var moveOnCategory: String?
        public var cancelledOn: CalendarDate?
        public var cancellationReason: String?

        enum CodingKeys: String, CodingKey {
            case placementID = "placementId"
            case premisesName, address, postcode, telephone, expectedArrival, expectedDeparture, arrivedOn, notArrivedOn
            case nonArrivalReason, departedOn, departureReason, moveOnCategory, cancelledOn, cancellationReason
        }
    }

    /// A curfew breach escalated (to the practitioner, and perhaps the police), with its outcome.
    public struct Breach: Sendable, Equatable, Codable {
        /// The night of the curfew broken (its window's start, local).
        public var night: CalendarDate
        /// How late they came back; nil when they had not come back.
        public var minutesLate: Int?
        public var escalatedOn: CalendarDate
        /// `no_action`, `warning`, `reported_to_pp` or `recall_requested`, once decided.
        public var outcome: String?
    }

    public var stays: [Stay]
    public var breaches: [Breach]
}

extension ReferralStore {
    /// Who hands a referral to another practitioner: administrators.
    public static let handlers: Set<Role> = [.administrator]
    /// Who follows a referral to the end of every stay booked from it: the referral unit and its
    /// practitioner (an AP manager sees their own premises' stay on the AP's own pages, not the others').
    public static let followers: Set<Role> = intake.union([.probationPractitioner])

    /// The stays and escalated breaches of a referral the caller may see.
    public func progress(_ id: UUID, by principal: Principal) async throws -> ReferralProgress {
        try principal.require(Self.followers, to: "follow a referral's stays")
        return try await pool.withConnection { connection in
            let referral = try await Self.load(id, visibleTo: principal, on: connection, lock: false)
            let stays = try await connection.query(
                """
                SELECT p.id, pr.name, pr.address, pr.postcode, pr.telephone, p.expected_arrival, p.expected_departure,
                       p.arrival_date, (p.non_arrived_at AT TIME ZONE pr.time_zone)::date AS not_arrived_on, n.name AS non_arrival,
                       p.departure_date, d.name AS departure, c.name AS move_on,
                       (p.cancelled_at AT TIME ZONE pr.time_zone)::date AS cancelled_on, x.name AS cancellation
                FROM placement p JOIN premises pr ON pr.id = p.premises_id
                LEFT JOIN non_arrival_reason n ON n.code = p.non_arrival_reason_code
                LEFT JOIN departure_reason d ON d.code = p.departure_reason_code
                LEFT JOIN move_on_category c ON c.code = p.move_on_category_code
                LEFT JOIN cancellation_reason x ON x.code = p.cancellation_reason_code
                WHERE p.referral_id = \(id)
                ORDER BY p.created_at, p.id
                """
            ).map { row in
                ReferralProgress.Stay(
                    placementID: try row.decode("id"), premisesName: try row.decode("name"), address: try row.decode("address"),
                    postcode: try row.decode("postcode"), telephone: try row.decode("telephone"),
                    expectedArrival: try row.decode("expected_arrival"), expectedDeparture: try row.decode("expected_departure"),
                    arrivedOn: try row.decode("arrival_date"), notArrivedOn: try row.decode("not_arrived_on"),
                    nonArrivalReason: try row.decode("non_arrival"), departedOn: try row.decode("departure_date"),
                    departureReason: try row.decode("departure"), moveOnCategory: try row.decode("move_on"),
                    cancelledOn: try row.decode("cancelled_on"), cancellationReason: try row.decode("cancellation"))
            }
            let breaches = try await connection.query(
                """
                SELECT (b.window_start AT TIME ZONE pr.time_zone)::date AS night, b.minutes_late,
                       (b.escalated_at AT TIME ZONE pr.time_zone)::date AS escalated_on, b.outcome
                FROM curfew_breach b JOIN placement p ON p.id = b.placement_id JOIN premises pr ON pr.id = p.premises_id
                WHERE p.referral_id = \(id) AND b.escalated_at IS NOT NULL AND b.voided_at IS NULL
                ORDER BY b.window_start
                """
            ).map { row in
                ReferralProgress.Breach(
                    night: try row.decode("night"), minutesLate: try row.decode("minutes_late"),
                    escalatedOn: try row.decode("escalated_on"), outcome: try row.decode("outcome"))
            }
            try await AccessLog.record(.referralProgress, crn: referral.details.crn, referralID: id, by: principal, on: connection)
            return ReferralProgress(stays: stays, breaches: breaches)
        }
    }

    /// The departure summary of the referral's last stay, once the resident has left: for the
    /// practitioner who owns it, and the referral unit.
    public func departureSummary(_ id: UUID, by principal: Principal, records: ResidentRecordStore) async throws -> DepartureSummary {
        try principal.require(Self.followers, to: "follow a referral's stays")
        let placementID: UUID = try await pool.withConnection { connection in
            _ = try await Self.load(id, visibleTo: principal, on: connection, lock: false)
            guard
                let row = try await connection.first(
                    """
                    SELECT id FROM placement WHERE referral_id = \(id) AND departed_at IS NOT NULL AND departure_reason_code NOT IN ('PT', 'ET')
                    ORDER BY departed_at DESC LIMIT 1
                    """)
            else {
                throw DomainError(.notFound, "there is no departure summary yet: nobody has left a stay booked from this referral")
            }
            return try row.decode("id")
        }
        return try await records.summary(placementID, by: principal)
    }

    /// Hands a referral to another probation practitioner (a case changes hands): they own it
    /// from now on, are its referrer (and so are told of it), and the timeline says who had it
    /// before. Handing it to its owner changes nothing.
    public func handOver(_ id: UUID, to practitionerID: UUID, by principal: Principal) async throws -> Referral {
        try principal.require(Self.handlers, to: "hand referrals to another practitioner")
        return try await pool.transaction { connection in
            let before = try await Self.load(id, on: connection, lock: true)
            guard
                let row = try await connection.first(
                    """
                    SELECT \(StaffStore.columns) FROM staff s WHERE s.id = \(practitionerID) AND s.role = 'probation_practitioner' AND s.active
                    """)
            else {
                throw DomainError.invalid(
                    field: "practitionerId", rule: "practitioner", "practitionerId must be the account of an active probation practitioner")
            }
            let practitioner = try StaffStore.staff(from: row)
            if before.ownerID == practitioner.id { return before }
            try await connection.execute(
                """
                UPDATE referral SET owner_id = \(practitioner.id), referrer_name = \(practitioner.displayName),
                    referrer_email = \(practitioner.email ?? before.details.referrerEmail), referrer_team = \(practitioner.team),
                    referrer_region_code = \(practitioner.regionCode), version = version + 1, updated_at = now()
                WHERE id = \(id)
                """)
            try await Self.event(
                id, "handed_over", note: "from \(before.details.referrerName) to \(practitioner.displayName)", placement: nil,
                by: principal, on: connection)
            let after = try await Self.load(id, on: connection, lock: false)
            try await AuditLog.record(
                on: connection, by: principal, action: "referral.handed_over", entity: "referral", entityID: id.uuidString,
                before: before, after: after)
            return after
        }
    }
}
