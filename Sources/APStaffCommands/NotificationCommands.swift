import APClient
import ArgumentParser
import Foundation

struct NotificationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "The outbox of e-mail (administrators): what was sent, what waits, what failed; resend one.",
        discussion: """
            A message waits until the service hands it to the mail transfer agent; one the agent \
            refuses is tried again (after a minute, then twice as long each time, at most an hour \
            apart) for a day, then it is failed. A message for a mailbox that is not set is failed at \
            once: set the mailbox (ap mailboxes set) and resend it.

            Examples:  ap notifications list --failed
                       ap notifications resend 3f0c...
            """,
        subcommands: [NotificationsList.self, NotificationsResend.self],
        defaultSubcommand: NotificationsList.self)
}

extension Operations.ListNotifications.Input.Query.StatePayload: ExpressibleByArgument {}
extension Operations.SetMailbox.Input.Body.JsonPayload.KindPayload: ExpressibleByArgument {}

struct NotificationsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List messages, newest first (all, or those failed or waiting, or about one referral or placement).")

    @OptionGroup var service: ServiceOptions
    @Flag(help: "Only the failed messages.") var failed = false
    @Flag(help: "Only the messages waiting to be handed over.") var waiting = false
    @Option(help: "Only the messages about this referral (its id).") var referral: String?
    @Option(help: "Only the messages about this placement (its id).") var placement: String?
    @Option(help: "The most messages to list (1 to 200).") var limit: Int = 50
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if failed && waiting { throw ValidationError("choose --failed or --waiting, not both") }
    }

    func run() async throws {
        let (client, _) = try await service.session()
        let state: Operations.ListNotifications.Input.Query.StatePayload? = failed ? .failed : waiting ? .waiting : nil
        let page = try await client.listNotifications(
            query: .init(limit: limit, state: state, referralId: referral, placementId: placement)
        ).ok.body.json
        if json {
            try Terminal.printJSON(page)
            return
        }
        if page.items.isEmpty {
            print(failed ? "No message has failed." : waiting ? "No message is waiting." : "No message has been written.")
            return
        }
        Terminal.printTable(
            ["WRITTEN", "EVENT", "TO", "ABOUT", "STATE", "TRIES", "NOTE", "ID"],
            page.items.map { message in
                [
                    Terminal.time(message.createdAt), message.event,
                    message.recipient ?? "(\(message.recipientKind.rawValue.replacingOccurrences(of: "_", with: "-")) mailbox not set)",
                    [message.personName, message.crn.map { "(\($0))" }].compactMap { $0 }.joined(separator: " "),
                    message.state == .sent ? "sent \(Terminal.time(message.sentAt ?? message.createdAt))" : message.state.rawValue,
                    "\(message.attempts)", message.lastError.map { Excerpt.quoted($0) } ?? "", message.id,
                ]
            })
        if page.nextCursor != nil { print("(more: raise --limit, or narrow with --failed or --waiting)") }
    }
}

struct NotificationsResend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resend", abstract: "Put a message back in the queue at once, for another day of retries.",
        discussion: "A message that failed for want of a mailbox goes to the mailbox as set now.")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The message's id (from ap notifications list).") var id: String

    func run() async throws {
        let (client, _) = try await service.session()
        let message = try await client.resendNotification(
            path: .init(notificationId: id), headers: .init(idempotencyKey: UUID().uuidString.lowercased())
        ).ok.body.json
        print("Queued again: \(message.event) to \(message.recipient ?? "?"); it is handed over within a few seconds.")
    }
}

struct MailboxesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailboxes",
        abstract: "The mailboxes the outbox writes to (administrators): each region's CRU and out-of-hours mailbox, each premises' own.",
        discussion: """
            Examples:  ap mailboxes set cru cru.north-west@example.org --region NW
                       ap mailboxes set out_of_hours ooh.north-west@example.org --region NW
                       ap mailboxes set premises elm.house@example.org --premises DEMO-ELM
            """,
        subcommands: [MailboxesList.self, MailboxesSet.self],
        defaultSubcommand: MailboxesList.self)
}

struct MailboxesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the mailboxes set.")

    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let (client, _) = try await service.session()
        let mailboxes = try await client.listMailboxes().ok.body.json
        if mailboxes.isEmpty {
            print("No mailbox is set: messages for the CRU, out-of-hours and premises mailboxes fail until one is.")
            return
        }
        Terminal.printTable(
            ["KIND", "FOR", "ADDRESS"], mailboxes.map { [$0.kind.rawValue, $0.region ?? $0.premises ?? "", $0.address] })
    }
}

struct MailboxesSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "set", abstract: "Set (or change) one mailbox.")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "Which mailbox.") var kind: Operations.SetMailbox.Input.Body.JsonPayload.KindPayload
    @Argument(help: "Its e-mail address.") var address: String
    @Option(help: "The probation region's code (for cru and out_of_hours).") var region: String?
    @Option(help: "The premises' code (for premises).") var premises: String?

    func run() async throws {
        let (client, _) = try await service.session()
        let mailbox = try await client.setMailbox(
            headers: .init(idempotencyKey: UUID().uuidString.lowercased()),
            body: .json(.init(kind: kind, region: region, premises: premises, address: address))
        ).ok.body.json
        print("The \(mailbox.kind.rawValue) mailbox of \(mailbox.region ?? mailbox.premises ?? "") is \(mailbox.address).")
    }
}
