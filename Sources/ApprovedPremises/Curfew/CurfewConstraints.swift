import Postgres

extension ConstraintViolations {
    /// What the constraints on the curfew log and variations mean for the caller.
    static let curfew: [String: DomainError] = [
        "curfew_variation_never_overlaps": DomainError(.conflict, "the resident already has a curfew variation on some of those nights"),
        "movement_corrects_id_fkey": .invalid(field: "entryId", rule: "unknown", "there is no such log entry to correct"),
    ]
}
