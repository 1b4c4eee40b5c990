import Postgres

extension ConstraintViolations {
    /// What the constraints on staff accounts mean for the caller.
    static let staff: [String: DomainError] = [
        "staff_username_is_unique": DomainError(
            .conflict, "that username is taken",
            problems: [
                FieldProblem(field: "username", rule: "unique", message: "that username is taken")
            ]),
        "staff_username_is_valid": .invalid(
            field: "username", rule: "format",
            "username must be 2-40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"),
        "staff_premises_id_fkey": .invalid(field: "premisesId", rule: "unknown", "premisesId is not a known premises"),
        "staff_region_code_fkey": .invalid(field: "regionCode", rule: "unknown", "regionCode is not a known probation region"),
        "staff_team_is_a_practitioners": .invalid(field: "team", rule: "forbidden", "only a probation practitioner has a team"),
        "staff_team_is_short": .invalid(field: "team", rule: "length", "team must be at most 120 characters"),
        "staff_scope_matches_role": .invalid(
            field: "role", rule: "scope",
            "AP staff need a premisesId, a regional manager a regionCode, a probation practitioner a regionCode and an email, and other roles neither"
        ),
    ]
}
