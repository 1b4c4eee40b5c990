import Postgres

extension ConstraintViolations {
    /// What the constraints on transfers and appeals mean for the caller.
    static let transfers: [String: DomainError] = [
        "transfer_one_open_per_stay": DomainError(
            .conflict, "a transfer of this resident is already asked for or booked: the referral unit decides it first"),
        "placement_appeal_one_pending": DomainError(.conflict, "an appeal of this booking is already waiting for the referral unit"),
        "placement_continued_once": DomainError(.conflict, "this stay already continues at another AP"),
        "transfer_reason_code_fkey": .invalid(field: "reason", rule: "unknown", "reason must be a code of /reference/transfer-reasons"),
        "placement_appeal_reason_code_fkey": .invalid(
            field: "reason", rule: "unknown", "reason must be a code of /reference/appeal-reasons"),
    ]

    /// Refusals raised by the transfer trigger (our own words), and the field each is about.
    static let transfersTriggers: [String: String] = ["transfer_is_seamless": "transferDate"]
}
