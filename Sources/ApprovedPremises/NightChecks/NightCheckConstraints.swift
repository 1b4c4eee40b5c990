import Postgres

extension ConstraintViolations {
    /// What the constraints on night-check rounds mean for the caller.
    static let nightChecks: [String: DomainError] = [
        "night_check_once_per_round": DomainError(.conflict, "that round is already recorded for some of these residents")
    ]
}
