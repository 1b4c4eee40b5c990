import Postgres

/// Turns the database's refusals into answers a person can act on.
///
/// The database guards the invariants; Swift checks first for friendlier messages, but under
/// concurrency it is the constraint that fires. Each capability names its constraints in its
/// own folder (`Staff/StaffConstraints.swift`, ...); this file joins them and answers.
public enum ConstraintViolations {
    /// What each named constraint means for the caller: each capability's table, kept in its
    /// own folder beside its store.
    static let meanings: [String: DomainError] = [
        staff, premises, referrals, curfew, beds, placements, nightChecks, incidents, testing, transfers,
    ]
    .reduce(into: [:]) { all, table in
        all.merge(table) { first, _ in first }
    }

    /// Refusals raised by our own triggers, whose message we wrote and may be shown as it is,
    /// and the field each is about.
    static let ownMessages: [String: String] = [bedsTriggers, placementsTriggers, incidentsTriggers, testingTriggers, transfersTriggers]
        .reduce(into: [:]) {
            all, table in
            all.merge(table) { first, _ in first }
        }

    /// The domain's answer for a database error, or the error itself when it is not a refusal
    /// we know (which the HTTP layer then answers as a generic failure, never with its text).
    public static func translate(_ error: any Error) -> any Error {
        guard let error = error as? PostgresError else { return error }
        if let constraint = error.constraint, let meaning = meanings[constraint] {
            return meaning
        }
        if let constraint = error.constraint, let field = ownMessages[constraint] {
            return DomainError.invalid(field: field, rule: constraint, error.message)
        }
        switch error.kind {
        case .connectionFailure:
            return DomainError(.unavailable, "the database cannot be reached; try again in a moment")
        case .queryCanceled:
            return DomainError(
                .unavailable,
                Task.isCancelled
                    ? "the service is stopping, so this request was stopped before it finished; try again in a moment"
                    : "the database stopped this request because it ran too long; try again in a moment")
        case .deadlockDetected, .serializationFailure:
            // Two changes of the same records at one moment (a transfer and the arrival of its
            // stay, say): the database let one through; this one changed nothing.
            return DomainError(.conflict, "someone changed the same records at the same moment, so nothing was changed; try again")
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
