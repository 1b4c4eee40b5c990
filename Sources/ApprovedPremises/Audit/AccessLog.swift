import Foundation
import Postgres

/// The append-only record of who read a person's records: one row for each read of a
/// resident's record, a departure summary, a referral or its progress, and a subject access
/// export. Rows are written on the connection that read (`AccessLog.record(on:...)`);
/// administrators list them by person (`AccessLogStore`).
public enum AccessLog {
    /// What was read.
    public enum Read: String, Sendable, CaseIterable, Codable {
        case residentRecord = "resident_record"
        case departureSummary = "departure_summary"
        case referral
        case referralProgress = "referral_progress"
        case subjectAccessExport = "subject_access_export"

        /// What was read, in words.
        public var title: String {
            switch self {
            case .residentRecord: "the resident's record"
            case .departureSummary: "a departure summary"
            case .referral: "a referral"
            case .referralProgress: "a referral's progress"
            case .subjectAccessExport: "a subject access export"
            }
        }
    }

    /// Records that `principal` read `what` about the person with `crn` (a stay's or a
    /// referral's, when one was read). The time is the database's.
    public static func record(
        _ what: Read, crn: String, placementID: UUID? = nil, referralID: UUID? = nil, by principal: Principal,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            insert(
                what, crn: crn, placementID: placementID, referralID: referralID, staffID: principal.staffID, role: principal.role,
                requestID: principal.requestID), reusingPlan: true)
    }

    /// The statement that writes one row. Its commit does not wait for the disk or a synchronous
    /// standby (`synchronous_commit` off for that transaction alone, set as the row is made): a read
    /// should not pay a flush for its log row, and a crash can lose only the rows of the last
    /// fraction of a second, of reads that changed nothing. `ap db bench-pages` times its cost.
    public static func insert(
        _ what: Read, crn: String, placementID: UUID?, referralID: UUID?, staffID: UUID, role: Role, requestID: String?
    ) -> SQL {
        """
        INSERT INTO access_event (staff_id, role, what, crn, placement_id, referral_id, request_id)
        SELECT \(staffID), \(role.rawValue), \(what.rawValue), \(crn), \(placementID)::uuid, \(referralID)::uuid, \(requestID)
        FROM (SELECT set_config('synchronous_commit', 'off', true)) AS quick
        """
    }
}

/// One read of a person's records.
public struct AccessEvent: Sendable, Equatable, Codable {
    public var id: Int64
    public var occurredAt: Date
    public var staffID: UUID
    public var username: String
    public var displayName: String
    /// The role they read it in (at the time).
    public var role: Role
    public var what: AccessLog.Read
    public var crn: String
    public var placementID: UUID?
    public var referralID: UUID?
    public var requestID: String?
}

/// Listing the access log (administrators).
public struct AccessLogStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who reads the access log: administrators.
    public static let readers: Set<Role> = [.administrator]

    /// One page of the reads of a person's records, newest first.
    public func list(crn: String, page: PageRequest, by principal: Principal) async throws -> Page<AccessEvent> {
        try principal.require(Self.readers, to: "read the access log")
        guard crn.wholeMatch(of: /[A-Z][0-9]{6}/) != nil else {
            throw DomainError.invalid(
                field: "crn", rule: "format", "crn must be a case reference number: a capital letter and six digits, such as X123456")
        }
        let before = try page.cursor.map { try Int64(cursor: $0) } ?? Int64.max
        let rows = try await pool.query(
            """
            SELECT a.id, a.occurred_at, a.staff_id, s.username, s.display_name, a.role, a.what, a.crn, a.placement_id,
                   a.referral_id, a.request_id
            FROM access_event a JOIN staff s ON s.id = a.staff_id
            WHERE a.crn = \(crn) AND a.id < \(before)
            ORDER BY a.id DESC
            LIMIT \(page.limit + 1)
            """)
        let events = try rows.map { row in
            AccessEvent(
                id: try row.decode("id"), occurredAt: try row.decode("occurred_at"), staffID: try row.decode("staff_id"),
                username: try row.decode("username"), displayName: try row.decode("display_name"),
                role: try Self.known(Role(rawValue: try row.decode("role"))),
                what: try Self.known(AccessLog.Read(rawValue: try row.decode("what"))), crn: try row.decode("crn"),
                placementID: try row.decode("placement_id"), referralID: try row.decode("referral_id"),
                requestID: try row.decode("request_id"))
        }
        return Page(items: events, limit: page.limit) { String(cursor: $0.id) }
    }

    /// A code the database's checks keep to the known ones (a newer release's, read by an older one, is not).
    private static func known<T>(_ value: T?) throws -> T {
        guard let value else { throw DomainError(.unavailable, "the access log holds a code this release does not know: upgrade it") }
        return value
    }
}
