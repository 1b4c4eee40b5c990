import Foundation

/// How long a person's records are kept, by kind: whole years after the end of what they were
/// kept for. `AP_RETENTION` gives it as `stays=7,referrals=7` (or `off`, to run no daily job).
///
/// - A person who stayed in an AP: `stays` years after their last stay ended (departure,
///   non-arrival or cancellation), or after a later referral of theirs closed without a booking.
/// - A person referred but never placed: `referrals` years after their last referral closed.
///
/// A person with a stay not yet ended, or a referral still open, is never due.
public struct RetentionSchedule: Sendable, Equatable, Codable {
    public var stays: Int
    public var referrals: Int

    /// Seven years for both: the period the README states, and its reasons.
    public static let standard = RetentionSchedule(stays: 7, referrals: 7)

    public init(stays: Int, referrals: Int) {
        self.stays = stays
        self.referrals = referrals
    }

    /// The years of one kind (`stays` or `referrals`).
    public func years(of kind: String) -> Int { kind == "stays" ? stays : referrals }

    /// The schedule `text` gives (`stays=7,referrals=2`; a kind left out keeps the standard's
    /// years), or a problem naming the part that is not one.
    public static func parse(_ text: String) throws -> RetentionSchedule {
        var schedule = standard
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, let years = Int(pair[1]), (0...100).contains(years) else {
                throw DomainError(
                    .invalid, "the retention schedule's \"\(part)\" is not a kind and whole years from 0 to 100, such as stays=7")
            }
            switch pair[0] {
            case "stays": schedule.stays = years
            case "referrals": schedule.referrals = years
            default:
                throw DomainError(.invalid, "the retention schedule knows the kinds stays and referrals, not \"\(pair[0])\"")
            }
        }
        return schedule
    }
}
