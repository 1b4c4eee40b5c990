import Foundation

/// A person past the retention schedule, and what erasing them changes (or changed).
public struct Erasure: Sendable, Equatable, Codable {
    /// Their CRN: in a dry run, the person who would be erased; after it, their pseudonym only.
    public var crn: String
    /// The names they were referred or booked under (a dry run's only; after it, none).
    public var names: [String]
    /// Which rule made them due: `stays` or `referrals`, and its years.
    public var kind: String
    public var years: Int
    /// When their last stay ended (or last referral closed).
    public var lastEndedOn: CalendarDate
    /// The records with personal fields to erase, by table (the audit log's rows as `audit_event`).
    public var records: [String: Int]

    public var total: Int { records.values.reduce(0, +) }
}
