import Foundation
import Postgres

/// An incident as it stands in one version: every version carries the incident's number; an
/// amendment is a later version with a reason, and the earlier ones stay.
public struct Incident: Sendable, Equatable, Codable {
    /// What kind of incident it was.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case violenceOrThreats = "violence_or_threats"
        case selfHarm = "self_harm"
        case substanceFound = "substance_found"
        case damage
        case policeAttendance = "police_attendance"
        case absconding
        case missedCurfew = "missed_curfew"
        case medicalEmergency = "medical_emergency"
        case safeguarding, complaint, other
    }

    /// How serious it was.
    public enum Severity: String, Sendable, Codable, CaseIterable {
        case low, medium, high, critical
    }

    /// Someone involved: a resident (their placement) or a member of staff.
    public struct Person: Sendable, Equatable, Codable {
        public var id: UUID
        public var name: String
    }

    public var number: Int64
    public var version: Int64
    public var premisesID: UUID
    public var kind: Kind
    public var severity: Severity
    public var occurredAt: Date
    public var location: String
    public var summary: String
    public var residents: [Person]
    public var staff: [Person]
    public var actionTaken: String
    public var told: [String]
    public var recordedAt: Date
    public var recordedBy: String
    public var amendsVersion: Int64?
    public var amendmentReason: String?
    /// How many versions the incident has (1 when never amended).
    public var versions: Int
}

/// The incident log: append-only and hash-chained per premises, like the curfew log.
public struct IncidentStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// What an incident records, as given by staff.
    public struct Details: Sendable {
        public var kind: String
        public var severity: String
        public var occurredAt: Date
        public var location: String
        public var summary: String
        public var residents: [UUID]
        public var staff: [UUID]
        public var actionTaken: String
        public var told: [String]

        /// A value with each field given.
        public init(
            kind: String, severity: String, occurredAt: Date, location: String, summary: String,
            residents: [UUID] = [], staff: [UUID] = [], actionTaken: String, told: [String] = []
        ) {
            self.kind = kind
            self.severity = severity
            self.occurredAt = occurredAt
            self.location = location
            self.summary = summary
            self.residents = residents
            self.staff = staff
            self.actionTaken = actionTaken
            self.told = told
        }

        func validate(now: Date) throws {
            var v = Validation()
            v.require(
                Incident.Kind(rawValue: kind) != nil, field: "kind", rule: "oneOf",
                "kind must be one of " + Incident.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            v.require(
                Incident.Severity(rawValue: severity) != nil, field: "severity", rule: "oneOf",
                "severity must be one of " + Incident.Severity.allCases.map(\.rawValue).joined(separator: ", "))
            v.require(
                occurredAt <= now.addingTimeInterval(120), field: "occurredAt", rule: "future", "occurredAt must not be in the future")
            for (field, text) in [("location", location), ("summary", summary), ("actionTaken", actionTaken)] {
                v.require(!text.isBlank, field: field, rule: "required", "\(field) is required")
            }
            v.require(summary.unicodeScalars.count <= 20_000, field: "summary", rule: "length", "summary is at most 20,000 characters")
            v.require(Set(residents).count == residents.count, field: "residents", rule: "unique", "each resident is named once")
            v.require(Set(staff).count == staff.count, field: "staff", rule: "unique", "each member of staff is named once")
            v.require(
                told.allSatisfy { !$0.isBlank }, field: "told", rule: "required",
                "each entry of told says who was told")
            try v.check()
        }
    }

    /// Who records and amends incidents: the premises' staff.
    public static let recorders: Set<Role> = [.administrator, .apManager, .residentialWorker, .keyWorker]

    /// Records a new incident.
    public func record(premisesID: UUID, _ details: Details, by principal: Principal, now: Date = Date()) async throws -> Incident {
        try details.validate(now: now)
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await PremisesAccess.require(principal, Self.recorders, to: "record incidents", premisesID: premisesID, on: connection)
                let incident = try await Self.insert(
                    premisesID: premisesID, details, amends: nil, reason: nil, by: principal, now: now, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "incident.record", entity: "incident",
                    entityID: String(incident.number), before: Incident?.none, after: incident)
                return incident
            }
        }
    }

    /// Amends an incident: a new version of the whole record, with the reason; the earlier
    /// versions stay. Refused when someone else amended it since (`expectedVersion`).
    public func amend(
        number: Int64, _ details: Details, reason: String, expectedVersion: Int64?, by principal: Principal,
        now: Date = Date()
    ) async throws -> Incident {
        try details.validate(now: now)
        guard !reason.isBlank else {
            throw DomainError.invalid(field: "reason", rule: "required", "an amendment needs a reason")
        }
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let before = try await Self.latest(number, on: connection)
                try await PremisesAccess.require(
                    principal, Self.recorders, to: "amend incidents", premisesID: before.premisesID, on: connection)
                if let expectedVersion, expectedVersion != before.version {
                    throw DomainError(
                        .preconditionFailed,
                        "incident \(number) was amended since you read it (now version \(before.version)); read it again")
                }
                let after = try await Self.insert(
                    premisesID: before.premisesID, details, amends: before.version, reason: reason,
                    by: principal, now: now, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "incident.amend", entity: "incident",
                    entityID: String(number), before: before, after: after)
                return after
            }
        }
    }

    static func insert(
        premisesID: UUID, _ details: Details, amends: Int64?, reason: String?, by principal: Principal, now: Date,
        on connection: PostgresConnection
    ) async throws -> Incident {
        let known = try await connection.query(
            """
            SELECT id FROM placement WHERE id = ANY (\(details.residents.map(\.uuidString))::uuid[])
              AND premises_id = \(premisesID) AND arrived_at IS NOT NULL
            """
        ).map { try $0.decode("id", as: UUID.self) }
        if let stranger = details.residents.first(where: { !known.contains($0) }) {
            throw DomainError.invalid(
                field: "residents", rule: "resident", "\(stranger.uuidString.lowercased()) is not a resident of this premises")
        }
        let staff = try await connection.query("SELECT id FROM staff WHERE id = ANY (\(details.staff.map(\.uuidString))::uuid[])")
            .map { try $0.decode("id", as: UUID.self) }
        if let stranger = details.staff.first(where: { !staff.contains($0) }) {
            throw DomainError.invalid(field: "staff", rule: "unknown", "\(stranger.uuidString.lowercased()) is not a member of staff")
        }
        try await LogChainStore.record(as: principal, on: connection)
        let id: Int64 = try await connection.one(
            """
            INSERT INTO incident (premises_id, amends_id, amendment_reason, kind, severity, occurred_at, location, summary,
                                  residents, staff, action_taken, told)
            VALUES (\(premisesID), \(amends), \(reason), \(details.kind), \(details.severity), \(details.occurredAt), \(details.location),
                    \(details.summary), \(details.residents.map(\.uuidString))::uuid[], \(details.staff.map(\.uuidString))::uuid[],
                    \(details.actionTaken), \(details.told)::text[])
            RETURNING id
            """
        ).decode("id")
        return try await load(version: id, on: connection)
    }

    static let columns: SQL = """
        i.id, i.incident_number, i.premises_id, i.kind, i.severity, i.occurred_at, i.location, i.summary, i.action_taken,
        to_json(i.told)::text AS told, i.recorded_at, s.display_name AS recorded_by, i.amends_id, i.amendment_reason,
        (SELECT count(*) FROM incident v WHERE v.incident_number = i.incident_number AND v.id <= i.id) AS versions,
        (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.person_name) ORDER BY u.position), '[]')::text
         FROM unnest(i.residents) WITH ORDINALITY AS u(id, position) JOIN placement p ON p.id = u.id) AS residents,
        (SELECT coalesce(json_agg(json_build_object('id', t.id, 'name', t.display_name) ORDER BY u.position), '[]')::text
         FROM unnest(i.staff) WITH ORDINALITY AS u(id, position) JOIN staff t ON t.id = u.id) AS staff
        """

    static func incident(_ row: PostgresRow) throws -> Incident {
        let decoder = JSONDecoder()
        func json<T: Decodable>(_ column: String, as: T.Type) throws -> T {
            try decoder.decode(T.self, from: Data((try row.decode(column, as: String.self)).utf8))
        }
        return Incident(
            number: try row.decode("incident_number"), version: try row.decode("id"), premisesID: try row.decode("premises_id"),
            kind: Incident.Kind(rawValue: try row.decode("kind"))!, severity: Incident.Severity(rawValue: try row.decode("severity"))!,
            occurredAt: try row.decode("occurred_at"), location: try row.decode("location"), summary: try row.decode("summary"),
            residents: try json("residents", as: [Incident.Person].self), staff: try json("staff", as: [Incident.Person].self),
            actionTaken: try row.decode("action_taken"), told: try json("told", as: [String].self),
            recordedAt: try row.decode("recorded_at"), recordedBy: try row.decode("recorded_by"),
            amendsVersion: try row.decode("amends_id"), amendmentReason: try row.decode("amendment_reason"),
            versions: Int(try row.decode("versions", as: Int64.self)))
    }

    static func load(version: Int64, on connection: PostgresConnection) async throws -> Incident {
        try incident(
            try await connection.one("SELECT \(columns) FROM incident i JOIN staff s ON s.id = i.recorded_by WHERE i.id = \(version)"))
    }

    static func latest(_ number: Int64, on connection: PostgresConnection) async throws -> Incident {
        guard
            let row = try await connection.first(
                """
                SELECT \(columns) FROM incident i JOIN staff s ON s.id = i.recorded_by
                WHERE i.incident_number = \(number) ORDER BY i.id DESC LIMIT 1
                """)
        else {
            throw DomainError(.notFound, "there is no incident \(number)")
        }
        return try incident(row)
    }

    /// Every version of an incident, the first first.
    public func history(_ number: Int64, by principal: Principal) async throws -> [Incident] {
        try await pool.withConnection { connection in
            let latest = try await Self.latest(number, on: connection)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see incidents", premisesID: latest.premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Self.columns) FROM incident i JOIN staff s ON s.id = i.recorded_by
                WHERE i.incident_number = \(number) ORDER BY i.id
                """
            ).map(Self.incident)
        }
    }

    /// A premises' incidents as they now stand (their latest versions), newest first; only
    /// those that happened on or after `since` and before `before` when given; those involving
    /// `placementID`, of `kind` and of `severity` when given.
    public func list(
        premisesID: UUID, since: Date?, before: Date? = nil, placementID: UUID? = nil, kind: String? = nil, severity: String? = nil,
        by principal: Principal
    ) async throws -> [Incident] {
        if let kind, Incident.Kind(rawValue: kind) == nil {
            throw DomainError.invalid(
                field: "kind", rule: "filter", "kind must be one of " + Incident.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if let severity, Incident.Severity(rawValue: severity) == nil {
            throw DomainError.invalid(
                field: "severity", rule: "filter",
                "severity must be one of " + Incident.Severity.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see incidents", premisesID: premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Self.columns) FROM incident i JOIN staff s ON s.id = i.recorded_by
                WHERE i.premises_id = \(premisesID) AND NOT EXISTS (SELECT 1 FROM incident later WHERE later.amends_id = i.id)
                  AND (\(since)::timestamptz IS NULL OR i.occurred_at >= \(since)::timestamptz)
                  AND (\(before)::timestamptz IS NULL OR i.occurred_at < \(before)::timestamptz)
                  AND (\(kind)::text IS NULL OR i.kind = \(kind)::text)
                  AND (\(severity)::text IS NULL OR i.severity = \(severity)::text)
                  AND (\(placementID?.uuidString)::uuid IS NULL OR \(placementID?.uuidString)::uuid = ANY (i.residents))
                ORDER BY i.occurred_at DESC, i.id DESC
                LIMIT 500
                """
            ).map(Self.incident)
        }
    }
}
