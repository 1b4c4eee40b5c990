import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listNotifications(_ input: Operations.ListNotifications.Input) async throws -> Operations.ListNotifications.Output {
        let page = try await stores.notifications.list(
            state: input.query.state.map { OutboxMessage.State($0) },
            referralID: try Input.optionalUUID(input.query.referralId, field: "referralId"),
            placementID: try Input.optionalUUID(input.query.placementId, field: "placementId"),
            page: try Input.page(limit: input.query.limit, cursor: input.query.cursor), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.Notification.init), nextCursor: page.nextCursor))))
    }

    func resendNotification(_ input: Operations.ResendNotification.Input) async throws -> Operations.ResendNotification.Output {
        let notification = try await stores.notifications.resend(
            try Input.uuid(input.path.notificationId, field: "notificationId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(notification))))
    }

    func listMailboxes(_ input: Operations.ListMailboxes.Input) async throws -> Operations.ListMailboxes.Output {
        .ok(.init(body: .json(try await stores.mailboxes.list(by: try RequestScope.caller()).map(Components.Schemas.Mailbox.init))))
    }

    func setMailbox(_ input: Operations.SetMailbox.Input) async throws -> Operations.SetMailbox.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the mailbox as JSON") }
        let mailbox = try await stores.mailboxes.set(
            kind: Mailbox.Kind(body.kind), regionCode: body.region, premisesCode: body.premises, address: body.address,
            by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(mailbox))))
    }
}

extension Components.Schemas.Notification {
    /// The contract's view of a message: where it stands, who it names, never its words.
    init(_ notification: OutboxMessage) {
        self.init(
            id: notification.id.uuidString.lowercased(), event: notification.event, recipientKind: .init(notification.recipientKind),
            recipient: notification.recipient, referralId: notification.referralID?.uuidString.lowercased(),
            placementId: notification.placementID?.uuidString.lowercased(), personName: notification.details["personName"],
            crn: notification.details["crn"], state: .init(notification.state), attempts: notification.attempts,
            nextAttemptAt: notification.state == .waiting ? notification.nextAttemptAt : nil, lastError: notification.lastError,
            sentAt: notification.sentAt, messageId: notification.messageID, createdAt: notification.createdAt)
    }
}

extension Components.Schemas.Mailbox {
    init(_ mailbox: Mailbox) {
        self.init(
            kind: .init(mailbox.kind), region: mailbox.regionCode, premises: mailbox.premisesCode, address: mailbox.address,
            updatedAt: mailbox.updatedAt)
    }
}

extension OutboxMessage.State {
    init(_ value: Operations.ListNotifications.Input.Query.StatePayload) {
        switch value {
        case .waiting: self = .waiting
        case .sent: self = .sent
        case .failed: self = .failed
        }
    }
}

extension Components.Schemas.Notification.StatePayload {
    init(_ value: OutboxMessage.State) {
        switch value {
        case .waiting: self = .waiting
        case .sent: self = .sent
        case .failed: self = .failed
        }
    }
}

extension Components.Schemas.Notification.RecipientKindPayload {
    init(_ value: OutboxMessage.RecipientKind) {
        switch value {
        case .practitioner: self = .practitioner
        case .cru: self = .cru
        case .outOfHours: self = .outOfHours
        case .premises: self = .premises
        case .staff: self = .staff
        }
    }
}

extension Components.Schemas.Mailbox.KindPayload {
    init(_ value: Mailbox.Kind) {
        switch value {
        case .cru: self = .cru
        case .outOfHours: self = .outOfHours
        case .premises: self = .premises
        }
    }
}

extension Mailbox.Kind {
    init(_ value: Operations.SetMailbox.Input.Body.JsonPayload.KindPayload) {
        switch value {
        case .cru: self = .cru
        case .outOfHours: self = .outOfHours
        case .premises: self = .premises
        }
    }
}
