import Postgres

extension ConstraintViolations {
    /// What the constraints on premises mean for the caller.
    static let premises: [String: DomainError] = [
        "premises_telephone_is_a_number": .invalid(
            field: "telephone", rule: "format", "telephone must be at most 40 digits, spaces, '+', '(', ')' or '-'"),
        "premises_code_is_unique": DomainError(
            .conflict, "that premises code is taken",
            problems: [
                FieldProblem(field: "code", rule: "unique", message: "that premises code is taken")
            ]),
        "premises_code_is_short": .invalid(
            field: "code", rule: "format",
            "code must be 2-16 characters: capital letters, digits or '-'"),
        "premises_region_code_fkey": .invalid(field: "regionCode", rule: "unknown", "regionCode is not a known probation region"),
        "premises_ap_type_code_fkey": .invalid(field: "apType", rule: "unknown", "apType is not a known AP type"),
        "premises_feature_characteristic_code_fkey": .invalid(
            field: "characteristics", rule: "unknown",
            "characteristics may hold only premises characteristic codes (premises_characteristics.csv)"),
    ]
}
