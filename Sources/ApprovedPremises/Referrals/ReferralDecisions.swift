import Foundation

extension ReferralStore {
    /// An assessment decision.
    public enum Decision: Sendable {
        case accept(note: String?)
        case reject(reason: String)
        case requestInformation(question: String)
        case provideInformation(answer: String)
        case unableToMatch(reason: String)
        /// Withdrawn for a reason of the national list (`withdrawal_reason`), with a note (needed for "other").
        case withdraw(reason: String?, code: String?)
        /// Information the practitioner (or the referral unit) adds without being asked; the status stays.
        case addInformation(text: String)

        /// The decision of a kind with its note (and, for a withdrawal, its reason's code).
        public init(_ kind: DecisionKind, note: String?, withdrawalReason: String? = nil) {
            switch kind {
            case .accept: self = .accept(note: note)
            case .reject: self = .reject(reason: note ?? "")
            case .requestInformation: self = .requestInformation(question: note ?? "")
            case .provideInformation: self = .provideInformation(answer: note ?? "")
            case .unableToMatch: self = .unableToMatch(reason: note ?? "")
            case .withdraw: self = .withdraw(reason: note, code: withdrawalReason)
            case .addInformation: self = .addInformation(text: note ?? "")
            }
        }

        var kind: DecisionKind {
            switch self {
            case .accept: .accept
            case .reject: .reject
            case .requestInformation: .requestInformation
            case .provideInformation: .provideInformation
            case .unableToMatch: .unableToMatch
            case .withdraw: .withdraw
            case .addInformation: .addInformation
            }
        }

        var note: String? {
            switch self {
            case .accept(let note), .withdraw(let note, _): note
            case .reject(let text), .requestInformation(let text), .provideInformation(let text), .unableToMatch(let text),
                .addInformation(let text):
                text
            }
        }

        /// The withdrawal reason's code, for a withdrawal.
        var withdrawalReason: String? {
            if case .withdraw(_, let code) = self { return code }
            return nil
        }
    }

    /// The kinds of decision, each with the states it may be taken from, the state it leads to,
    /// its timeline entry and who may take it.
    public enum DecisionKind: String, Sendable, CaseIterable {
        case accept, reject
        case requestInformation = "request_information"
        case provideInformation = "provide_information"
        case unableToMatch = "unable_to_match"
        case withdraw
        case addInformation = "add_information"

        /// The states a referral may be in for this decision.
        public var from: [Referral.Status] {
            switch self {
            case .accept: [.submitted, .unableToMatch]
            case .reject: [.submitted, .awaitingInformation]
            case .requestInformation: [.submitted]
            case .provideInformation: [.awaitingInformation]
            case .unableToMatch: [.readyToMatch]
            case .withdraw: [.submitted, .awaitingInformation, .readyToMatch, .unableToMatch, .booked]
            case .addInformation: [.submitted, .awaitingInformation, .readyToMatch, .unableToMatch, .booked]
            }
        }

        /// The state it leads to; nil when the state stays as it is.
        var next: Referral.Status? {
            switch self {
            case .accept: .readyToMatch
            case .reject: .rejected
            case .requestInformation: .awaitingInformation
            case .provideInformation: .submitted
            case .unableToMatch: .unableToMatch
            case .withdraw: .withdrawn
            case .addInformation: nil
            }
        }

        var event: String {
            switch self {
            case .accept: "accepted"
            case .reject: "rejected"
            case .requestInformation: "information_requested"
            case .provideInformation: "information_given"
            case .unableToMatch: "unable_to_match"
            case .withdraw: "withdrawn"
            case .addInformation: "information_added"
            }
        }

        /// Who may take it: the practitioner who owns the referral answers, adds information
        /// and withdraws it; only the referral unit and AP managers assess it.
        public var roles: Set<Role> {
            switch self {
            case .accept, .reject, .requestInformation: ReferralStore.assessors
            case .provideInformation: ReferralStore.assessors.union([.probationPractitioner])
            case .unableToMatch: ReferralStore.intake
            case .withdraw, .addInformation: ReferralStore.intake.union([.probationPractitioner])
            }
        }

        /// Whether it must say why (every decision but acceptance; a withdrawal only when its
        /// reason is "other" or not given).
        func needsNote(withdrawalReason: String?) -> Bool {
            switch self {
            case .accept: false
            case .withdraw: withdrawalReason == nil || withdrawalReason == "other"
            default: true
            }
        }

        /// The decisions `role` may take on a referral in `status`, in this order.
        public static func available(to role: Role, in status: Referral.Status) -> [DecisionKind] {
            allCases.filter { $0.roles.contains(role) && $0.from.contains(status) }
        }
    }
}
