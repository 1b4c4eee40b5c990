import ApprovedPremises
import Foundation
import Hummingbird

/// What a probation practitioner sees: "Your referrals" (`/referrals` for them), drafts and
/// referrals with their stage as a tag and what waits for them first; each referral's story in
/// words (`/referrals/{id}` for them) with what they may do; and the departure summary, to read
/// and print (`/referrals/{id}/departure-summary`). All read through the same store calls as the
/// API, which show a practitioner their own referrals only.
struct PractitionerPages: Sendable {
    let view: WebView

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/referrals/:id/departure-summary") { request, context in try await departureSummary(context) }
    }

    struct Draft: Sendable {
        let href: String
        let person: String
        let saved: String
        let progress: String
    }
    struct Line: Sendable {
        let href: String
        let person: String
        let crn: String
        let stage: String
        let stageClass: String
        let waiting: String
        let arrival: String
    }
    struct Mine: Sendable {
        let formToken: String
        let drafts: [Draft]
        let lines: [Line]
        /// What waits for the practitioner, when something does.
        let waiting: String?
    }

    /// "Your referrals": drafts first (the most recently saved first), then referrals, those
    /// waiting for the practitioner first, then by expected arrival.
    func yourReferrals(_ request: Request) async throws -> Response {
        let principal = try WebScope.caller()
        let words = Wording(timeZone: Premises.defaultTimeZone)
        // Drafts and referrals read side by side.
        async let mine = view.stores.referralDrafts.mine(by: principal)
        var referrals = [Referral]()
        var cursor: String? = nil
        repeat {
            let page = try await view.stores.referrals.queue(
                statuses: [], by: principal, page: try PageRequest(limit: 200, cursor: cursor))
            referrals += page.items
            cursor = page.nextCursor
        } while cursor != nil && referrals.count < 2000
        let drafts = try await mine.map { draft in
            Draft(
                href: ApplyPages.base(draft.id), person: ApplyPages.personName(draft), saved: words.dateTime(draft.updatedAt),
                progress: "\(draft.sectionsSaved.count) of \(ReferralDraft.Section.allCases.count) sections")
        }
        let today = CalendarDate.today(in: Premises.defaultTimeZone)
        let lines =
            referrals
            .sorted {
                ($0.stage == .informationRequested ? 0 : 1, $0.details.expectedArrival) < (
                    $1.stage == .informationRequested ? 0 : 1, $1.details.expectedArrival
                )
            }
            .map { referral in
                Line(
                    href: "/referrals/\(referral.id.uuidString.lowercased())", person: referral.details.personName,
                    crn: referral.details.crn, stage: Self.words(referral.stage), stageClass: Self.tagClass(referral.stage),
                    waiting: referral.stage == .informationRequested ? "Answer the referral unit's question" : "",
                    arrival: words.date(referral.details.expectedArrival)
                        + ReferralSummaries.inDays(today.days(to: referral.details.expectedArrival)))
            }
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "referrals")
        chrome.done = request.query("done") == "discarded" ? "The draft is discarded" : nil
        let model = Mine(
            formToken: FormPost.newToken(), drafts: drafts, lines: lines,
            waiting: Self.waiting(lines.filter { !$0.waiting.isEmpty }.count))
        return view.renderer.page("your-referrals", title: "Your referrals", chrome: chrome, view: model)
    }

    struct Entry: Sendable {
        let title: String
        let when: String
        let lines: [String]
    }
    struct Story: Sendable {
        let person: String
        let crn: String
        let stage: String
        let stageClass: String
        let question: String?
        let actions: [ReferralPages.Link]
        let entries: [Entry]
        let summaries: [PlacementPages.SummaryList]
    }

    /// A referral's story in words, newest last, and what the practitioner may do.
    func story(_ request: Request, _ referral: Referral, _ events: [ReferralEvent]) async throws -> Response {
        let principal = try WebScope.caller()
        let words = Wording(timeZone: Premises.defaultTimeZone)
        let progress = try await view.stores.referrals.progress(referral.id, by: principal)
        let base = "/referrals/\(referral.id.uuidString.lowercased())"
        var entries = [(Date, Entry)]()
        for event in events {
            let note = event.note.map { [$0] } ?? []
            let title: String? =
                switch event.kind {
                case "submitted": "Referral received by the Central Referral Unit"
                case "information_requested": "The referral unit asked a question"
                case "information_given": "The question was answered"
                case "information_added": "Information added"
                case "accepted": "Accepted: the referral unit is finding a place"
                case "rejected": "Rejected"
                case "withdrawn": "Withdrawn"
                case "handed_over": "The case changed hands"
                case "appeal_accepted": "The AP booked could not take them: the referral unit is finding another place"
                case "transfer_booked": "A move to another AP was booked"
                case "transferred": "Moved to another AP"
                case "booked": nil  // told with the stay below
                default: nil
                }
            if let title {
                entries.append(
                    (
                        event.at,
                        Entry(title: title, when: words.dateTime(event.at), lines: note + (event.staffName.map { ["By \($0)"] } ?? []))
                    ))
            }
        }
        // Days without a time (an arrival date, say) sort at their noon.
        let noon = { (date: CalendarDate) in Date(timeIntervalSince1970: Double(date.daysSinceEpoch) * 86_400 + 12 * 3_600) }
        for stay in progress.stays {
            let booked = events.first { $0.kind == "booked" && $0.placementID == stay.placementID }?.at ?? noon(stay.expectedArrival)
            let place = [stay.premisesName, stay.address, stay.postcode].compactMap { $0 }.joined(separator: ", ")
            entries.append(
                (
                    booked,
                    Entry(
                        title: "Booked at \(stay.premisesName)", when: words.dateTime(booked),
                        lines: [
                            "Address: \(place)", "Telephone: \(stay.telephone ?? "not recorded")",
                            "From \(words.date(stay.expectedArrival)) to \(words.date(stay.expectedDeparture))",
                        ])
                ))
            if let day = stay.arrivedOn {
                entries.append((noon(day), Entry(title: "Arrived at \(stay.premisesName)", when: words.date(day), lines: [])))
            }
            if let day = stay.notArrivedOn {
                entries.append(
                    (noon(day), Entry(title: "Did not arrive", when: words.date(day), lines: stay.nonArrivalReason.map { [$0] } ?? [])))
            }
            if let day = stay.cancelledOn {
                entries.append(
                    (noon(day), Entry(title: "Booking cancelled", when: words.date(day), lines: stay.cancellationReason.map { [$0] } ?? []))
                )
            }
            if let day = stay.departedOn {
                entries.append(
                    (
                        noon(day).addingTimeInterval(3600),
                        Entry(
                            title: "Left \(stay.premisesName)", when: words.date(day),
                            lines: [stay.departureReason, stay.moveOnCategory.map { "Moved on to: \($0)" }].compactMap { $0 })
                    ))
            }
        }
        for breach in progress.breaches {
            let late = breach.minutesLate.map { "Back \($0) minutes late" } ?? "Not back"
            let outcome =
                breach.outcome.map { "Outcome: " + ReferenceNames.words($0, in: ["reported_to_pp": "Reported to you"]) } ?? "No outcome yet"
            entries.append(
                (
                    noon(breach.escalatedOn),
                    Entry(
                        title: "Curfew broken on the night of \(words.date(breach.night))",
                        when: "Told on \(words.date(breach.escalatedOn))", lines: [late, outcome])
                ))
        }
        var actions = [ReferralPages.Link]()
        for kind in ReferralStore.DecisionKind.available(to: principal.role, in: referral.status) {
            actions.append(.init(href: "\(base)/decide?decision=\(kind.rawValue)", text: Self.actionTitle(kind), current: false))
        }
        if referral.stage == .departed {
            actions.append(.init(href: "\(base)/departure-summary", text: "Read the departure summary", current: false))
        }
        let question =
            referral.stage == .informationRequested ? events.last { $0.kind == "information_requested" }?.note : nil
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "referrals")
        chrome.back = .init(href: "/referrals", text: "Back to your referrals", current: false)
        chrome.done =
            request.query("done") == "submitted"
            ? "Your referral is submitted" : ReferralDecisionForm.banner(request.query("done"))
        let model = Story(
            person: referral.details.personName, crn: referral.details.crn, stage: Self.words(referral.stage),
            stageClass: Self.tagClass(referral.stage), question: question, actions: actions,
            entries: entries.sorted { $0.0 < $1.0 }.map(\.1),
            summaries: ReferralSummaries.assessment(
                referral.details, words: words, today: CalendarDate.today(in: Premises.defaultTimeZone), names: try await .read(view)))
        return view.renderer.page(
            "practitioner-referral", title: "Your referral, \(referral.details.personName)", chrome: chrome, view: model)
    }

    struct Summary: Sendable {
        let summary: PlacementPages.SummaryList
        let lists: [PlacementPages.SummaryList]
        let person: String
    }

    private func departureSummary<Context: RequestContext>(_ context: Context) async throws -> Response {
        guard let text = context.parameters.get("id"), let id = UUID(uuidString: text) else {
            throw PageError.notFound("There is no such referral.")
        }
        let principal = try WebScope.caller()
        let summary = try await view.stores.referrals.departureSummary(id, by: principal, records: view.stores.residentRecords)
        let words = Wording(timeZone: Premises.defaultTimeZone)
        func date(_ value: CalendarDate?) -> String { value.map(words.date) ?? "Not recorded" }
        func list(_ heading: String, _ lines: [String], none: String) -> PlacementPages.SummaryList {
            .init(
                heading: heading,
                rows: lines.isEmpty
                    ? [.init(key: heading, value: none)] : lines.enumerated().map { .init(key: "\($0.offset + 1)", value: $0.element) })
        }
        let stay = PlacementPages.SummaryList(
            heading: "The stay",
            rows: [
                .init(key: "Premises", value: summary.premisesName), .init(key: "Arrived", value: date(summary.arrivalDate)),
                .init(key: "Left", value: date(summary.departureDate)),
                .init(key: "Why they left", value: summary.departureReason ?? "Not recorded"),
                .init(key: "Moved on to", value: summary.moveOnCategory ?? "Not recorded"),
                .init(key: "Address", value: summary.address ?? "Not recorded"),
                .init(key: "Key worker", value: summary.keyWorker ?? "None assigned"),
                .init(key: "Risk", value: summary.risk ?? "Not recorded"),
                .init(key: "Key-work sessions", value: "\(summary.keyWorkSessions)"),
                .init(key: "Tests", value: "\(summary.testsTaken) taken, \(summary.testsMissed) missed"),
                .init(key: "Curfew breaches", value: "\(summary.curfewBreaches), \(summary.breachesEscalated) escalated"),
            ])
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "referrals")
        chrome.back = .init(href: "/referrals/\(id.uuidString.lowercased())", text: "Back to the referral", current: false)
        chrome.printable = true
        let model = Summary(
            summary: stay,
            lists: [
                list("Last key-work sessions", summary.lastSessions, none: "None"),
                list("Actions still open", summary.openActions, none: "None"),
                list("Positive or refused tests", summary.positiveOrRefused, none: "None"),
                list("Curfew breaches", summary.breaches, none: "None"),
                list("Incidents", summary.incidents, none: "None"), list("Move-on pathways", summary.moveOnPathways, none: "None"),
            ],
            person: "\(summary.personName) (\(summary.crn))")
        return view.renderer.page("departure-summary", title: "Departure summary, \(summary.personName)", chrome: chrome, view: model)
    }

    static func waiting(_ count: Int) -> String? {
        switch count {
        case 0: nil
        case 1: "The referral unit is waiting for your answer on one referral: it is at the top of the list."
        default: "The referral unit is waiting for your answer on \(count) referrals: they are at the top of the list."
        }
    }

    static func actionTitle(_ kind: ReferralStore.DecisionKind) -> String {
        switch kind {
        case .provideInformation: "Answer the question"
        default: ReferralDecisionForm.title(kind)
        }
    }

    static func words(_ stage: Referral.Stage) -> String {
        switch stage {
        case .submitted: "Submitted"
        case .informationRequested: "Information requested"
        case .accepted: "Accepted"
        case .offered: "Offered"
        case .booked: "Booked"
        case .arrived: "Arrived"
        case .notArrived: "Did not arrive"
        case .departed: "Departed"
        case .rejected: "Rejected"
        case .withdrawn: "Withdrawn"
        case .unableToMatch: "Unable to match"
        }
    }

    static func tagClass(_ stage: Referral.Stage) -> String {
        switch stage {
        case .submitted: "tag--blue"
        case .informationRequested: "tag--yellow"
        case .accepted, .offered, .booked, .arrived: "tag--green"
        case .notArrived, .unableToMatch: "tag--red"
        case .departed, .rejected, .withdrawn: "tag--grey"
        }
    }
}
