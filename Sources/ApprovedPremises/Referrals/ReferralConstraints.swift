import Postgres

extension ConstraintViolations {
    /// What the constraints on referrals mean for the caller.
    static let referrals: [String: DomainError] = [
        "referral_referrer_region_code_fkey": .invalid(
            field: "referrerRegion", rule: "unknown", "referrerRegion is not a known probation region"),
        "referral_arrives_after_release": .invalid(
            field: "expectedArrival", rule: "order", "expectedArrival must be on or after expectedRelease"),
        "referral_licence_ends_after_arrival": .invalid(
            field: "licenceEnd", rule: "order", "licenceEnd must be on or after expectedArrival"),
        "referral_withdrawal_reason_code_fkey": .invalid(
            field: "withdrawalReason", rule: "unknown", "withdrawalReason must be a code of /reference/withdrawal-reasons"),
    ]
}
