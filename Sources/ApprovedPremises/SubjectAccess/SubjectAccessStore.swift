import Foundation
import Postgres

/// Everything held about one person, in the form HMPPS services answer subject access requests
/// with: each section of ``SubjectAccessCatalogue`` with its records in the date range, other
/// residents shown only as "another resident", staff by name and role, premises by name.
public struct SubjectAccessExport: Sendable, Equatable, Codable {
    /// The person's case reference number.
    public var crn: String
    /// The names they were referred or booked under.
    public var names: [String]
    /// The range asked for (each end optional, dates in the APs' local time).
    public var fromDate: CalendarDate?
    public var toDate: CalendarDate?
    /// Every section, in the catalogue's order; empty ones too, so a reader sees what was looked for.
    public var sections: [Section]

    /// One kind of record.
    public struct Section: Sendable, Equatable, Codable {
        public var name: String
        public var title: String
        /// Each record as stored, every column of its row (hashes apart).
        public var records: [JSONValue]
    }

    /// The section with that name.
    public subscript(section name: String) -> [JSONValue] {
        sections.first { $0.name == name }?.records ?? []
    }
}

/// What a subject access request is answered with.
public enum SubjectAccessAnswer: Sendable, Equatable {
    /// Records held about the person in the range.
    case content(SubjectAccessExport)
    /// Nothing held about the person in the range (HTTP 204).
    case nothingHeld
    /// Only an identifier of a kind this service does not key on (a prison number alone: 209).
    case identifierNotHeld
}

/// Subject access (UK GDPR article 15): the export of everything held about a person.
public struct SubjectAccessStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who answers subject access requests: the subject access officer, and administrators.
    public static let officers: Set<Role> = [.sarOfficer, .administrator]

    /// The export for a CRN (`prn`, a prison number, is not what this service keys on: given
    /// alone it is answered ``SubjectAccessAnswer/identifierNotHeld``).
    public func export(
        crn: String?, prn: String?, from: CalendarDate?, to: CalendarDate?, by principal: Principal
    ) async throws -> SubjectAccessAnswer {
        try principal.require(Self.officers, to: "answer subject access requests")
        var problems = Validation()
        if let crn, crn.wholeMatch(of: /[A-Z][0-9]{6}/) == nil {
            problems.add(
                field: "crn", rule: "format", "crn must be a case reference number: a capital letter and six digits, such as X123456")
        }
        if let prn, prn.wholeMatch(of: /[A-Z][0-9]{4}[A-Z]{2}/) == nil {
            problems.add(
                field: "prn", rule: "format", "prn must be a prison number: a letter, four digits and two letters, such as A1234BC")
        }
        if crn == nil, prn == nil {
            problems.add(field: "crn", rule: "required", "give crn (the case reference number), prn (the prison number) or both")
        }
        if let from, let to, from > to {
            problems.add(field: "fromDate", rule: "order", "fromDate must be on or before toDate")
        }
        try problems.check()
        guard let crn else { return .identifierNotHeld }
        return try await pool.transaction(isolation: .repeatableRead) { connection in
            let names = try await connection.query(
                """
                SELECT person_name FROM referral WHERE crn = \(crn) UNION SELECT person_name FROM placement WHERE crn = \(crn)
                ORDER BY 1
                """
            ).map { try $0.decode("person_name", as: String.self) }
            guard !names.isEmpty else { return .nothingHeld }
            var sections = [SubjectAccessExport.Section]()
            for section in SubjectAccessCatalogue.sections {
                let records = try await Self.records(section, crn: crn, from: from, to: to, on: connection)
                sections.append(.init(name: section.name, title: section.title, records: records))
            }
            sections.append(try await Self.changes(to: sections, crn: crn, from: from, to: to, on: connection))
            guard sections.contains(where: { !$0.records.isEmpty }) else { return .nothingHeld }
            let export = SubjectAccessExport(
                crn: crn, names: names, fromDate: from, toDate: to,
                sections: try await Self.named(sections, crn: crn, on: connection))
            try await AccessLog.record(.subjectAccessExport, crn: crn, by: principal, on: connection)
            return .content(export)
        }
    }

    /// The person's referrals (`r`), stays (`p`) and CRN (`subject`), for a section's condition.
    static func subject(_ crn: String) -> SQL {
        """
        WITH subject AS (SELECT \(crn)::text AS crn),
             r AS (SELECT id FROM referral WHERE crn = \(crn)),
             p AS (SELECT id FROM placement WHERE crn = \(crn) OR referral_id IN (SELECT id FROM referral WHERE crn = \(crn)))
        """
    }

    /// A section's records in the range, oldest first.
    static func records(
        _ section: SubjectAccessSection, crn: String, from: CalendarDate?, to: CalendarDate?, on connection: PostgresConnection
    ) async throws -> [JSONValue] {
        try await connection.query(
            """
            \(subject(crn))
            SELECT (to_jsonb(x) - 'entry_hash' - 'previous_hash')::text AS record FROM \(unsafeSQL: section.table) x
            WHERE (\(unsafeSQL: section.condition))
              AND (\(from)::date IS NULL OR ((\(unsafeSQL: section.until)) AT TIME ZONE 'Europe/London')::date >= \(from)::date)
              AND (\(to)::date IS NULL OR ((\(unsafeSQL: section.from)) AT TIME ZONE 'Europe/London')::date <= \(to)::date)
            ORDER BY \(unsafeSQL: section.from)
            """
        ).map { try JSONValue(json: try $0.decode("record")) }
    }

    /// The audit log's rows about the records of `sections` (by table and id, spelt as stored or in
    /// capitals, as some stores write a stay's id; a move-on plan, which has no id of its own, by its
    /// stay's), in the range.
    static func changes(
        to sections: [SubjectAccessExport.Section], crn: String, from: CalendarDate?, to: CalendarDate?,
        on connection: PostgresConnection
    ) async throws -> SubjectAccessExport.Section {
        var entities = [String]()
        var ids = [String]()
        for (section, exported) in zip(SubjectAccessCatalogue.sections, sections) {
            for record in exported.records {
                let id: String
                switch record["id"] ?? record["placement_id"] {
                case .string(let text): id = text
                case .number(let number): id = String(Int64(number))
                default: continue
                }
                for spelling in Set([id, id.uppercased()]) {
                    entities.append(section.table)
                    ids.append(spelling)
                }
            }
        }
        let audit = SubjectAccessCatalogue.audit
        let records = try await connection.query(
            """
            SELECT (to_jsonb(x) - 'entry_hash' - 'previous_hash')::text AS record
            FROM unnest(\(entities)::text[], \(ids)::text[]) AS k(entity, entity_id)
            JOIN audit_event x ON x.entity = k.entity AND x.entity_id = k.entity_id
            WHERE (\(from)::date IS NULL OR (x.occurred_at AT TIME ZONE 'Europe/London')::date >= \(from)::date)
              AND (\(to)::date IS NULL OR (x.occurred_at AT TIME ZONE 'Europe/London')::date <= \(to)::date)
            ORDER BY x.occurred_at, x.id
            """
        ).map { try JSONValue(json: try $0.decode("record")) }
        return .init(name: audit.name, title: audit.title, records: records)
    }

    /// The sections with every id of a member of staff replaced by their name and role, of a
    /// premises by its name, and of another resident's stay or referral by "another resident".
    static func named(
        _ sections: [SubjectAccessExport.Section], crn: String, on connection: PostgresConnection
    ) async throws -> [SubjectAccessExport.Section] {
        let ids = Set(sections.flatMap { $0.records.flatMap(\.strings) }.filter { $0.count == 36 && UUID(uuidString: $0) != nil })
        var names = [String: String]()
        let rows = try await connection.query(
            """
            \(subject(crn))
            SELECT s.id::text AS id, s.display_name AS name, s.role AS role FROM staff s WHERE s.id::text = ANY (\(Array(ids))::text[])
            UNION ALL
            SELECT pr.id::text, pr.name, NULL FROM premises pr WHERE pr.id::text = ANY (\(Array(ids))::text[])
            UNION ALL
            SELECT o.id::text, 'another resident', NULL FROM placement o
            WHERE o.id::text = ANY (\(Array(ids))::text[]) AND o.id NOT IN (SELECT id FROM p)
            UNION ALL
            SELECT o.id::text, 'another resident', NULL FROM referral o
            WHERE o.id::text = ANY (\(Array(ids))::text[]) AND o.id NOT IN (SELECT id FROM r)
            """)
        for row in rows {
            let name: String = try row.decode("name")
            let role = try row.decode("role", as: String?.self).flatMap(Role.init(rawValue:))
            names[try row.decode("id")] = role.map { "\(name) (\($0.title))" } ?? name
        }
        return sections.map { section in
            var named = section
            named.records = section.records.map { $0.replacingStrings { names[$0] } }
            return named
        }
    }
}
