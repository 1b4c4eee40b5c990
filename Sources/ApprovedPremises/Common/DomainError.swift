import Foundation

/// A problem with one field of a request: which field, which rule, and a sentence for a person.
public struct FieldProblem: Sendable, Equatable, Codable {
    /// The field, as the API names it (`username`, `premisesId`).
    public var field: String
    /// The rule broken, as a short code (`required`, `format`, `unknown`, `unique`).
    public var rule: String
    /// What is wrong, in a sentence a person can act on.
    public var message: String

    /// A value with each field given.
    public init(field: String, rule: String, message: String) {
        self.field = field
        self.rule = rule
        self.message = message
    }
}

extension FieldProblem {
    /// The rules the API document states in its schemas (`required` with `minLength` or
    /// `minItems`, `format`, `pattern`, `enum`, `maxLength`, `type`, `minimum`/`maximum`,
    /// `additionalProperties: false`). A request that breaks one is malformed, answered 400; a
    /// well-formed request that breaks a rule only the service can judge (a time in the future,
    /// dates out of order, a code or id it does not know, a cursor it did not give out) is
    /// answered 422, so that a value the document allows is never refused as malformed.
    public static let statedByDocument: Set<String> = [
        "required", "format", "oneOf", "length", "type", "uuid", "json", "range", "additionalProperties", "dateTime", "date",
    ]

    /// Whether the document states this problem's rule.
    public var isStatedByDocument: Bool { Self.statedByDocument.contains(rule) }
}

/// An answer the domain gives on purpose: the HTTP layer maps each kind to its status.
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, in terms of what the caller can do.
    public enum Kind: Sendable, Equatable {
        /// The request is malformed or breaks a rule (400/422).
        case invalid
        /// Not signed in, or the token is unknown or expired (401).
        case unauthenticated
        /// Signed in, but not allowed to do this (403).
        case forbidden
        /// No such thing, or not one the caller may see (404).
        case notFound
        /// Clashes with what is stored (409).
        case conflict
        /// Well-formed, but cannot be done as asked (422): a reused idempotency key, say.
        case unprocessable
        /// The record changed since the caller read it (412).
        case preconditionFailed
        /// An update without `If-Match` (428).
        case preconditionRequired
        /// Too many attempts; try again after the given seconds (429).
        case rateLimited(retryAfterSeconds: Int)
        /// The database cannot be reached (503).
        case unavailable
    }

    /// What went wrong.
    public var kind: Kind
    /// A sentence a person can act on.
    public var message: String
    /// The fields concerned, for `invalid` and `conflict`.
    public var problems: [FieldProblem]

    /// A value with each field given.
    public init(_ kind: Kind, _ message: String, problems: [FieldProblem] = []) {
        self.kind = kind
        self.message = message
        self.problems = problems
    }

    /// A request with one bad field.
    public static func invalid(field: String, rule: String, _ message: String) -> DomainError {
        DomainError(.invalid, message, problems: [FieldProblem(field: field, rule: rule, message: message)])
    }

    /// A request with several bad fields.
    public static func invalid(_ problems: [FieldProblem]) -> DomainError {
        DomainError(.invalid, problems.map(\.message).joined(separator: "; "), problems: problems)
    }

    public var description: String { message }
}

/// Collects field problems and throws them together, so a form shows every mistake at once.
public struct Validation: Sendable {
    /// The problems found so far.
    public private(set) var problems: [FieldProblem] = []

    /// An empty set of checks.
    public init() {}

    /// Records a problem when `condition` is false.
    public mutating func require(_ condition: Bool, field: String, rule: String, _ message: @autoclosure () -> String) {
        if !condition {
            problems.append(FieldProblem(field: field, rule: rule, message: message()))
        }
    }

    /// Records a problem.
    public mutating func add(field: String, rule: String, _ message: String) {
        problems.append(FieldProblem(field: field, rule: rule, message: message))
    }

    /// Throws every problem recorded, if any.
    public func check() throws {
        if !problems.isEmpty {
            throw DomainError.invalid(problems)
        }
    }
}

extension DomainError {
    /// What was sent, as a message quotes it: whole when short, else its first 40 characters
    /// marked as cut, so that a message never repeats a huge input back.
    public static func quoting(_ text: String) -> String {
        text.count > 40 ? "\"\(text.prefix(40))…\" (\(text.count) characters)" : "\"\(text)\""
    }
}
