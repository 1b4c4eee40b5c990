import Foundation

extension ReferralStore {
    /// An assessment decision.
    public enum Decision: Sendable {
        case accept(note: String?)
        case reject(reason: String)
        case requestInformation(question: String)
        case provideInformation(answer: String)
        case unableToMatch(reason: String)
        case withdraw(reason: String)

        /// The decision of a kind with its note.
        public init(_ kind: DecisionKind, note: String?) {
            switch kind {
            case .accept: self = .accept(note: note)
            case .reject: self = .reject(reason: note ?? "")
            case .requestInformation: self = .requestInformation(question: note ?? "")
            case .provideInformation: self = .provideInformation(answer: note ?? "")
            case .unableToMatch: self = .unableToMatch(reason: note ?? "")
            case .withdraw: self = .withdraw(reason: note ?? "")
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
            }
        }

        var note: String? {
            switch self {
            case .accept(let note): note
            case .reject(let text), .requestInformation(let text), .provideInformation(let text), .unableToMatch(let text),
                .withdraw(let text):
                text
            }
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

        /// The states a referral may be in for this decision.
        public var from: [Referral.Status] {
            switch self {
            case .accept: [.submitted, .unableToMatch]
            case .reject: [.submitted, .awaitingInformation]
            case .requestInformation: [.submitted]
            case .provideInformation: [.awaitingInformation]
            case .unableToMatch: [.readyToMatch]
            case .withdraw: [.submitted, .awaitingInformation, .readyToMatch, .unableToMatch, .booked]
            }
        }

        var next: Referral.Status {
            switch self {
            case .accept: .readyToMatch
            case .reject: .rejected
            case .requestInformation: .awaitingInformation
            case .provideInformation: .submitted
            case .unableToMatch: .unableToMatch
            case .withdraw: .withdrawn
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
            }
        }

        /// Who may take it.
        public var roles: Set<Role> {
            switch self {
            case .accept, .reject, .requestInformation, .provideInformation: ReferralStore.assessors
            case .unableToMatch, .withdraw: ReferralStore.intake
            }
        }

        /// Whether it must say why (every decision but acceptance).
        public var needsNote: Bool { self != .accept }

        /// The decisions `role` may take on a referral in `status`, in this order.
        public static func available(to role: Role, in status: Referral.Status) -> [DecisionKind] {
            allCases.filter { $0.roles.contains(role) && $0.from.contains(status) }
        }
    }
}
