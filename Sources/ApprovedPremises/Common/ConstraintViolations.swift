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
        "premises_feature_characteristic_code_fkey": .invalid(field: "characteristics", rule: "unknown",
            "characteristics may hold only premises characteristic codes (premises_characteristics.csv)"),
        "referral_referrer_region_code_fkey": .invalid(field: "referrerRegion", rule: "unknown", "referrerRegion is not a known probation region"),
        "referral_arrives_after_release": .invalid(field: "expectedArrival", rule: "order", "expectedArrival must be on or after expectedRelease"),
        "curfew_variation_never_overlaps": DomainError(.conflict, "the resident already has a curfew variation on some of those nights"),
        "movement_corrects_id_fkey": .invalid(field: "entryId", rule: "unknown", "there is no such log entry to correct"),
        "room_name_is_unique_in_premises": DomainError(.conflict, "the premises already has a room of that name", problems: [
            FieldProblem(field: "name", rule: "unique", message: "the premises already has a room of that name")]),
        "room_feature_characteristic_code_fkey": .invalid(field: "characteristics", rule: "unknown",
            "characteristics may hold only room characteristic codes (room_characteristics.csv)"),
        "bed_label_is_unique_in_room": DomainError(.conflict, "the room already has a bed with that label", problems: [
            FieldProblem(field: "label", rule: "unique", message: "the room already has a bed with that label")]),
        "bed_out_of_service_reason_code_fkey": .invalid(field: "reason", rule: "unknown", "reason is not a known out-of-service reason (out_of_service_reasons.csv)"),
        "bed_out_of_service_never_overlaps": DomainError(.conflict, "the bed is already out of service on some of those nights; end or cancel that period first"),
        "placement_non_arrival_reason_code_fkey": .invalid(field: "reason", rule: "unknown", "reason is not a known non-arrival reason (non_arrival_reasons.csv)"),
        "placement_cancellation_reason_code_fkey": .invalid(field: "reason", rule: "unknown", "reason is not a known cancellation reason (cancellation_reasons.csv)"),
        "placement_departure_reason_code_fkey": .invalid(field: "reason", rule: "unknown", "reason is not a known departure reason (departure_reasons.csv)"),
        "placement_move_on_category_code_fkey": .invalid(field: "moveOnCategory", rule: "unknown", "moveOnCategory is not a known move-on category (move_on_categories.csv)"),
        "placement_key_worker_id_fkey": .invalid(field: "keyWorkerId", rule: "unknown", "keyWorkerId is not a member of staff"),
        "placement_premises_id_fkey": .invalid(field: "premisesId", rule: "unknown", "premisesId is not a known premises"),
        "bed_allocation_bed_id_fkey": .invalid(field: "bedId", rule: "unknown", "bedId is not a known bed"),
        "person_never_resident_in_two_aps": DomainError(.conflict, "this person is already resident at an AP on those nights: record their departure there first"),
        "placement_in_one_bed_a_night": DomainError(.conflict, "the placement already has a bed on some of those nights"),
        "night_check_once_per_round": DomainError(.conflict, "that round is already recorded for some of these residents"),
        "incident_amended_once": DomainError(.preconditionFailed, "that version of the incident has already been amended; read it again"),
        "substance_test_result_pkey": DomainError(.conflict, "the test's results are already recorded"),
        "substance_test_custody_pkey": DomainError(.conflict, "that custody step is already recorded"),
        "bed_never_double_booked": DomainError(.conflict, "that bed is already allocated to someone else on some of those nights"),
    ]

    /// Refusals raised by our own triggers, whose message we wrote and may be shown as it is.
    static let ownMessages: [String: String] = [
        "bed_meets_placement_needs": "bedId",
        "bed_in_placement_premises": "bedId",
        "allocation_within_stay": "from",
        "bed_in_use_for_allocation": "bedId",
        "bed_in_service_for_allocation": "bedId",
        "out_of_service_bed_is_empty": "nights",
        "incident_amendment_same_premises": "incidentNumber",
        "custody_steps_in_order": "at",
    ]

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
            return DomainError(.unavailable, Task.isCancelled
                ? "the service is stopping, so this request was stopped before it finished; try again in a moment"
                : "the database stopped this request because it ran too long; try again in a moment")
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
