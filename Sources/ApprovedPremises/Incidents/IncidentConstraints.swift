import Postgres

extension ConstraintViolations {
    /// What the constraints on the incident log mean for the caller.
    static let incidents: [String: DomainError] = [
        "incident_amended_once": DomainError(.preconditionFailed, "that version of the incident has already been amended; read it again")
    ]

    /// Refusals raised by the triggers on the incident log (our own words), and the field each is about.
    static let incidentsTriggers: [String: String] = [
        "incident_amendment_same_premises": "incidentNumber"
    ]
}
