import Foundation

/// One e-mail in the outbox: what happened, to whom, and how its delivery stands.
public struct OutboxMessage: Sendable, Equatable, Codable {
    /// How a message stands: waiting to be handed to the mail transfer agent (or to be tried
    /// again), handed over, or given up on (after a day of retries, or with no mailbox to send to).
    public enum State: String, Sendable, Codable, CaseIterable {
        case waiting, sent, failed
    }

    /// Who a message is for.
    public enum RecipientKind: String, Sendable, Codable, CaseIterable {
        /// The referral's probation practitioner.
        case practitioner
        /// The region's Central Referral Unit.
        case cru
        /// The region's out-of-hours probation mailbox.
        case outOfHours = "out_of_hours"
        /// The premises' own mailbox.
        case premises
        /// A member of staff, about their own account (their second factor reset).
        case staff
    }

    public var id: UUID
    /// What happened (`booking_made`, `breach_escalated`, …): it chooses the message's template.
    public var event: String
    public var recipientKind: RecipientKind
    /// The address; nil when the mailbox it should go to is not set (then it is failed).
    public var recipient: String?
    public var referralID: UUID?
    public var placementID: UUID?
    public var premisesID: UUID?
    /// The values the message needs (`personName`, `crn`, `premisesName`, dates, `link`).
    public var details: [String: String]
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    /// When it joined the queue (again, after a resend); retries stop a day after.
    public var queuedAt: Date
    public var lastError: String?
    public var sentAt: Date?
    /// The `Message-ID` header it was handed over with, the same on every attempt.
    public var messageID: String?
    public var createdAt: Date
    /// Where a resend would go now: the recipient, or the mailbox set since (nil while none is).
    public var addressNow: String?
}

/// A mailbox of the organisation: a region's Central Referral Unit or out-of-hours probation
/// mailbox, or a premises' own.
public struct Mailbox: Sendable, Equatable, Codable {
    /// Which of the three.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case cru
        case outOfHours = "out_of_hours"
        case premises
    }

    public var kind: Kind
    /// The region, for the CRU and out-of-hours mailboxes.
    public var regionCode: String?
    /// The premises' code, for a premises' mailbox.
    public var premisesCode: String?
    public var address: String
    public var updatedAt: Date
}
