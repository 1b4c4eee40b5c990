import Postgres

extension ConstraintViolations {
    /// What the constraints on drug and alcohol tests mean for the caller.
    static let testing: [String: DomainError] = [
        "substance_test_result_pkey": DomainError(.conflict, "the test's results are already recorded"),
        "substance_test_custody_pkey": DomainError(.conflict, "that custody step is already recorded"),
    ]

    /// Refusals raised by the triggers on drug and alcohol tests (our own words), and the field each is about.
    static let testingTriggers: [String: String] = [
        "custody_steps_in_order": "at"
    ]
}
