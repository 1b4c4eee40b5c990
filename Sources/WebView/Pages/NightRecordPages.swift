import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/night?night=YYYY-MM-DD`: the record of a night for managers (last night
/// unless asked): the sign-outs and sign-ins from midday to midday (each correction beside the
/// entry it corrects), the night-check rounds with the missed ones marked, the breaches of the
/// night and every breach still waiting for an outcome (each linking to its escalation and
/// outcome forms), and the handovers. A resident's own log is on their placement's curfew tab.
struct NightRecordPages: Sendable {
    let view: WebView

    static let done = ["outcome": "Outcome recorded", "escalated": "Escalation recorded"]
    static let midday = WallClock("12:00")!

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/night") { request, context in
            var scope = try await view.premisesScope(context, current: "night")
            scope.chrome.done = request.query("done").flatMap { Self.done[$0] }
            let night = try DateInput.query(request, "night", name: "the night") ?? scope.today.adding(days: -1)
            guard night <= scope.today else { throw PageError.badRequest("The night must be tonight or one before it") }
            return try await page(scope, night: night)
        }
        DayForm.register([Self.outcome, Self.escalation], premises: true, view: view, on: router)
    }

    private func page(_ scope: PremisesScope, night: CalendarDate) async throws -> Response {
        let stores = view.stores
        let principal = scope.principal
        let words = scope.wording
        let premisesID = scope.premises.id
        let from = CurfewRules.instant(night, Self.midday, in: words.timeZone)
        let to = CurfewRules.instant(night.adding(days: 1), Self.midday, in: words.timeZone)
        async let logRead = stores.curfew.log(premisesID: premisesID, from: from, to: to, by: principal)
        async let roundsRead = stores.nightChecks.rounds(premisesID: premisesID, night: night, by: principal)
        async let breachesRead = stores.curfewBreaches.list(premisesID: premisesID, openOnly: false, by: principal)
        async let pendingRead = stores.handovers.pending(premisesID: premisesID, by: principal)
        let latest = try await stores.handovers.latest(premisesID: premisesID, by: principal)
        let (log, rounds, breaches, pending) = try await (logRead, roundsRead, breachesRead, pendingRead)
        let decider = scope.may(CurfewBreachStore.deciders)
        let escalator = scope.may(CurfewBreachStore.escalators)
        let times = Dictionary(log.map { ($0.movement.id, $0.movement.occurredAt) }, uniquingKeysWith: { first, _ in first })
        func curfew(_ id: UUID) -> String { "\(scope.base)/placements/\(id.uuidString.lowercased())/curfew" }

        var page = RecordsPage(caption: scope.premises.name, heading: "The night of \(words.date(night))")
        page.intro = ["From midday on \(words.date(night)) to midday on \(words.date(night.adding(days: 1)))."]
        page.filterAction = "\(scope.base)/night"
        page.filter = [.date("night", "Another night", name: "the night", value: night, posted: nil)]
        if let latest {
            page.action("\(scope.base)/handovers/\(latest.id.uuidString.lowercased())", "The latest handover")
        }
        for handover in pending where handover.id != latest?.id {
            page.action(
                "\(scope.base)/handovers/\(handover.id.uuidString.lowercased())", "Handover of \(words.dateTime(handover.writtenAt))")
        }
        let nightBreaches = breaches.filter { $0.windowStart >= from && $0.windowStart < to }
        let waiting = breaches.filter { $0.outcome == nil && $0.state != .void && $0.state != .open }
        func breachRow(_ breach: CurfewBreach) -> RecordsPage.Row {
            let base = "\(scope.base)/breaches/\(breach.id.uuidString.lowercased())"
            let escalated =
                breach.escalatedAt.map { at in
                    "Escalated \(words.dateTime(at))"
                        + ([breach.ppInformedAt.map { _ in "practitioner told" }, breach.policeInformedAt.map { _ in "police told" }]
                            .compactMap { $0 }.joined(separator: ", ").nonEmpty.map { " (\($0))" } ?? "")
                } ?? "Not escalated"
            let outcome: RecordsPage.Cell =
                breach.outcome.map {
                    .init("\(Labels.of($0.rawValue)) (\(breach.outcomeBy ?? ""))" + (breach.outcomeNote.map { ": \($0)" } ?? ""))
                }
                ?? (decider && breach.state != .void
                    ? .init("Record the outcome", href: "\(base)/outcome", hidden: "for \(breach.personName)") : "None yet")
            return .init(cells: [
                .init(breach.personName, href: curfew(breach.placementID)), .init(words.dateTime(breach.windowStart)),
                .init(breach.closedAt.map { "\(words.dateTime($0)), \(breach.minutesLate ?? 0) minutes late" } ?? "Not back yet"),
                escalator && breach.state == .open
                    ? .init(escalated + ": escalate", href: "\(base)/escalation", hidden: "for \(breach.personName)") : .init(escalated),
                outcome,
            ])
        }
        let breachHeaders = ["Resident", "Curfew from", "Back", "Escalation", "Outcome"]
        page.tables = [
            .init(
                caption: "Signing out and in", headers: ["When", "Resident", "What", "Recorded", "Correction"],
                rows: log.map { entry in
                    let movement = entry.movement
                    var correction = ""
                    if let corrects = movement.correctsID {
                        correction =
                            "Corrects the entry of \(times[corrects].map(words.dateTime) ?? "an earlier night")"
                            + (movement.correctionReason.map { ": \($0)" } ?? "")
                    } else if movement.correctedByID != nil {
                        correction = "Corrected: see the correction"
                    }
                    return .init(cells: [
                        .init(words.dateTime(movement.occurredAt)), .init(entry.personName, href: curfew(movement.placementID)),
                        .init(Labels.of(movement.kind == "out" ? "sign_out" : "sign_in") + (movement.destination.map { ": \($0)" } ?? "")),
                        .init(
                            "\(words.dateTime(movement.recordedAt)) by \(movement.recordedBy)"
                                + (movement.isLateEntry ? " (late entry)" : "")),
                        .init(correction),
                    ])
                }, none: "Nobody signed out or in that night."),
            .init(
                caption: "Night-check rounds", headers: ["Due", "Status", "Recorded", "Observations"],
                rows: rounds.rounds.map { round in
                    .init(cells: [
                        .init(words.time(round.dueAt)), .init(round.status == .missed ? "MISSED" : Labels.of(round.status.rawValue)),
                        .init(
                            round.recordedAt.map {
                                "\(words.time($0)) by \(round.recordedBy ?? "")" + (round.recordedLate ? " (late)" : "")
                            } ?? ""),
                        .init(
                            round.observations.filter { $0.observation != .seen }.map {
                                "\($0.personName): \(Labels.of($0.observation.rawValue))"
                            }
                            .joined(separator: "; ").nonEmpty ?? (round.observations.isEmpty ? "" : "Everyone seen")),
                    ])
                }, none: "No rounds are set for that night."),
            .init(
                caption: "Curfew breaches of that night", headers: breachHeaders, rows: nightBreaches.map(breachRow),
                none: "No breach that night."),
            .init(
                caption: "Breaches waiting for an outcome, newest first", headers: breachHeaders, rows: waiting.map(breachRow),
                none: "No breach is waiting for an outcome."),
        ]
        return view.renderer.page("records", title: "\(page.heading), \(scope.premises.name)", chrome: scope.chrome, view: page)
    }

    /// The breach of the address (404 unless it is the premises'), and a caption for its forms.
    static func breach(_ form: DayForm.Context) async throws -> (CurfewBreach, String) {
        let (breach, premisesID) = try await form.view.stores.curfewBreaches.breach(try form.uuid("breach"), by: form.principal)
        guard premisesID == form.premises.premises.id else { throw PageError.notFound("There is no such breach here.") }
        return (breach, "\(breach.personName): curfew from \(form.wording.dateTime(breach.windowStart))")
    }

    static func back(_ form: DayForm.Context, _ breach: CurfewBreach) -> String {
        let night = CalendarDate.today(in: form.wording.timeZone, now: breach.windowStart.addingTimeInterval(-12 * 3600))
        return "\(form.base)/night?night=\(night)"
    }

    static var outcome: DayForm {
        DayForm(
            path: "breaches/:id/outcome", heading: "Record a breach's outcome", roles: CurfewBreachStore.deciders, current: "night",
            fields: { form, posted in
                let (breach, caption) = try await Self.breach(form)
                return Self.outcome.model(
                    form, caption: caption, submit: "Record the outcome",
                    fields: [
                        .radios(
                            "outcome", "What is the outcome?", name: "the outcome",
                            options: Labels.choices(CurfewBreach.Outcome.self).map {
                                .init(value: $0.0, text: $0.1, hint: nil, checked: posted?["outcome"] == $0.0)
                            }),
                        .textarea("note", "Notes (optional)", value: posted?["note"]),
                    ], cancel: Self.back(form, breach))
            },
            change: { form, fields in
                let (breach, _) = try await Self.breach(form)
                guard let outcome = fields["outcome"] else {
                    throw DomainError.invalid(field: "outcome", rule: "required", "Choose the outcome")
                }
                _ = try await form.view.stores.curfewBreaches.recordOutcome(
                    breach.id, outcome: outcome, note: fields["note"], by: form.principal)
                return Self.back(form, breach) + "&done=outcome"
            })
    }

    static var escalation: DayForm {
        DayForm(
            path: "breaches/:id/escalation", heading: "Escalate a breach", roles: CurfewBreachStore.escalators, current: "night",
            fields: { form, posted in
                let (breach, caption) = try await Self.breach(form)
                return Self.escalation.model(
                    form, caption: caption, submit: "Record the escalation",
                    fields: [
                        .checkboxes(
                            "informed", "Who was told?", name: "who was told",
                            options: [
                                .init(
                                    value: "pp", text: "The probation practitioner", hint: nil,
                                    checked: posted?.all("informed").contains("pp") ?? false),
                                .init(
                                    value: "police", text: "The police", hint: nil,
                                    checked: posted?.all("informed").contains("police") ?? false),
                            ]),
                        .textarea("note", "Notes (optional)", value: posted?["note"]),
                    ], cancel: Self.back(form, breach))
            },
            change: { form, fields in
                let (breach, _) = try await Self.breach(form)
                let informed = fields.all("informed")
                do {
                    _ = try await form.view.stores.curfewBreaches.escalate(
                        breach.id, ppInformed: informed.contains("pp"), policeInformed: informed.contains("police"), note: fields["note"],
                        by: form.principal)
                } catch let error as DomainError where error.problems.contains(where: { $0.field == "ppInformed" }) {
                    throw DomainError.invalid(field: "informed", rule: "required", "Choose who was told")
                }
                return Self.back(form, breach) + "&done=escalated"
            })
    }
}
