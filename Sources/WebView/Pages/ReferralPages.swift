import ApprovedPremises
import Foundation
import Hummingbird

/// `/referrals?status=&region=&page=`: the queue, most urgent first as the API orders it; and
/// `/referrals/{id}`: one referral to assess (the person, risks, needs and licence conditions,
/// its timeline) with the decisions the caller's role may take on it.
struct ReferralPages: Sendable {
    let view: WebView
    static let pageSize = 25
    /// The states still waiting for someone: the queue's default.
    static let open: [Referral.Status] = [.submitted, .awaitingInformation, .readyToMatch, .unableToMatch]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/referrals") { request, _ in try await queue(request) }
        router.get("/referrals/:id") { request, context in try await referral(request, context) }
    }

    struct Choice: Sendable {
        let value: String
        let text: String
        let selected: Bool
    }
    struct Link: Sendable {
        let href: String
        let text: String
        let current: Bool
    }
    struct Line: Sendable {
        let href: String
        let person: String
        let crn: String
        let status: String
        let statusClass: String
        let arrival: String
        let waiting: String
        let risk: String
        let region: String
    }
    struct Queue: Sendable {
        let statuses: [Choice]
        let regions: [Choice]
        let lines: [Line]
        let shown: String
        let pages: [Link]
        /// The referral unit enters referrals on practitioners' behalf: the button, its token, and
        /// the drafts it has begun.
        var mayEnter = false
        var formToken = ""
        var drafts: [Link] = []
    }

    private func queue(_ request: Request) async throws -> Response {
        let principal = try WebScope.caller()
        if principal.role == .probationPractitioner { return try await PractitionerPages(view: view).yourReferrals(request) }
        let status = request.query("status") ?? "open"
        let statuses: [Referral.Status]
        switch status {
        case "open": statuses = Self.open
        case "all": statuses = Referral.Status.allCases
        default:
            guard let one = Referral.Status(rawValue: status) else {
                throw PageError.badRequest("The queue shows open referrals, all of them, or one status; not \(status).")
            }
            statuses = [one]
        }
        let regions = try await view.stores.reference.entries(of: "regions")
        let region = request.query("region")
        if let region, !regions.contains(where: { $0.code == region }) {
            throw PageError.badRequest("\(region) is not a probation region.")
        }
        let page = max(1, min(10_000, request.query("page").flatMap { Int($0) } ?? 1))
        let found = try await view.stores.referrals.queue(
            statuses: statuses, region: region, by: principal,
            page: try PageRequest(limit: Self.pageSize, offset: (page - 1) * Self.pageSize))
        let words = Wording(timeZone: Premises.defaultTimeZone)
        let today = CalendarDate.today(in: Premises.defaultTimeZone)
        let names = Dictionary(regions.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let lines = found.items.map { referral in
            let d = referral.details
            let received = CalendarDate.today(in: Premises.defaultTimeZone, now: referral.createdAt)
            let waiting = received.days(to: today)
            return Line(
                href: "/referrals/\(referral.id.uuidString.lowercased())", person: d.personName, crn: d.crn,
                status: Self.words(referral.status), statusClass: Self.tagClass(referral.status),
                arrival: words.date(d.expectedArrival) + ReferralSummaries.inDays(today.days(to: d.expectedArrival)),
                waiting: waiting == 1 ? "1 day" : "\(max(0, waiting)) days", risk: ReferenceNames.words(d.roshOverall, in: [:]),
                region: d.referrerRegion.map { names[$0] ?? $0 } ?? "Not given")
        }
        func href(_ page: Int) -> String {
            "/referrals?status=\(status.urlQueryValue)" + (region.map { "&region=\($0.urlQueryValue)" } ?? "")
                + (page > 1 ? "&page=\(page)" : "")
        }
        var pages = [Link]()
        if page > 1 { pages.append(Link(href: href(page - 1), text: "Previous page", current: false)) }
        if page > 1 || found.nextCursor != nil { pages.append(Link(href: href(page), text: "Page \(page)", current: true)) }
        if found.nextCursor != nil { pages.append(Link(href: href(page + 1), text: "Next page", current: false)) }
        let first = (page - 1) * Self.pageSize
        var model = Queue(
            statuses: [Choice(value: "open", text: "Open (waiting for a decision or a bed)", selected: status == "open")]
                + Referral.Status.allCases.map { Choice(value: $0.rawValue, text: Self.words($0), selected: status == $0.rawValue) }
                + [Choice(value: "all", text: "All", selected: status == "all")],
            regions: [Choice(value: "", text: "Every region", selected: region == nil)]
                + regions.map { Choice(value: $0.code, text: $0.name, selected: $0.code == region) },
            lines: lines,
            shown: lines.isEmpty
                ? "No referral is in this queue."
                : "Referrals \(first + 1) to \(first + lines.count), most urgent first (earliest expected arrival).",
            pages: pages)
        if ReferralDraftStore.writers.contains(principal.role) {
            model.mayEnter = true
            model.formToken = FormPost.newToken()
            model.drafts = try await view.stores.referralDrafts.mine(by: principal).map { draft in
                Link(
                    href: ApplyPages.base(draft.id), text: "\(ApplyPages.personName(draft)), begun \(words.dateTime(draft.createdAt))",
                    current: false)
            }
        }
        return view.renderer.page(
            "referrals", title: "Referrals", chrome: .signedIn(principal, csrf: WebScope.csrf, current: "referrals"), view: model)
    }

    struct Event: Sendable {
        let at: String
        let what: String
        let note: String
        let who: String
    }
    struct Referral_: Sendable {
        let person: String
        let crn: String
        let status: String
        let statusClass: String
        let actions: [Link]
        let summaries: [PlacementPages.SummaryList]
        let timeline: [Event]
        let placement: Link?
        /// The e-mail written about it: when, to whom, what, delivery.
        let messages: [MessageWords.Line]
    }

    private func referral<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try WebScope.caller()
        let (referral, events) = try await Self.load(view, context)
        if principal.role == .probationPractitioner {
            return try await PractitionerPages(view: view).story(request, referral, events)
        }
        let words = Wording(timeZone: Premises.defaultTimeZone)
        let today = CalendarDate.today(in: Premises.defaultTimeZone)
        let base = "/referrals/\(referral.id.uuidString.lowercased())"
        var actions = ReferralStore.DecisionKind.available(to: principal.role, in: referral.status).map {
            Link(href: "\(base)/decide?decision=\($0.rawValue)", text: ReferralDecisionForm.title($0), current: false)
        }
        if referral.status == .readyToMatch && ReferralStore.bookers.contains(principal.role) {
            actions.insert(Link(href: "\(base)/matches", text: "Find a bed", current: false), at: 0)
        }
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "referrals")
        chrome.back = .init(href: "/referrals", text: "Back to the referral queue", current: false)
        chrome.done = ReferralDecisionForm.banner(request.query("done"))
        chrome.notice = try await view.draft(request)?.problems.first?.message
        let model = Referral_(
            person: referral.details.personName, crn: referral.details.crn, status: Self.words(referral.status),
            statusClass: Self.tagClass(referral.status), actions: actions,
            summaries: ReferralSummaries.assessment(
                referral.details, words: words, today: today,
                names: try await .read(view)),
            timeline: events.map {
                Event(at: words.dateTime($0.at), what: Self.eventWords($0.kind), note: $0.note ?? "", who: $0.staffName ?? "")
            },
            placement: try await placementLink(referral, principal),
            messages: try await view.stores.notifications.told(referralID: referral.id).map { MessageWords.line($0, words: words) })
        return view.renderer.page("referral", title: "Referral, \(referral.details.personName)", chrome: chrome, view: model)
    }

    /// Where the referral's booking is: its placement page.
    private func placementLink(_ referral: Referral, _ principal: Principal) async throws -> Link? {
        guard let id = referral.placementID else { return nil }
        let placement = try await view.stores.placements.get(id, by: principal)
        let premises = try await view.stores.premises.get(placement.premisesID, by: principal)
        return Link(
            href: "/premises/\(premises.code.urlPathSegment)/placements/\(id.uuidString.lowercased())",
            text: "Booked at \(premises.name): see the placement", current: false)
    }

    /// The referral of the address's `{id}`, if the caller may see it (else the 404 page).
    static func load<Context: RequestContext>(_ view: WebView, _ context: Context) async throws -> (Referral, [ReferralEvent]) {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw PageError.notFound("There is no such referral.")
        }
        return try await view.stores.referrals.get(id, by: try WebScope.caller())
    }

    static func words(_ status: Referral.Status) -> String {
        switch status {
        case .submitted: "New"
        case .awaitingInformation: "Awaiting information"
        case .readyToMatch: "Ready to match"
        case .unableToMatch: "Unable to match"
        case .rejected: "Rejected"
        case .booked: "Booked"
        case .withdrawn: "Withdrawn"
        }
    }

    static func tagClass(_ status: Referral.Status) -> String {
        switch status {
        case .submitted: "tag--blue"
        case .awaitingInformation: "tag--yellow"
        case .readyToMatch: "tag--green"
        case .unableToMatch: "tag--red"
        case .rejected, .withdrawn: "tag--grey"
        case .booked: "tag--green"
        }
    }

    static func eventWords(_ kind: String) -> String {
        switch kind {
        case "submitted": "Received"
        case "accepted": "Accepted"
        case "rejected": "Rejected"
        case "information_requested": "Information asked for"
        case "information_given": "Information given"
        case "unable_to_match": "Unable to match"
        case "withdrawn": "Withdrawn"
        case "offered": "Offered to a premises"
        case "booked": "Booked"
        case "appealed": "The AP appealed the booking"
        case "appeal_accepted": "Appeal accepted: booking cancelled"
        case "appeal_rejected": "Appeal rejected: the booking stands"
        case "transfer_requested": "Transfer asked for"
        case "transfer_booked": "Transfer booked"
        case "transfer_refused": "Transfer refused"
        case "transferred": "Transferred"
        default: kind.replacingOccurrences(of: "_", with: " ").capitalized
        }
    }
}
