/// A failure reported by PostgreSQL or by libpq, sorted by what the caller can do about it.
///
/// Its `description` is deliberately generic, so no SQL or personal data reaches a response or
/// a log line by accident; the server's own words are in `String(reflecting:)`.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Equatable {
        /// 23505: a unique constraint refused a duplicate.
        case uniqueViolation
        /// 23P01: an exclusion constraint refused an overlap (a double booking, say).
        case exclusionViolation
        /// 23503: a reference to a row that does not exist, or a row still referred to.
        case foreignKeyViolation
        /// 23514: a check constraint refused a value.
        case checkViolation
        /// 23502: a required column was left empty.
        case notNullViolation
        /// 40001: the transaction could not be serialised; it can be retried.
        case serializationFailure
        /// 40P01: a deadlock was broken by aborting this transaction; it can be retried.
        case deadlockDetected
        /// 22xxx: a value the server could not read (a malformed date, say).
        case invalidValue
        /// A trigger or function raised the error on purpose (P0001), such as an append-only table.
        case raised
        /// The connection could not be made, or was lost.
        case connectionFailure
        /// 57014: the statement was stopped: it ran past its statement timeout, or it was cancelled
        /// (the task waiting for it was cancelled, the service is stopping).
        case queryCanceled
        /// Anything else.
        case other
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// The constraint that was violated, when there was one.
    public var constraint: String?
    /// The table concerned, when there was one.
    public var table: String?
    /// The column concerned, when there was one.
    public var column: String?
    /// The server's or libpq's message. May contain data: never show it to a user.
    public var message: String
    /// The server's detail line. May contain data: never show it to a user.
    public var detail: String?

    /// A value with each field given.
    public init(
        kind: Kind, sqlState: String? = nil, constraint: String? = nil, table: String? = nil,
        column: String? = nil, message: String, detail: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.constraint = constraint
        self.table = table
        self.column = column
        self.message = message
        self.detail = detail
    }

    /// The kind that a SQLSTATE stands for.
    public static func kind(forSQLState state: String?) -> Kind {
        guard let state else { return .other }
        switch state {
        case "23505": return .uniqueViolation
        case "23P01": return .exclusionViolation
        case "23503": return .foreignKeyViolation
        case "23514": return .checkViolation
        case "23502": return .notNullViolation
        case "40001": return .serializationFailure
        case "40P01": return .deadlockDetected
        case "P0001": return .raised
        case "57014": return .queryCanceled
        default:
            if state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03" {
                return .connectionFailure
            }
            if state.hasPrefix("22") { return .invalidValue }
            return .other
        }
    }

    /// Whether running the whole transaction again may succeed.
    public var isTransient: Bool {
        kind == .serializationFailure || kind == .deadlockDetected
    }

    public var description: String {
        switch kind {
        case .connectionFailure: "the database cannot be reached"
        default: "database error \(sqlState ?? "-") (\(kind))"
        }
    }

    public var debugDescription: String {
        var text = "PostgresError(\(kind), sqlState: \(sqlState ?? "-")"
        if let constraint { text += ", constraint: \(constraint)" }
        text += ", message: \(message)"
        if let detail { text += ", detail: \(detail)" }
        return text + ")"
    }
}
