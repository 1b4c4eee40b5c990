import Foundation
import Postgres

/// Referrals a practitioner is writing, page by page: each page's answers are saved only when
/// the intake rules of its fields hold (the same rules, in `ReferralDetails.validate` and
/// `ReferralStore.checkVocabulary`, as a referral sent whole), so a draft never holds an answer
/// the referral could not; submitted, a draft becomes a referral in the queue as `submitted`,
/// owned by its writer. A draft is its writer's alone: anyone else is told there is none (404).
public struct ReferralDraftStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    static let columns: SQL = """
        d.id, d.owner_id, d.answers::text AS answers, array_to_string(d.sections_saved, ',') AS sections_saved, d.version,
        d.created_at, d.updated_at
        """

    static func draft(_ row: PostgresRow) throws -> ReferralDraft {
        let answers = try JSONDecoder().decode(ReferralAnswers.self, from: Data(try row.decode("answers", as: String.self).utf8))
        let saved = Set((try row.decode("sections_saved", as: String.self)).split(separator: ",").map(String.init))
        return ReferralDraft(
            id: try row.decode("id"), ownerID: try row.decode("owner_id"), answers: answers,
            sectionsSaved: ReferralDraft.Section.allCases.filter { saved.contains($0.rawValue) }, version: try row.decode("version"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// Starts a draft with no answers.
    public func start(by principal: Principal) async throws -> ReferralDraft {
        try principal.require(Self.writers, to: "write referrals")
        return try await pool.transaction { connection in
            let draft = try Self.draft(
                try await connection.one(
                    "INSERT INTO referral_draft AS d (owner_id) VALUES (\(principal.staffID)) RETURNING \(Self.columns)"))
            try await AuditLog.record(
                on: connection, by: principal, action: "referral_draft.start", entity: "referral_draft",
                entityID: draft.id.uuidString, before: ReferralDraft?.none, after: draft)
            return draft
        }
    }

    /// The caller's drafts not yet submitted, the most recently changed first.
    public func mine(by principal: Principal) async throws -> [ReferralDraft] {
        try principal.require(Self.writers, to: "write referrals")
        return try await pool.query(
            """
            SELECT \(Self.columns) FROM referral_draft d WHERE d.owner_id = \(principal.staffID) AND d.referral_id IS NULL
            ORDER BY d.updated_at DESC, d.id
            """
        ).map(Self.draft)
    }

    /// One of the caller's drafts not yet submitted.
    public func get(_ id: UUID, by principal: Principal) async throws -> ReferralDraft {
        try principal.require(Self.writers, to: "write referrals")
        return try await pool.withConnection { try await Self.load(id, of: principal, on: $0, lock: false) }
    }

    static func load(_ id: UUID, of principal: Principal, on connection: PostgresConnection, lock: Bool) async throws -> ReferralDraft {
        let lockClause: SQL = lock ? "FOR UPDATE" : ""
        guard
            let row = try await connection.first(
                """
                SELECT \(Self.columns), d.referral_id FROM referral_draft d WHERE d.id = \(id) AND d.owner_id = \(principal.staffID)
                \(lockClause)
                """)
        else {
            throw DomainError(.notFound, "there is no draft referral \(id.uuidString.lowercased()), or it is not yours")
        }
        if let referral: UUID = try row.decode("referral_id") {
            throw DomainError(
                .conflict, "this draft was submitted: it is referral \(referral.uuidString.lowercased()) now, and can no longer change")
        }
        return try draft(row)
    }

    /// Saves one page's answers, if the rules of its fields hold (every problem of the page at
    /// once, named by field); a page with mistakes saves nothing. With `expectedVersion`, only
    /// if nobody saved the draft since it was read (another browser, say).
    public func save(
        _ id: UUID, section: ReferralDraft.Section, answers page: ReferralAnswers, expectedVersion: Int?, by principal: Principal,
        today: CalendarDate
    ) async throws -> ReferralDraft {
        try principal.require(Self.writers, to: "write referrals")
        return try await pool.transaction { connection in
            let before = try await Self.load(id, of: principal, on: connection, lock: true)
            if let expectedVersion, expectedVersion != before.version {
                throw DomainError(.preconditionFailed, "this draft was saved elsewhere since you read it; read it again")
            }
            let answers = try before.answers.replacing(section, with: page)
            let referrer = try await Self.referrer(principal, on: connection)
            let problems = try await Self.problems(of: answers, referrer: referrer, today: today, on: connection)
                .filter { section.fields.contains($0.field) }
            if !problems.isEmpty { throw DomainError.invalid(problems) }
            let json = String(decoding: try JSONEncoder().encode(answers), as: UTF8.self)
            let after = try Self.draft(
                try await connection.one(
                    """
                    UPDATE referral_draft AS d SET answers = \(json)::jsonb, version = d.version + 1, updated_at = now(),
                        sections_saved = ARRAY(SELECT DISTINCT unnest(d.sections_saved || \(section.rawValue)::text) ORDER BY 1)
                    WHERE d.id = \(id)
                    RETURNING \(Self.columns)
                    """))
            try await AuditLog.record(
                on: connection, by: principal, action: "referral_draft.save", entity: "referral_draft",
                entityID: id.uuidString, before: before, after: after)
            return after
        }
    }

    /// One of the caller's drafts with every problem it would be refused for if submitted now,
    /// by field (for the check page).
    public func checked(_ id: UUID, by principal: Principal, today: CalendarDate) async throws -> (ReferralDraft, [FieldProblem]) {
        try principal.require(Self.writers, to: "write referrals")
        return try await pool.withConnection { connection in
            let draft = try await Self.load(id, of: principal, on: connection, lock: false)
            let problems = try await Self.problems(
                of: draft.answers, referrer: try await Self.referrer(principal, on: connection), today: today, on: connection)
            return (draft, problems)
        }
    }

    /// Who writes drafts: probation practitioners, and the referral unit entering a referral on
    /// a practitioner's behalf (a referral sent on paper or by e-mail).
    public static let writers: Set<Role> = ReferralStore.practitioners.union(ReferralStore.intake)

    /// Submits a complete draft, once its writer declares it true: it becomes a referral in the
    /// queue (`submitted`), owned by the practitioner, with their name, e-mail, team and region as
    /// the referrer's; the draft names it and can change no more. A practitioner submits their
    /// own; the referral unit names the practitioner it is for (`practitioner`: their user name
    /// or e-mail address, an active probation practitioner's account, never guessed).
    public func submit(_ id: UUID, declaration: Bool, practitioner: String? = nil, by principal: Principal, today: CalendarDate)
        async throws -> Referral
    {
        try principal.require(Self.writers, to: "write referrals")
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let draft = try await Self.load(id, of: principal, on: connection, lock: true)
                var problems = [FieldProblem]()
                let missing = ReferralDraft.Section.allCases.filter { !draft.sectionsSaved.contains($0) }
                if !missing.isEmpty {
                    problems.append(
                        FieldProblem(
                            field: "sections", rule: "incomplete",
                            message: "complete every section first; not yet saved: \(missing.map(\.title).joined(separator: ", "))"))
                }
                if !declaration {
                    problems.append(
                        FieldProblem(
                            field: "declaration", rule: "needed",
                            message: "declaration: confirm that the information is true to the best of your knowledge"))
                }
                var referrer = try await Self.referrer(principal, on: connection)
                if principal.role == .probationPractitioner {
                    if practitioner != nil {
                        problems.append(
                            FieldProblem(
                                field: "practitioner", rule: "own",
                                message: "practitioner is for the referral unit entering a referral on someone's behalf: yours is your own")
                        )
                    }
                } else {
                    let (found, problem) = try await Self.practitioner(practitioner, on: connection)
                    if let found { referrer = found }
                    if let problem { problems.append(problem) }
                }
                problems += try await Self.problems(of: draft.answers, referrer: referrer, today: today, on: connection)
                if !problems.isEmpty { throw DomainError.invalid(problems) }
                let details = draft.answers.details(referrer: referrer, today: today).0.normalised()
                let referral = try await ReferralStore.insert(details, owner: referrer.id, by: principal, on: connection)
                try await connection.execute(
                    """
                    UPDATE referral_draft SET referral_id = \(referral.id), submitted_at = now(), version = version + 1, updated_at = now()
                    WHERE id = \(id)
                    """)
                try await AuditLog.record(
                    on: connection, by: principal, action: "referral_draft.submit", entity: "referral_draft",
                    entityID: id.uuidString, before: draft, after: referral.id.uuidString)
                return referral
            }
        }
    }

    /// Discards a draft not yet submitted.
    public func discard(_ id: UUID, by principal: Principal) async throws {
        try principal.require(Self.writers, to: "write referrals")
        try await pool.transaction { connection in
            let draft = try await Self.load(id, of: principal, on: connection, lock: true)
            try await connection.execute("DELETE FROM referral_draft WHERE id = \(id)")
            try await AuditLog.record(
                on: connection, by: principal, action: "referral_draft.discard", entity: "referral_draft",
                entityID: id.uuidString, before: draft, after: ReferralDraft?.none)
        }
    }

    /// The account of the practitioner writing: the referrer of what they submit.
    /// The active probation practitioner whose user name or e-mail address is `text` (either,
    /// ignoring case): one account, or the problem that names why not.
    static func practitioner(_ text: String?, on connection: PostgresConnection) async throws -> (staff: Staff?, problem: FieldProblem?) {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return (
                nil,
                FieldProblem(
                    field: "practitioner", rule: "needed",
                    message: "practitioner: give the user name or e-mail address of the probation practitioner it is for")
            )
        }
        let found = try await connection.query(
            """
            SELECT \(StaffStore.columns) FROM staff s
            WHERE s.role = 'probation_practitioner' AND s.active AND (lower(s.username) = lower(\(text)) OR lower(s.email) = lower(\(text)))
            LIMIT 2
            """
        ).map(StaffStore.staff)
        switch found.count {
        case 1: return (found[0], nil)
        case 0:
            return (
                nil,
                FieldProblem(
                    field: "practitioner", rule: "unknown",
                    message: "practitioner: no active probation practitioner has the user name or e-mail address \(text)")
            )
        default:
            return (
                nil,
                FieldProblem(
                    field: "practitioner", rule: "ambiguous",
                    message: "practitioner: more than one probation practitioner has the e-mail address \(text); give their user name")
            )
        }
    }

    static func referrer(_ principal: Principal, on connection: PostgresConnection) async throws -> Staff {
        try StaffStore.staff(from: try await connection.one("SELECT \(StaffStore.columns) FROM staff s WHERE s.id = \(principal.staffID)"))
    }

    /// The problems of a whole draft: answers missing or unreadable, then the intake rules and
    /// vocabularies, each field named once (its first problem).
    static func problems(of answers: ReferralAnswers, referrer: Staff, today: CalendarDate, on connection: PostgresConnection)
        async throws -> [FieldProblem]
    {
        let (details, unread) = answers.details(referrer: referrer, today: today)
        var problems = unread
        let normalised = details.normalised()
        for check in [
            { try normalised.validate(today: today) }, { try await ReferralStore.checkVocabulary(normalised, on: connection) },
        ] as [() async throws -> Void] {
            do {
                try await check()
            } catch let error as DomainError where error.kind == .invalid {
                problems += error.problems
            }
        }
        var named = Set<String>()
        return problems.filter { ReferralDraft.Section.asking($0.field) != nil && named.insert($0.field).inserted }
    }
}
