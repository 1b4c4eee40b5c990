import Crypto
import Foundation
import Postgres

/// A web form's answers kept for two hours (`form_draft`, migration 0020), so that the web view
/// answers every post with a redirect: a form refused for its mistakes, a form whose answers
/// wait on a check page, a form sent after the sign-in had ended. A draft is read only by the
/// browser that sent it (the hash of its random `browserKey`) and, when it names a member of
/// staff, only by them. Keeping one changes no record, so it is not audited.
public struct FormDraftStore: Sendable {
    /// Why the answers were kept.
    public enum Reason: String, Sendable {
        /// The form had mistakes: shown again with them.
        case refused
        /// The answers wait on a check page for confirmation.
        case checked
        /// The form was sent after the sign-in had ended: offered back after signing in.
        case signedOut = "signed_out"
    }

    /// One mistake: the form field it belongs to, the element the error summary links to, and
    /// the message in the person's words.
    public struct Problem: Codable, Sendable, Equatable {
        public let field: String
        public let anchor: String
        public let message: String

        public init(field: String, anchor: String, message: String) {
            self.field = field
            self.anchor = anchor
            self.message = message
        }
    }

    /// Answers kept.
    public struct Draft: Sendable {
        public let id: UUID
        public let path: String
        public let fields: [String: [String]]
        public let problems: [Problem]
        public let reason: Reason
    }

    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Keeps a form's answers (never `password`, `csrf` or `formToken`) and answers the draft's id.
    /// Drafts past their two hours are removed in the same statement.
    public func keep(browserKey: String, staffID: UUID?, path: String, fields: [String: [String]], problems: [Problem], reason: Reason)
        async throws -> UUID
    {
        let kept = fields.filter { !["password", "csrf", "formToken"].contains($0.key) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let fieldsJSON = String(decoding: try encoder.encode(kept), as: UTF8.self)
        let problemsJSON = String(decoding: try encoder.encode(problems), as: UTF8.self)
        let row = try await pool.query(
            """
            WITH expired AS (DELETE FROM form_draft WHERE expires_at < now())
            INSERT INTO form_draft (browser_hash, staff_id, path, fields, problems, reason)
            VALUES (\(Self.hash(browserKey)), \(staffID), \(path), \(fieldsJSON)::jsonb, \(problemsJSON)::jsonb, \(reason.rawValue))
            RETURNING id
            """
        ).first
        guard let row else { throw DomainError(.unavailable, "the form's answers could not be kept") }
        return try row.decode("id")
    }

    /// The draft `id`, if this browser (and this member of staff, when it names one) kept it
    /// less than two hours ago.
    public func read(_ id: UUID, browserKey: String, staffID: UUID?) async throws -> Draft? {
        guard
            let row = try await pool.query(
                """
                SELECT id, path, fields::text AS fields, problems::text AS problems, reason FROM form_draft
                WHERE id = \(id) AND browser_hash = \(Self.hash(browserKey)) AND expires_at > now()
                  AND (staff_id IS NULL OR staff_id = \(staffID))
                """
            ).first
        else { return nil }
        let decoder = JSONDecoder()
        let fields = try decoder.decode([String: [String]].self, from: Data(try row.decode("fields", as: String.self).utf8))
        let problems = try decoder.decode([Problem].self, from: Data(try row.decode("problems", as: String.self).utf8))
        return Draft(
            id: try row.decode("id"), path: try row.decode("path"), fields: fields, problems: problems,
            reason: Reason(rawValue: try row.decode("reason", as: String.self)) ?? .refused)
    }

    static func hash(_ key: String) -> Data {
        Data(SHA256.hash(data: Data(key.utf8)))
    }
}
