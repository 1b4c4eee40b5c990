import Postgres

/// Turns the database's refusals into answers a person can act on.
///
/// The database guards the invariants; Swift checks first for friendlier messages, but under
/// concurrency it is the constraint that fires. Each capability names its constraints here.
public enum ConstraintViolations {
    /// What each named constraint means for the caller.
    static let meanings: [String: DomainError] = [
        "staff_username_is_unique": DomainError(.conflict, "that username is taken", problems: [
            FieldProblem(field: "username", rule: "unique", message: "that username is taken")]),
        "staff_username_is_valid": .invalid(field: "username", rule: "format",
            "username must be 2-40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"),
        "staff_premises_id_fkey": .invalid(field: "premisesId", rule: "unknown", "premisesId is not a known premises"),
        "staff_region_code_fkey": .invalid(field: "regionCode", rule: "unknown", "regionCode is not a known probation region"),
        "staff_scope_matches_role": .invalid(field: "role", rule: "scope",
            "AP staff need a premisesId, a regional manager a regionCode, and other roles neither"),
        "premises_code_is_unique": DomainError(.conflict, "that premises code is taken", problems: [
            FieldProblem(field: "code", rule: "unique", message: "that premises code is taken")]),
        "premises_code_is_short": .invalid(field: "code", rule: "format",
            "code must be 2-16 characters: capital letters, digits or '-'"),
        "premises_region_code_fkey": .invalid(field: "regionCode", rule: "unknown", "regionCode is not a known probation region"),
        "premises_ap_type_code_fkey": .invalid(field: "apType", rule: "unknown", "apType is not a known AP type"),
    ]

    /// The domain's answer for a database error, or the error itself when it is not a refusal
    /// we know (which the HTTP layer then answers as a generic failure, never with its text).
    public static func translate(_ error: any Error) -> any Error {
        guard let error = error as? PostgresError else { return error }
        if let constraint = error.constraint, let meaning = meanings[constraint] {
            return meaning
        }
        switch error.kind {
        case .connectionFailure:
            return DomainError(.unavailable, "the database cannot be reached; try again in a moment")
        case .raised where error.message.contains("append-only"):
            return DomainError(.conflict, "this record is append-only: it cannot be changed or removed")
        default:
            return error
        }
    }

    /// Runs `body`, translating database refusals.
    public static func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw translate(error)
        }
    }
}
