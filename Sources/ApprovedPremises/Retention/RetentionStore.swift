import Foundation
import Postgres

/// Retention: erasing the personal fields of people past the schedule (UK GDPR article 5(1)(e)).
///
/// Each person is erased in one transaction: the fields `personal_field` lists, in every record
/// the subject access export finds for them, are replaced (names and CRN by one pseudonym, the
/// date of birth and NOMS number removed, free text by "erased"), with the sealed fields' salts of
/// the chained logs, so the commitments their hashes cover stay and the chains still hold. Codes,
/// dates and counts stay as they were: the reports' figures do not change. An incident that names
/// other residents keeps its text until the last of them is erased too. The erasure is recorded
/// (`erasure`) and audited, with the pseudonym and the counts, never the CRN it replaced.
public struct RetentionStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Everyone past `schedule` now: who and what would be erased. Writes nothing.
    public func due(_ schedule: RetentionSchedule) async throws -> [Erasure] {
        try await pool.transaction(isolation: .repeatableRead) { connection in
            var found = [Erasure]()
            for person in try await Self.duePeople(schedule, on: connection) {
                let plan = try await Self.plan(person.crn, on: connection)
                found.append(
                    Erasure(
                        crn: person.crn, names: plan.names, kind: person.kind, years: schedule.years(of: person.kind),
                        lastEndedOn: person.lastEnded, records: plan.counts))
            }
            return found
        }
    }

    /// Erases everyone past `schedule`, each in a transaction of their own, and says who (by
    /// pseudonym) and how many records. `erasedBy` is who ran it, as the erasure record keeps it.
    /// Running it again finds nobody: an erased person has no CRN left to be due under.
    public func apply(_ schedule: RetentionSchedule, erasedBy: String) async throws -> [Erasure] {
        var done = [Erasure]()
        let people = try await pool.withConnection { try await Self.duePeople(schedule, on: $0) }
        for person in people {
            let erased = try await pool.transaction { connection -> Erasure? in
                // One run at a time (two services, or the job beside `ap db retention`), and the
                // person due still, under the lock.
                _ = try await connection.query("SELECT pg_advisory_xact_lock(hashtextextended('retention', 0))")
                guard try await Self.duePeople(schedule, on: connection, only: person.crn).first != nil else { return nil }
                return try await Self.erase(person, years: schedule.years(of: person.kind), erasedBy: erasedBy, on: connection)
            }
            if let erased { done.append(erased) }
        }
        return done
    }

    /// A person due under the schedule.
    struct DuePerson {
        var crn: String
        var kind: String
        var lastEnded: CalendarDate
    }

    /// Who is due: no stay still running and no referral still open, and the last of them ended
    /// longer ago than the schedule's years for their kind (in the APs' local dates).
    static func duePeople(_ schedule: RetentionSchedule, on connection: PostgresConnection, only: String? = nil) async throws -> [DuePerson]
    {
        try await connection.query(
            """
            WITH stays AS (
                SELECT p.crn, bool_or(coalesce(p.departed_at, p.cancelled_at, p.non_arrived_at) IS NULL) AS open,
                       max(coalesce(p.departed_at, p.cancelled_at, p.non_arrived_at)) AS ended
                FROM placement p WHERE p.crn !~ '^ERASED-' AND (\(only)::text IS NULL OR p.crn = \(only)) GROUP BY p.crn),
            referrals AS (
                SELECT r.crn, bool_or(r.status NOT IN ('rejected', 'withdrawn', 'booked', 'unable_to_match')) AS open,
                       max(r.updated_at) AS ended, max(r.updated_at) FILTER (WHERE r.status <> 'booked') AS closed
                FROM referral r WHERE r.crn !~ '^ERASED-' AND (\(only)::text IS NULL OR r.crn = \(only)) GROUP BY r.crn),
            people AS (
                SELECT coalesce(s.crn, f.crn) AS crn, CASE WHEN s.crn IS NULL THEN 'referrals' ELSE 'stays' END AS kind,
                       coalesce(s.open, false) OR coalesce(f.open, false) AS open,
                       CASE WHEN s.crn IS NULL THEN f.ended ELSE greatest(s.ended, f.closed) END AS ended
                FROM stays s FULL JOIN referrals f ON f.crn = s.crn)
            SELECT crn, kind, to_char(ended AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS ended_on FROM people
            WHERE NOT open
              AND ended < now() - make_interval(years => CASE kind WHEN 'stays' THEN \(schedule.stays)::integer ELSE \(schedule.referrals)::integer END)
            ORDER BY ended, crn
            """
        ).map { row in
            let ended: String = try row.decode("ended_on")
            guard let date = CalendarDate(ended) else {
                throw DomainError(.unavailable, "the database gave a date that is not one: \(ended)")
            }
            return DuePerson(crn: try row.decode("crn"), kind: try row.decode("kind"), lastEnded: date)
        }
    }

    /// A person's records, pinned by id before anything is changed (the conditions that find them
    /// read the CRN that erasure replaces).
    struct Plan {
        var names: [String]
        var referrals: [String]
        var stays: [String]
        /// Each section's rows with personal fields, by table.
        var counts: [String: Int]
        /// Every record's key, for the audit rows about them: table and id.
        var entities: [String]
        var ids: [String]
    }

    /// The fields erasure replaces, by table, and with what (migration 0026's `personal_field`).
    static func personalFields(on connection: PostgresConnection) async throws -> [String: [(column: String, replacement: String)]] {
        var fields = [String: [(column: String, replacement: String)]]()
        for row in try await connection.query("SELECT table_name, column_name, replacement FROM personal_field ORDER BY 1, 2") {
            fields[try row.decode("table_name"), default: []].append((try row.decode("column_name"), try row.decode("replacement")))
        }
        return fields
    }

    /// The condition of a section's rows that erasure changes: the export's, except that an
    /// incident naming other residents waits until each of them is erased too.
    static func condition(_ section: SubjectAccessSection) -> String {
        guard section.table == "incident" else { return section.condition }
        return """
            (\(section.condition)) AND NOT EXISTS (SELECT 1 FROM placement o WHERE o.id = ANY (x.residents)
                AND o.id NOT IN (SELECT id FROM p) AND o.crn !~ '^ERASED-')
            """
    }

    /// The export's relations (`subject`, `r`, `p`) over pinned ids.
    static func pinned(_ crn: String, referrals: [String], stays: [String]) -> SQL {
        """
        WITH subject AS (SELECT \(crn)::text AS crn),
             r AS (SELECT unnest(\(referrals)::uuid[]) AS id),
             p AS (SELECT unnest(\(stays)::uuid[]) AS id)
        """
    }

    /// Which rows erasure would change, for `crn`.
    static func plan(_ crn: String, on connection: PostgresConnection) async throws -> Plan {
        func strings(_ sql: SQL) async throws -> [String] { try await connection.query(sql).map { try $0.decode("v") } }
        var plan = Plan(
            names: try await strings(
                "SELECT person_name AS v FROM referral WHERE crn = \(crn) UNION SELECT person_name FROM placement WHERE crn = \(crn) ORDER BY 1"
            ),
            referrals: try await strings("SELECT id::text AS v FROM referral WHERE crn = \(crn) ORDER BY 1"),
            stays: try await strings(
                """
                SELECT id::text AS v FROM placement WHERE crn = \(crn) OR referral_id IN (SELECT id FROM referral WHERE crn = \(crn)) ORDER BY 1
                """),
            counts: [:], entities: [], ids: [])
        let fields = try await personalFields(on: connection)
        for section in SubjectAccessCatalogue.sections {
            let rows = try await connection.query(
                """
                \(pinned(crn, referrals: plan.referrals, stays: plan.stays))
                SELECT coalesce(to_jsonb(x)->>'id', to_jsonb(x)->>'placement_id') AS key,
                       \(unsafeSQL: personalTest(fields[section.table] ?? [])) AS personal
                FROM \(unsafeSQL: section.table) x WHERE \(unsafeSQL: condition(section))
                """)
            for row in rows {
                guard let key = try row.decode("key", as: String?.self) else { continue }
                for spelling in Set([key, key.uppercased()]) {
                    plan.entities.append(section.table)
                    plan.ids.append(spelling)
                }
                if try row.decode("personal", as: Bool.self) { plan.counts[section.table, default: 0] += 1 }
            }
        }
        let audit: Int = try await connection.one("SELECT count(*) AS n FROM audit_event x WHERE \(auditRows(plan, crn: crn))").decode("n")
        if audit > 0 { plan.counts["audit_event"] = audit }
        return plan
    }

    /// The audit log's rows erasure empties (`x`): those about one of the person's own records,
    /// found by key through the index, and those about a shared record (an incident, a night's
    /// round, a handover: any entity but the export's one-person tables) whose before or after
    /// names one of their stays, referrals or their CRN. A shared record's copy in the audit log
    /// goes with the first resident erased; the record itself stays for the others.
    static func auditRows(_ plan: Plan, crn: String) -> SQL {
        let pattern = ([crn] + plan.stays + plan.referrals).joined(separator: "|")
        let personal = SubjectAccessCatalogue.sections.map(\.table).filter { $0 != "incident" }
        return """
            (x.before IS NOT NULL OR x.after IS NOT NULL)
            AND ((x.entity, x.entity_id) IN (SELECT * FROM unnest(\(plan.entities)::text[], \(plan.ids)::text[]))
                 OR (x.entity <> ALL (\(personal)::text[])
                     AND coalesce(x.before::text, '') || coalesce(x.after::text, '') ~* \(pattern)))
            """
    }

    /// SQL saying whether a row `x` still holds a personal field erasure would change.
    static func personalTest(_ fields: [(column: String, replacement: String)]) -> String {
        guard !fields.isEmpty else { return "false" }
        return "("
            + fields.map { field in
                switch field.replacement {
                case "pseudonym": "x.\(field.column) !~ '^ERASED-'"
                case "erased": "x.\(field.column) IS DISTINCT FROM 'erased' AND x.\(field.column) IS NOT NULL"
                case "empty": "x.\(field.column) IS DISTINCT FROM '{}'::jsonb"
                default: "x.\(field.column) IS NOT NULL"
                }
            }.joined(separator: " OR ") + ")"
    }

    /// The assignment of one personal field's replacement (a NULL stays NULL).
    static func assignment(_ column: String, _ replacement: String) -> String {
        let value =
            switch replacement {
            case "pseudonym": "(SELECT pseudonym FROM erasing)"
            case "erased": "'erased'"
            case "empty": "'{}'::jsonb"
            default: "NULL"
            }
        return value == "NULL" ? "\(column) = NULL" : "\(column) = CASE WHEN x.\(column) IS NULL THEN NULL ELSE \(value) END"
    }

    /// Erases one person, in the caller's transaction.
    static func erase(_ person: DuePerson, years: Int, erasedBy: String, on connection: PostgresConnection) async throws -> Erasure {
        // The append-only triggers let an erasure through (and nothing else); no e-mail is written.
        _ = try await connection.query("SELECT set_config('ap.erasing', 'on', true), set_config('ap.outbox', 'off', true)")
        let plan = try await plan(person.crn, on: connection)
        var pseudonym: String
        repeat {
            pseudonym = "ERASED-" + String(UInt32.random(in: .min ... .max), radix: 16, uppercase: true).leftPadded(to: 8)
        } while try await !connection.query("SELECT 1 FROM erasure WHERE pseudonym = \(pseudonym)").isEmpty
        let fields = try await personalFields(on: connection)
        let erasing = SQL("erasing AS (SELECT \(pseudonym)::text AS pseudonym)")
        var sets = [String: [String]]()
        for (table, columns) in fields { sets[table] = columns.map { assignment($0.column, $0.replacement) } }
        for table in ChainEncoding.sealed.keys where sets[table] != nil {
            let sealed = (ChainEncoding.sealed[table] ?? []).sorted().map { "'\($0)'" }.joined(separator: ", ")
            sets[table]?.append("salts = x.salts - ARRAY[\(sealed)]::text[]")
            sets[table]?.append("erased_at = now()")
        }
        for section in SubjectAccessCatalogue.sections {
            guard let assignments = sets[section.table], let columns = fields[section.table] else { continue }
            _ = try await connection.execute(
                """
                \(pinned(person.crn, referrals: plan.referrals, stays: plan.stays)), \(erasing)
                UPDATE \(unsafeSQL: section.table) x SET \(unsafeSQL: assignments.joined(separator: ", "))
                WHERE (\(unsafeSQL: condition(section))) AND \(unsafeSQL: personalTest(columns))
                """)
        }
        _ = try await connection.execute(
            """
            WITH \(erasing)
            UPDATE audit_event x SET \(unsafeSQL: (sets["audit_event"] ?? []).joined(separator: ", "))
            WHERE \(auditRows(plan, crn: person.crn))
            """)
        let erasure = Erasure(
            crn: pseudonym, names: [], kind: person.kind, years: years, lastEndedOn: person.lastEnded, records: plan.counts)
        let id: Int64 = try await connection.one(
            """
            INSERT INTO erasure (pseudonym, kind, years, last_ended_on, records, erased_by)
            VALUES (\(pseudonym), \(person.kind), \(years), \(person.lastEnded.description)::date, \(try JSON.string(plan.counts))::jsonb, \(erasedBy))
            RETURNING id
            """
        ).decode("id")
        try await AuditLog.record(
            on: connection, by: nil, action: "retention.erase", entity: "erasure", entityID: String(id), before: Erasure?.none,
            after: erasure)
        return erasure
    }
}

extension String {
    /// The string with zeros before it up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
