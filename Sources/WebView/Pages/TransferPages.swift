import ApprovedPremises
import Foundation
import Hummingbird

/// Transfers and appeals in the browser. `/transfers`: the referral unit's queue (transfers and
/// appeals waiting for a decision, then those decided); an AP manager's own. `/transfers/{id}`:
/// one transfer, with, for the unit while it waits, "Book a receiving AP" (the matches for the
/// rest of the stay as the choices) and "Refuse". `/appeals/{id}`: one appeal, and the unit's
/// decision. Each form posts through the same store call as the API and records once.
struct TransferPages: Sendable {
    let view: WebView

    /// A form of these pages: its fields (given what was posted) and what it does, then where it ends.
    struct Form<Subject: Sendable>: Sendable {
        let path: String
        let heading: String
        let roles: Set<Role>
        let load: @Sendable (UUID, Principal) async throws -> Subject
        let back: @Sendable (Subject) -> Chrome.Link
        let fields: @Sendable (Subject, FormFields?) async throws -> FormModel
        let change: @Sendable (Subject, FormFields, Principal) async throws -> String
    }

    func register<C: RequestContext>(on router: Router<C>) {
        router.get("/transfers") { _, _ in try await list() }
        router.get("/transfers/:id") { _, context in
            let principal = try WebScope.caller()
            return try await transfer(try await view.stores.transfers.get(try Self.id(context), by: principal), principal)
        }
        router.get("/appeals/:id") { _, context in
            let principal = try WebScope.caller()
            return try await appeal(try await view.stores.appeals.get(try Self.id(context), by: principal), principal)
        }
        serve(booking, on: router, base: "/transfers")
        serve(refusal, on: router, base: "/transfers")
        serve(decision, on: router, base: "/appeals")
    }

    static func id<C: RequestContext>(_ context: C) throws -> UUID {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw PageError.notFound("There is no such page: check the address.")
        }
        return id
    }

    // MARK: Pages

    struct Row: Sendable {
        let href: String
        let name: String
        let cells: [String]
    }
    struct Section: Sendable {
        let id: String
        let title: String
        let caption: String
        let headers: [String]
        let rows: [Row]
        let none: String
    }
    struct ListModel: Sendable {
        let intro: String
        let sections: [Section]
    }

    private func list() async throws -> Response {
        let principal = try WebScope.caller()
        let words = Wording(timeZone: Premises.defaultTimeZone)
        let transfers = try await view.stores.transfers.list(status: nil, by: principal)
        let appeals = try await view.stores.appeals.list(status: nil, by: principal)
        func transferRow(_ t: Transfer) -> Row {
            Row(
                href: "/transfers/\(t.id.uuidString.lowercased())", name: "\(t.personName) (\(t.crn))",
                cells: [
                    t.fromPremisesName, t.toPremisesName ?? "Not booked", t.kind == .planned ? "Planned" : "Emergency",
                    words.date(t.transferDate), t.reasonName, Self.words(t.status),
                ])
        }
        func appealRow(_ a: PlacementAppeal) -> Row {
            Row(
                href: "/appeals/\(a.id.uuidString.lowercased())", name: "\(a.personName) (\(a.crn))",
                cells: [a.premisesName, words.date(a.expectedArrival), a.reasonName, a.status.rawValue.capitalized])
        }
        let transferHeaders = ["Person", "From", "To", "Kind", "Date", "Reason", "Status"]
        let appealHeaders = ["Person", "Premises", "Expected arrival", "Reason", "Status"]
        let sections = [
            Section(
                id: "waiting-transfers", title: "Transfers waiting for a decision", caption: "Transfers asked for, soonest first",
                headers: transferHeaders, rows: transfers.filter { $0.status == .requested }.map(transferRow),
                none: "No transfer is waiting for a decision."),
            Section(
                id: "waiting-appeals", title: "Appeals waiting for a decision", caption: "Appeals of bookings, soonest arrival first",
                headers: appealHeaders, rows: appeals.filter { $0.status == .pending }.map(appealRow),
                none: "No appeal is waiting for a decision."),
            Section(
                id: "transfers", title: "Other transfers", caption: "Transfers booked, made, refused or cancelled, newest first",
                headers: transferHeaders, rows: transfers.filter { $0.status != .requested }.map(transferRow), none: "None yet."),
            Section(
                id: "appeals", title: "Decided appeals", caption: "Appeals accepted or rejected, newest first", headers: appealHeaders,
                rows: appeals.filter { $0.status != .pending }.map(appealRow), none: "None yet."),
        ]
        let intro =
            TransferStore.deciders.contains(principal.role)
            ? "Transfers between APs and appeals of bookings, for the Central Referral Unit to decide."
            : "Transfers out of and into your AP, and your appeals of bookings. The Central Referral Unit decides them."
        return view.renderer.page(
            "transfers", title: "Transfers and appeals", chrome: Chrome.signedIn(principal, csrf: WebScope.csrf, current: "transfers"),
            view: ListModel(intro: intro, sections: sections))
    }

    struct DetailModel: Sendable {
        let caption: String
        let heading: String
        let rows: [PlacementPages.SummaryRow]
        let actions: [Chrome.Link]
        let done: String?
    }

    private func transfer(_ t: Transfer, _ principal: Principal, done: String? = nil) async throws -> Response {
        let words = Wording(timeZone: Premises.defaultTimeZone)
        var rows: [PlacementPages.SummaryRow] = [
            .init(key: "Kind", value: t.kind == .planned ? "Planned transfer" : "Emergency transfer"),
            .init(key: "Status", value: Self.words(t.status)),
            .init(key: "From", value: t.fromPremisesName),
            .init(key: "To", value: t.toPremisesName ?? "Not booked yet"),
            .init(key: t.kind == .planned ? "Moves on" : "Moved on", value: words.date(t.transferDate)),
            .init(key: "Stay ends", value: words.date(t.expectedDeparture)),
            .init(key: "Reason", value: t.reasonName),
            .init(key: "Notes", value: t.notes ?? "None"),
            .init(key: t.kind == .planned ? "Asked for by" : "Made by", value: "\(t.requestedBy), \(words.dateTime(t.requestedAt))"),
        ]
        if let agreed = t.agreedBy { rows.append(.init(key: "Agreed by", value: agreed)) }
        if let decided = t.decidedBy, let at = t.decidedAt {
            rows.append(.init(key: "Decided by", value: "\(decided), \(words.dateTime(at))"))
        }
        if let why = t.refusalReason { rows.append(.init(key: "Why refused", value: why)) }
        var actions = [Chrome.Link]()
        let base = "/transfers/\(t.id.uuidString.lowercased())"
        if t.status == .requested && TransferStore.deciders.contains(principal.role) {
            actions += [
                Chrome.Link(href: base + "/book", text: "Book a receiving AP", current: false),
                Chrome.Link(href: base + "/refuse", text: "Refuse the transfer", current: false),
            ]
        }
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "transfers")
        chrome.back = .init(href: "/transfers", text: "Back to transfers and appeals", current: false)
        chrome.done = done
        return view.renderer.page(
            "transfer", title: "Transfer, \(t.personName)", chrome: chrome,
            view: DetailModel(
                caption: "\(t.personName) (\(t.crn))", heading: t.kind == .planned ? "Planned transfer" : "Emergency transfer", rows: rows,
                actions: actions, done: done))
    }

    private func appeal(_ a: PlacementAppeal, _ principal: Principal) async throws -> Response {
        let words = Wording(timeZone: Premises.defaultTimeZone)
        var rows: [PlacementPages.SummaryRow] = [
            .init(key: "Status", value: a.status.rawValue.capitalized),
            .init(key: "Booked at", value: a.premisesName),
            .init(key: "Expected arrival", value: words.date(a.expectedArrival)),
            .init(key: "Reason", value: a.reasonName),
            .init(key: "Notes", value: a.notes ?? "None"),
            .init(key: "Appealed by", value: "\(a.appealedBy), \(words.dateTime(a.appealedAt))"),
        ]
        if let decided = a.decidedBy, let at = a.decidedAt {
            rows.append(.init(key: "Decided by", value: "\(decided), \(words.dateTime(at))" + (a.decisionNotes.map { ": \($0)" } ?? "")))
        }
        var actions = [Chrome.Link]()
        if a.status == .pending && TransferStore.deciders.contains(principal.role) {
            actions.append(Chrome.Link(href: "/appeals/\(a.id.uuidString.lowercased())/decide", text: "Decide the appeal", current: false))
        }
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "transfers")
        chrome.back = .init(href: "/transfers", text: "Back to transfers and appeals", current: false)
        return view.renderer.page(
            "transfer", title: "Appeal, \(a.personName)", chrome: chrome,
            view: DetailModel(
                caption: "\(a.personName) (\(a.crn))", heading: "Appeal of a booking", rows: rows, actions: actions, done: nil))
    }

    static func words(_ status: Transfer.Status) -> String {
        switch status {
        case .requested: "Waiting for a decision"
        case .booked: "Booked"
        case .refused: "Refused"
        case .completed: "Done"
        case .cancelled: "Cancelled"
        }
    }
}
