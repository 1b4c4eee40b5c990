import Postgres

extension ConstraintViolations {
    /// What the constraints on placements and bed allocations mean for the caller.
    static let placements: [String: DomainError] = [
        "placement_non_arrival_reason_code_fkey": .invalid(
            field: "reason", rule: "unknown", "reason is not a known non-arrival reason (non_arrival_reasons.csv)"),
        "placement_cancellation_reason_code_fkey": .invalid(
            field: "reason", rule: "unknown", "reason is not a known cancellation reason (cancellation_reasons.csv)"),
        "placement_departure_reason_code_fkey": .invalid(
            field: "reason", rule: "unknown", "reason is not a known departure reason (departure_reasons.csv)"),
        "placement_move_on_category_code_fkey": .invalid(
            field: "moveOnCategory", rule: "unknown", "moveOnCategory is not a known move-on category (move_on_categories.csv)"),
        "placement_key_worker_id_fkey": .invalid(field: "keyWorkerId", rule: "unknown", "keyWorkerId is not a member of staff"),
        "placement_premises_id_fkey": .invalid(field: "premisesId", rule: "unknown", "premisesId is not a known premises"),
        "bed_allocation_bed_id_fkey": .invalid(field: "bedId", rule: "unknown", "bedId is not a known bed"),
        "person_never_resident_in_two_aps": DomainError(
            .conflict, "this person is already resident at an AP on those nights: record their departure there first"),
        "placement_in_one_bed_a_night": DomainError(.conflict, "the placement already has a bed on some of those nights"),
        "bed_never_double_booked": DomainError(.conflict, "that bed is already allocated to someone else on some of those nights"),
    ]

    /// Refusals raised by the triggers on placements and bed allocations (our own words), and the field each is about.
    static let placementsTriggers: [String: String] = [
        "bed_meets_placement_needs": "bedId",
        "bed_in_placement_premises": "bedId",
        "allocation_within_stay": "from",
        "bed_in_use_for_allocation": "bedId",
        "bed_in_service_for_allocation": "bedId",
    ]
}
