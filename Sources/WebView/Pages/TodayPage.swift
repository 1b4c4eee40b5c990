import ApprovedPremises
import Foundation
import Hummingbird
import Mustache

/// `/premises/{code}`: what needs doing at the premises today, each item linking to where it is
/// dealt with.
struct TodayPage: Sendable {
    let view: WebView

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code") { _, context in try await render(context) }
    }

    struct Model: Sendable, MustacheParent {
        let premisesName: String
        let date: String
        let lists: [ItemList]
        let attention: Int
        /// The pages of the day's records at the premises.
        let records: [PlacementPages.Link]

        func child(named name: String) -> Any? {
            switch name {
            case "premisesName": premisesName
            case "date": date
            case "lists": lists
            case "attention": attention
            case "records": records
            default: nil
            }
        }
    }

    /// The links to the premises' record pages (the day's work), for everyone at the premises.
    /// Premises staff and administrators only: the others' work is not the premises' day.
    static func records(_ scope: PremisesScope) -> [PlacementPages.Link] {
        guard scope.principal.role.isPremisesStaff || scope.principal.role == .administrator else { return [] }
        let base = scope.base
        var links = [
            ("key-work", scope.principal.role == .keyWorker ? "Your key work" : "Key work"), ("tests", "Drug and alcohol testing"),
            ("move-on", "Move-on"), ("incidents", "Incidents"), ("night", "The night's record"), ("rooms", "Rooms and beds"),
        ].map { PlacementPages.Link(href: "\(base)/\($0.0)", text: $0.1, current: false) }
        if scope.may(StaffStore.listers) {
            links.append(
                .init(href: "/staff", text: scope.principal.role == .administrator ? "Staff accounts" : "Your staff", current: false))
        }
        return links
    }

    func render<Context: RequestContext>(_ context: Context) async throws -> Response {
        let scope = try await view.premisesScope(context, current: "today")
        let stores = view.stores
        let principal = scope.principal
        let premises = scope.premises
        let base = scope.base
        let words = scope.wording
        let today = scope.today
        // Independent reads, run side by side on the pool's connections.
        async let boardRead = stores.bedBoards.board(
            premisesID: premises.id, nights: Nights(first: today, end: today.adding(days: 1)), by: principal)
        async let placedRead = stores.placements.list(
            premisesID: premises.id, nights: Nights(first: today.adding(days: -350), end: today.adding(days: 15)),
            by: principal)
        async let staysRead = stores.placements.bedStays(premisesID: premises.id, current: today, by: principal)
        async let statesRead = stores.curfew.tonight(premisesID: premises.id, by: principal)
        async let breachesRead = stores.curfewBreaches.list(premisesID: premises.id, openOnly: true, by: principal)
        async let checksRead = stores.nightChecks.rounds(premisesID: premises.id, night: nil, by: principal)
        async let handoversRead = stores.handovers.pending(premisesID: premises.id, by: principal)
        async let keyWorkRead = stores.keyWork.due(premisesID: premises.id, keyWorkerID: nil, by: principal)
        async let labOverdueRead = stores.testing.tests(premisesID: premises.id, pendingOnly: true, by: principal)
        async let followUpsRead = stores.testing.tests(premisesID: premises.id, pendingOnly: false, awaitingFollowUp: true, by: principal)
        async let moveOnRead = stores.moveOn.flags(premisesID: premises.id, keyWorkerID: nil, by: principal)
        let board = try await boardRead
        let placed = try await placedRead
        let stays = try await staysRead
        let states = try await statesRead
        let breaches = try await breachesRead
        let checks = try await checksRead
        let handovers = try await handoversRead
        let keyWork = try await keyWorkRead
        let labOverdue = try await labOverdueRead
        let followUps = try await followUpsRead
        let moveOn = try await moveOnRead

        func placement(_ id: UUID, _ tab: String = "") -> String {
            "\(base)/placements/\(id.uuidString.lowercased())\(tab.isEmpty ? "" : "/" + tab)"
        }
        // Open placements with no bed for their next night (tonight, or the first night to come).
        let bedless = Set(
            placed.filter { placement in
                guard placement.status == .upcoming || placement.status == .arrived, let stay = placement.nights, stay.end > today else {
                    return false
                }
                let night = max(today, stay.first)
                return !stays.contains { $0.placementID == placement.id && ($0.nights?.contains(night) ?? false) }
            }.map(\.id))
        var lists = [ItemList]()
        lists.append(
            ItemList(
                id: "arrivals", heading: "Arriving today",
                items: board.arrivingToday.map { person in
                    .init(
                        "\(person.personName) (\(person.crn)), \(person.bedLabel.map { "bed \($0)" } ?? "no bed yet")",
                        href: placement(person.placementID),
                        tag: person.bedLabel == nil ? "No bed yet" : "Arriving today",
                        tagClass: person.bedLabel == nil ? "tag--red" : "tag--blue")
                }, none: "Nobody is due to arrive today."))
        let overdue = placed.filter { $0.status == .arrived && $0.expectedDeparture < today }
        lists.append(
            ItemList(
                id: "departures", heading: "Departing today, and overdue departures",
                items: board.departingToday.map { person in
                    .init(
                        "\(person.personName) (\(person.crn))", href: placement(person.placementID), tag: "Departing today",
                        tagClass: "tag--blue")
                }
                    + overdue.map { placement in
                        .init(
                            "\(placement.personName) (\(placement.crn)), was due to leave \(words.date(placement.expectedDeparture))",
                            href: self.placementHref(base, placement.id), tag: "Overdue departure", tagClass: "tag--red")
                    }, none: "Nobody is due to leave today and no departure is overdue."))
        lists.append(
            ItemList(
                id: "out", heading: "Out now, and late",
                items: states.filter { $0.state != .in }.map { state in
                    let since = state.since.map { " since \(words.time($0))" } ?? ""
                    let back = state.expectedBack.map { ", expected back \(words.time($0))" } ?? ""
                    let tag: (String, String) =
                        switch state.state {
                        case .late: ("Late \(state.minutesLate ?? 0) min", "tag--red")
                        case .dueBackSoon: ("Due back soon", "tag--yellow")
                        case .awayWithPermission: ("Away with permission", "tag--grey")
                        default: ("Out", "tag--grey")
                        }
                    return .init(
                        "\(state.personName)\(since)\(back)", href: placement(state.placementID, "curfew"), tag: tag.0, tagClass: tag.1)
                }, none: "Everyone is in."))
        lists.append(
            ItemList(
                id: "breaches", heading: "Open curfew breaches",
                items: breaches.map { breach in
                    .init(
                        "\(breach.personName): curfew from \(words.dateTime(breach.windowStart))"
                            + (breach.minutesLate.map { ", back \($0) minutes late" } ?? ", not back yet"),
                        href: placement(breach.placementID, "curfew"), tag: breach.escalatedAt == nil ? "Not escalated" : "Escalated",
                        tagClass: breach.escalatedAt == nil ? "tag--red" : "tag--yellow")
                }, none: "There are no open curfew breaches."))
        let missed = checks.rounds.filter { $0.status.rawValue == "missed" }
        lists.append(
            ItemList(
                id: "night-checks", heading: "Night checks, night of \(words.date(checks.night))",
                items: checks.rounds.map { round in
                    let status = round.status.rawValue.replacingOccurrences(of: "_", with: " ")
                    return .init(
                        "Round due \(words.time(round.dueAt))" + (round.recordedBy.map { ", recorded by \($0)" } ?? ""),
                        tag: status.prefix(1).uppercased() + status.dropFirst() + (round.recordedLate ? " (late)" : ""),
                        tagClass: round.status.rawValue == "missed"
                            ? "tag--red" : round.status.rawValue == "recorded" ? "tag--green" : "tag--grey")
                }, none: missed.isEmpty ? "No rounds are due yet this night." : ""))
        lists.append(
            ItemList(
                id: "handovers", heading: "Handovers waiting to be acknowledged",
                items: handovers.map { handover in
                    .init(
                        "\(handover.shift.capitalized) shift handover by \(handover.writtenBy), \(words.dateTime(handover.writtenAt))",
                        href: "\(base)/handovers/\(handover.id.uuidString.lowercased())", tag: "Not acknowledged", tagClass: "tag--yellow")
                }, none: "Every handover has been acknowledged."))
        lists.append(
            ItemList(
                id: "key-work", heading: "Key-work sessions overdue",
                items: keyWork.sessions.filter { $0.daysOverdue > 0 }.map { due in
                    .init(
                        "\(due.personName): due \(words.date(due.dueOn))"
                            + (due.keyWorker.map { ", key worker \($0)" } ?? ", no key worker"),
                        href: placement(due.placementID, "key-work"), tag: "\(due.daysOverdue) days overdue", tagClass: "tag--red")
                }, none: "No key-work session is overdue."))
        lists.append(
            ItemList(
                id: "lab-results", heading: "Laboratory results overdue",
                items: labOverdue.map { test in
                    .init(
                        "\(test.personName): sample \(test.sampleNumber ?? "") taken \(test.takenAt.map(words.dateTime) ?? "")",
                        href: placement(test.placementID, "tests"), tag: "Result overdue", tagClass: "tag--red")
                }, none: "No laboratory result is overdue."))
        lists.append(
            ItemList(
                id: "follow-ups", heading: "Positive results awaiting follow-up",
                items: followUps.map { test in
                    .init(
                        "\(test.personName): test of \(words.dateTime(test.requiredAt))", href: placement(test.placementID, "tests"),
                        tag: "Follow-up needed", tagClass: "tag--red")
                }, none: "No positive result is awaiting follow-up."))
        lists.append(
            ItemList(
                id: "move-on", heading: "Residents flagged for move-on",
                items: moveOn.map { flag in
                    .init(
                        "\(flag.personName): move on by \(words.date(flag.targetDate))", href: placement(flag.placementID, "move-on"),
                        tag: flag.daysLeft < 0 ? "\(-flag.daysLeft) days past" : "\(flag.daysLeft) days left",
                        tagClass: flag.daysLeft < 14 ? "tag--red" : "tag--yellow")
                }, none: "Nobody is flagged for move-on."))
        let reasons = try await view.names.names("out-of-service-reasons")
        lists.append(
            ItemList(
                id: "out-of-service", heading: "Beds out of service tonight",
                items: board.beds.compactMap { row in
                    guard let cell = row.nights.first, cell.state == .outOfService else { return nil }
                    return .init(
                        "Bed \(row.label) (\(row.room)): \(cell.reason.map { reasons[$0] ?? $0 } ?? "no reason given")",
                        href: "\(base)/out-of-service",
                        tag: "Out of service", tagClass: "tag--grey")
                }, none: "Every bed is in service tonight."))
        if !bedless.isEmpty {
            lists.insert(
                ItemList(
                    id: "no-bed", heading: "Placements with no bed yet",
                    items: placed.filter { bedless.contains($0.id) && $0.expectedArrival <= today.adding(days: 14) }.map { placement in
                        .init(
                            "\(placement.personName) (\(placement.crn)), arriving \(words.date(placement.expectedArrival))",
                            href: self.placementHref(base, placement.id) + (scope.may(PlacementStore.allocators) ? "/allocate" : ""),
                            tag: "No bed yet", tagClass: "tag--red")
                    }, none: "Every placement in the next fortnight has a bed."), at: 1)
        }
        let attention =
            lists.filter { ["out", "breaches", "handovers", "key-work", "lab-results", "follow-ups", "no-bed"].contains($0.id) }
            .map(\.count).reduce(0, +) + missed.count + overdue.count
        return view.renderer.page(
            "today", title: "Today at \(premises.name)", chrome: scope.chrome,
            view: Model(
                premisesName: premises.name, date: words.date(today), lists: lists, attention: attention,
                records: Self.records(scope)))
    }

    private func placementHref(_ base: String, _ id: UUID) -> String { "\(base)/placements/\(id.uuidString.lowercased())" }
}
