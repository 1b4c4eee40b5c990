import Postgres

extension ConstraintViolations {
    /// What the constraints on referrals mean for the caller.
    static let referrals: [String: DomainError] = [
        "referral_referrer_region_code_fkey": .invalid(
            field: "referrerRegion", rule: "unknown", "referrerRegion is not a known probation region"),
        "referral_arrives_after_release": .invalid(
            field: "expectedArrival", rule: "order", "expectedArrival must be on or after expectedRelease"),
    ]
}
