import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/placements/{id}[/tab]`: one placement, a tab per address: summary,
/// profile, record, key work, tests, move-on, curfew, the departure summary for the probation practitioner and the e-mail
/// sent about the stay; the actions the caller's role may take.
struct PlacementPages: Sendable {
    let view: WebView
    static let tabs = [
        ("", "Summary"), ("profile", "Profile"), ("record", "Record"), ("key-work", "Key work"), ("tests", "Tests"),
        ("move-on", "Move-on"), ("curfew", "Curfew"), ("departure-summary", "Departure summary"), ("messages", "Messages"),
    ]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/placements/:id") { request, context in try await render(request, context, tab: "") }
        for (tab, _) in Self.tabs where !tab.isEmpty {
            router.get("/premises/:code/placements/:id/\(tab)") { request, context in try await render(request, context, tab: tab) }
        }
    }

    struct Link: Sendable {
        let href: String
        let text: String
        let current: Bool
    }
    struct SummaryRow: Sendable {
        let key: String
        let value: String
        /// On a check page: where to change the answer, and what it is called (for the link's hidden text).
        var change: String? = nil
        var changeName: String = ""
    }
    struct SummaryList: Sendable {
        let heading: String
        let rows: [SummaryRow]
    }
    struct Table: Sendable {
        struct Row: Sendable {
            let cells: [RecordsPage.Cell]
            init(cells: [String]) { self.cells = cells.map { RecordsPage.Cell($0) } }
            init(links: [RecordsPage.Cell]) { cells = links }
        }
        let caption: String
        let headers: [String]
        let rows: [Row]
        let none: String
        /// Tells the page's tables apart (their captions' ids).
        var id = ""
    }
    struct Model: Sendable {
        let person: String
        let crn: String
        let status: String
        let statusClass: String
        let tabs: [Link]
        let tabName: String
        let actions: [Link]
        let summaries: [SummaryList]
        let tables: [Table]
        let note: String?
        /// Text laid out as written (the departure summary), printable as it is.
        var preformatted: String? = nil
    }

    func render<Context: RequestContext>(_ request: Request, _ context: Context, tab: String) async throws -> Response {
        // The placement (and a key-work tab's sessions) are read beside the premises.
        let caller = try WebScope.caller()
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw PageError.notFound("There is no such placement.")
        }
        async let placementRead = Self.placementAndStays(view, id, by: caller)
        async let sessionsRead = Self.sessions(view, tab == "key-work" ? id : nil, by: caller)
        var scope = try await view.premisesScope(context, current: "placements")
        let (placement, stays) = try await placementRead
        guard placement.premisesID == scope.premises.id else {
            throw PageError.notFound("There is no such placement at \(scope.premises.name).")
        }
        let stores = view.stores
        let words = scope.wording
        let principal = scope.principal
        let href = "\(scope.base)/placements/\(placement.id.uuidString.lowercased())"
        var summaries = [SummaryList]()
        var tables = [Table]()
        var note: String? = nil
        var preformatted: String? = nil
        var tabActions = [Link]()
        func date(_ value: CalendarDate?) -> String { value.map(words.date) ?? "Not recorded" }
        func text(_ value: String?) -> String { value.flatMap { $0.isEmpty ? nil : $0 } ?? "None recorded" }

        switch tab {
        case "profile":
            if let referral = try await stores.referrals.profile(placementID: placement.id, by: principal) {
                summaries = ReferralSummaries.story(referral.details, words: words, names: try await .read(view))
            } else {
                note = "This placement was booked without a referral, so there is no profile to show."
            }
        case "record":
            let (_, entries) = try await stores.residentRecords.timeline(placement.id, by: principal)
            tables = [
                Table(
                    caption: "The resident's record, newest first", headers: ["When", "What", "Detail"],
                    rows: entries.map {
                        .init(cells: [words.dateTime($0.at), Wording.datesInWords($0.title), Wording.datesInWords($0.detail ?? "")])
                    }, none: "Nothing is recorded yet.")
            ]
        case "key-work", "tests", "move-on":
            (summaries, tables, tabActions) = try await dayWork(tab, scope, placement, href: href, sessions: try await sessionsRead)
        case "curfew":
            let variations = try await stores.curfewVariations.list(placementID: placement.id, by: principal)
            let breaches = try await stores.curfewBreaches.list(placementID: placement.id, by: principal)
            let log = try await stores.curfew.log(placement.id, by: principal)
            tables = [
                Table(
                    caption: "Curfew breaches", headers: ["Curfew from", "Back", "State", "Outcome"],
                    rows: breaches.map { breach in
                        .init(cells: [
                            words.dateTime(breach.windowStart),
                            breach.closedAt.map { "\(words.dateTime($0)), \(breach.minutesLate ?? 0) minutes late" } ?? "Not back yet",
                            breach.state.rawValue.capitalized,
                            breach.outcome?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "None yet",
                        ])
                    }, none: "No curfew breach is recorded."),
                Table(
                    caption: "Curfew variations", headers: ["Nights", "Hours", "Reason", "Approved by"],
                    rows: variations.map { variation in
                        .init(cells: [
                            "\(words.date(variation.nights.first)) to \(words.date(variation.nights.end.adding(days: -1)))",
                            variation.hours.map { "\($0.start) to \($0.end)" } ?? "No curfew", variation.reason, variation.approvedBy,
                        ])
                    }, none: "No variation is recorded."),
                Table(
                    caption: "Signing out and in, newest first", headers: ["When", "What", "Recorded"],
                    rows: log.reversed().map { entry in
                        .init(cells: [
                            words.dateTime(entry.occurredAt),
                            entry.kind.replacingOccurrences(of: "_", with: " ") + (entry.destination.map { ": \($0)" } ?? ""),
                            "\(words.dateTime(entry.recordedAt)) by \(entry.recordedBy)" + (entry.isLateEntry ? " (late entry)" : ""),
                        ])
                    }, none: "Nothing is recorded yet."),
            ]
        case "departure-summary":
            if placement.arrivedAt == nil {
                note = "The departure summary is written for a resident: \(placement.personName) has not arrived."
            } else {
                let text = try await stores.residentRecords.summary(placement.id, by: principal).text
                preformatted = Wording.datesInWords(text).replacingOccurrences(of: "_", with: " ")
            }
        case "messages":
            let messages = try await stores.notifications.told(placementID: placement.id)
            tables = [
                Table(
                    caption: "E-mail sent about this stay, oldest first", headers: MessageWords.headers,
                    rows: messages.map { .init(cells: MessageWords.row($0, words: words)) },
                    none: "No e-mail has been written about this stay.")
            ]
        default:
            let bed = Self.bed(stays, placement, today: scope.today)
            let staff =
                (try? await stores.staff.listAtPremises(scope.premises.id, by: principal, page: try PageRequest(limit: 200)).items) ?? []
            let departureReasons = try await view.names.names("departure-reasons")
            let characteristics = try await view.names.characteristics()
            let keyWorker = placement.keyWorkerID.map { id in staff.first { $0.id == id }?.displayName ?? "Assigned" } ?? "None assigned"
            summaries = [
                SummaryList(
                    heading: "Stay",
                    rows: [
                        .init(key: "Expected arrival", value: words.date(placement.expectedArrival)),
                        .init(key: "Arrived", value: placement.arrivedAt.map(words.dateTime) ?? "Not yet"),
                        .init(key: "Expected departure", value: words.date(placement.expectedDeparture)),
                        .init(
                            key: "Departed",
                            value: placement.departedAt.map {
                                words.dateTime($0) + (placement.departureReason.map { " (\(departureReasons[$0] ?? $0))" } ?? "")
                            } ?? "Not yet"),
                        .init(key: "Bed", value: bed.map { "\($0.bedLabel), \($0.room)" } ?? "No bed yet"),
                        .init(key: "Key worker", value: keyWorker),
                        .init(key: "Room needs", value: ReferenceNames.list(placement.needs, in: characteristics)),
                    ])
            ]
            tables = [
                Table(
                    caption: "Bed history", headers: ["Bed", "Nights", "Allocated", "Now"],
                    rows: stays.map { stay in
                        .init(cells: [
                            "\(stay.bedLabel), \(stay.room)",
                            stay.nights.map { "\(words.date($0.first)) to \(words.date($0.end.adding(days: -1)))" } ?? "None",
                            words.dateTime(stay.allocatedAt), stay.releasedAt.map { "Released \(words.dateTime($0))" } ?? "Holds the bed",
                        ])
                    }, none: "No bed has been allocated yet.")
            ]
        }
        let bed = Self.bed(stays, placement, today: scope.today)
        let (status, statusClass) = PlacementListPage.status(placement, bed: bed?.bedLabel, today: scope.today)
        var actions = [Link]()
        let open = placement.status == .upcoming || placement.status == .arrived
        if open && scope.may(PlacementStore.allocators) {
            actions.append(Link(href: href + "/allocate", text: bed == nil ? "Allocate a bed" : "Move to another bed", current: false))
        }
        if placement.status == .upcoming && scope.may(PlacementStore.recorders) {
            actions.append(Link(href: href + "/arrival", text: "Record the arrival", current: false))
            actions.append(Link(href: href + "/non-arrival", text: "Record a non-arrival", current: false))
        }
        if placement.status == .arrived && scope.may(PlacementStore.recorders) {
            actions.append(Link(href: href + "/departure", text: "Record the departure", current: false))
        }
        if open && scope.may(KeyWorkStore.assigners) {
            actions.append(Link(href: href + "/key-worker", text: "Assign a key worker", current: false))
        }
        if open && scope.may(PlacementStore.bookers) {
            actions.append(Link(href: href + "/dates", text: "Change the dates", current: false))
        }
        if placement.status == .upcoming && scope.may(PlacementStore.bookers) {
            actions.append(Link(href: href + "/cancellation", text: "Cancel the placement", current: false))
        }
        if placement.status == .arrived && scope.may(TransferStore.requesters) {
            actions.append(Link(href: href + "/transfer", text: "Ask for a transfer", current: false))
            actions.append(Link(href: href + "/emergency-transfer", text: "Emergency transfer", current: false))
        }
        if placement.status == .upcoming && scope.may(AppealStore.appellants) {
            actions.append(Link(href: href + "/appeal", text: "Appeal this booking", current: false))
        }
        if placement.status == .arrived { actions += tabActions }
        scope.chrome.done = request.query("done").flatMap { PlacementForms.doneMessages[$0] }
        scope.chrome.back = .init(href: "\(scope.base)/placements", text: "Back to placements", current: false)
        let tabName = Self.tabs.first { $0.0 == tab }?.1 ?? "Summary"
        let model = Model(
            person: placement.personName, crn: placement.crn, status: status, statusClass: statusClass,
            tabs: Self.tabs.map { Link(href: $0.0.isEmpty ? href : "\(href)/\($0.0)", text: $0.1, current: $0.0 == tab) },
            tabName: tabName, actions: actions, summaries: summaries,
            tables: tables.enumerated().map { number, table in
                var table = table
                table.id = "\(number + 1)"
                return table
            }, note: note, preformatted: preformatted)
        return view.renderer.page(
            "placement", title: "\(tabName): \(placement.personName), \(scope.premises.name)", chrome: scope.chrome, view: model)
    }

    /// A placement and its bed history, one after the other (beside the premises' read).
    static func placementAndStays(_ view: WebView, _ id: UUID, by principal: Principal) async throws -> (Placement, [BedStay]) {
        let placement = try await view.stores.placements.get(id, by: principal)
        let stays = try await view.stores.placements.bedStays(premisesID: placement.premisesID, placementID: id, by: principal)
        return (placement, stays)
    }

    /// A placement's key-work sessions when `id` is given (a key-work tab), else none.
    static func sessions(_ view: WebView, _ id: UUID?, by principal: Principal) async throws -> [KeyWorkSession] {
        guard let id else { return [] }
        return try await view.stores.keyWork.sessions(id, by: principal)
    }

    /// The bed a placement holds now (or for its first night to come), if any.
    static func bed(_ stays: [BedStay], _ placement: Placement, today: CalendarDate) -> BedStay? {
        let live = stays.filter { $0.releasedAt == nil }
        return live.first { $0.nights?.contains(max(today, placement.arrivalDate ?? placement.expectedArrival)) ?? false } ?? live.first
    }

    /// The placement of the address's `{id}`, which must be one of the premises in the address.
    static func placement<Context: RequestContext>(_ view: WebView, _ scope: PremisesScope, _ context: Context) async throws -> Placement {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw PageError.notFound("There is no such placement.")
        }
        let placement = try await view.stores.placements.get(id, by: scope.principal)
        guard placement.premisesID == scope.premises.id else {
            throw PageError.notFound("There is no such placement at \(scope.premises.name).")
        }
        return placement
    }
}
