import Postgres

extension ConstraintViolations {
    /// What the constraints on rooms, beds and out-of-service periods mean for the caller.
    static let beds: [String: DomainError] = [
        "room_name_is_unique_in_premises": DomainError(
            .conflict, "the premises already has a room of that name",
            problems: [
                FieldProblem(field: "name", rule: "unique", message: "the premises already has a room of that name")
            ]),
        "room_feature_characteristic_code_fkey": .invalid(
            field: "characteristics", rule: "unknown",
            "characteristics may hold only room characteristic codes (room_characteristics.csv)"),
        "bed_label_is_unique_in_room": DomainError(
            .conflict, "the room already has a bed with that label",
            problems: [
                FieldProblem(field: "label", rule: "unique", message: "the room already has a bed with that label")
            ]),
        "bed_out_of_service_reason_code_fkey": .invalid(
            field: "reason", rule: "unknown", "reason is not a known out-of-service reason (out_of_service_reasons.csv)"),
        "bed_out_of_service_never_overlaps": DomainError(
            .conflict, "the bed is already out of service on some of those nights; end or cancel that period first"),
    ]

    /// Refusals raised by the triggers on rooms, beds and out-of-service periods (our own words), and the field each is about.
    static let bedsTriggers: [String: String] = [
        "out_of_service_bed_is_empty": "nights",
        "bed_in_use_covers_allocations": "from",
    ]
}
