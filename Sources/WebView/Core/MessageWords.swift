import ApprovedPremises
import Foundation

/// The outbox's messages as a page shows them: what was told, to whom, and how delivery went.
enum MessageWords {
    static let events: [String: String] = [
        "referral_received": "Referral received", "information_requested": "More information needed",
        "referral_accepted": "Referral accepted", "referral_rejected": "Referral not accepted",
        "referral_unable_to_match": "No premises found", "referral_offered": "Referral offered to the premises",
        "booking_made": "Place booked", "booking_changed": "Booking dates changed", "booking_cancelled": "Booking cancelled",
        "arrived": "Arrived", "not_arrived": "Did not arrive", "breach_escalated": "Curfew breach escalated",
        "breach_outcome": "Curfew breach outcome", "departed": "Departed", "ended_early": "Placement ended early",
        "move_on_due": "Four weeks to departure, no address",
        "transfer_requested": "Transfer asked for", "transfer_booked": "Transfer booked", "transfer_refused": "Transfer refused",
        "emergency_transfer": "Emergency transfer", "appeal_made": "Placement appealed", "appeal_decided": "Appeal decided",
        "second_factor_reset": "Second factor reset",
    ]

    static let recipients: [OutboxMessage.RecipientKind: String] = [
        .practitioner: "the probation practitioner", .cru: "the CRU mailbox", .outOfHours: "the out-of-hours mailbox",
        .premises: "the premises' mailbox", .staff: "the member of staff",
    ]

    static func event(_ message: OutboxMessage) -> String { events[message.event] ?? message.event }

    /// To whom: the address, or which mailbox was not set.
    static func recipient(_ message: OutboxMessage) -> String {
        message.recipient ?? "No address: \(recipients[message.recipientKind] ?? "the mailbox") is not set"
    }

    /// Where delivery stands, in a sentence.
    static func delivery(_ message: OutboxMessage, words: Wording) -> String {
        switch message.state {
        case .sent:
            return "Delivered to the mail server \(message.sentAt.map(words.dateTime) ?? "")"
        case .waiting where message.attempts == 0:
            return "Waiting to be sent"
        case .waiting:
            return
                "Waiting: tried \(message.attempts) \(message.attempts == 1 ? "time" : "times"), next at \(words.time(message.nextAttemptAt))"
                + (message.lastError.map { " (\($0))" } ?? "")
        case .failed:
            return "Failed: \(message.lastError ?? "not delivered")"
        }
    }

    /// A timeline's row: when, to whom, what, delivery.
    static func row(_ message: OutboxMessage, words: Wording) -> [String] {
        [words.dateTime(message.createdAt), recipient(message), event(message), delivery(message, words: words)]
    }

    static let headers = ["Written", "To", "What", "Delivery"]

    /// A row with its cells named, for a template.
    struct Line: Sendable {
        let written: String
        let to: String
        let what: String
        let delivery: String
    }

    static func line(_ message: OutboxMessage, words: Wording) -> Line {
        let cells = row(message, words: words)
        return Line(written: cells[0], to: cells[1], what: cells[2], delivery: cells[3])
    }
}
