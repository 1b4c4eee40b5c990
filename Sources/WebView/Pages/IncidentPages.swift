import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/incidents`: the premises' incidents as they now stand, newest first,
/// filtered by dates, kind, severity and resident; `/incidents/{number}` one incident with every
/// earlier version below it (who amended it, when and why), printable; `/incidents/new` records
/// one and `/incidents/{number}/amend` amends it (a new version of the whole record).
struct IncidentPages: Sendable {
    let view: WebView

    static let midnight = WallClock("00:00")!
    static let done = ["recorded": "Incident recorded", "amended": "Incident amended"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/incidents") { request, context in
            let scope = try await view.premisesScope(context, current: "incidents")
            return try await list(request, scope)
        }
        router.get("/premises/:code/incidents/:id") { request, context in
            var scope = try await view.premisesScope(context, current: "incidents")
            scope.chrome.done = request.query("done").flatMap { Self.done[$0] }
            return try await show(context.parameters.get("id") ?? "", scope)
        }
        DayForm.register([Self.record, Self.amend], premises: true, view: view, on: router)
    }

    private func list(_ request: Request, _ scope: PremisesScope) async throws -> Response {
        let words = scope.wording
        let zone = words.timeZone
        let from = try DateInput.query(request, "from", name: "the first day")
        let to = try DateInput.query(request, "to", name: "the last day")
        if let from, let to, to < from { throw PageError.badRequest("The last day must be on or after the first day") }
        let resident = request.query("resident").flatMap(UUID.init(uuidString:))
        let kind = request.query("kind").flatMap { Incident.Kind(rawValue: $0)?.rawValue }
        let severity = request.query("severity").flatMap { Incident.Severity(rawValue: $0)?.rawValue }
        async let residentsRead = Self.residents(view, scope)
        let incidents = try await view.stores.incidents.list(
            premisesID: scope.premises.id, since: from.map { CurfewRules.instant($0, Self.midnight, in: zone) },
            before: to.map { CurfewRules.instant($0.adding(days: 1), Self.midnight, in: zone) }, placementID: resident, kind: kind,
            severity: severity,
            by: scope.principal)
        let residents = try await residentsRead
        var page = RecordsPage(caption: scope.premises.name, heading: "Incidents")
        if scope.may(IncidentStore.recorders) { page.action("\(scope.base)/incidents/new", "Record an incident") }
        page.filterAction = "\(scope.base)/incidents"
        page.filter = [
            .date("from", "From (optional)", name: "the first day", value: from, posted: nil),
            .date("to", "To (optional)", name: "the last day", value: to, posted: nil),
            .select("kind", "Kind", value: kind, choices: Labels.choices(Incident.Kind.self)),
            .select("severity", "Severity", value: severity, choices: Labels.choices(Incident.Severity.self)),
            .select("resident", "Resident", value: resident?.uuidString.lowercased(), choices: residents),
        ]
        page.tables = [
            .init(
                caption: "Incidents as they now stand, newest first (at most 500)",
                headers: ["Number", "When", "Kind", "Severity", "Who", "Versions"],
                rows: incidents.map { incident in
                    .init(cells: [
                        .init("Incident \(incident.number)", href: "\(scope.base)/incidents/\(incident.number)"),
                        .init(words.dateTime(incident.occurredAt)), .init(Labels.of(incident.kind.rawValue)),
                        .init(Labels.of(incident.severity.rawValue)),
                        .init(incident.residents.map(\.name).joined(separator: ", ").nonEmpty ?? "No resident"),
                        .init("\(incident.versions)"),
                    ])
                }, none: "No incident matches.")
        ]
        return view.renderer.page("records", title: "Incidents, \(scope.premises.name)", chrome: scope.chrome, view: page)
    }

    private func show(_ number: String, _ scope: PremisesScope) async throws -> Response {
        guard let number = Int64(number) else { throw PageError.notFound("There is no such incident.") }
        let versions = try await view.stores.incidents.history(number, by: scope.principal)
        guard let latest = versions.last, latest.premisesID == scope.premises.id else {
            throw PageError.notFound("There is no such incident at \(scope.premises.name).")
        }
        let words = scope.wording
        func summary(_ incident: Incident, heading: String) -> PlacementPages.SummaryList {
            var rows: [PlacementPages.SummaryRow] = [
                .init(key: "When", value: words.dateTime(incident.occurredAt)),
                .init(key: "Kind", value: Labels.of(incident.kind.rawValue)),
                .init(key: "Severity", value: Labels.of(incident.severity.rawValue)), .init(key: "Where", value: incident.location),
                .init(key: "What happened", value: incident.summary),
                .init(key: "Residents", value: incident.residents.map(\.name).joined(separator: ", ").nonEmpty ?? "None"),
                .init(key: "Staff", value: incident.staff.map(\.name).joined(separator: ", ").nonEmpty ?? "None"),
                .init(key: "Action taken", value: incident.actionTaken),
                .init(key: "Told", value: incident.told.joined(separator: "; ").nonEmpty ?? "Nobody"),
                .init(key: "Recorded", value: "\(words.dateTime(incident.recordedAt)) by \(incident.recordedBy)"),
            ]
            if let reason = incident.amendmentReason { rows.append(.init(key: "Why it was amended", value: reason)) }
            return .init(heading: heading, rows: rows)
        }
        var page = RecordsPage(caption: scope.premises.name, heading: "Incident \(number)")
        page.printable = true
        if scope.may(IncidentStore.recorders) { page.action("\(scope.base)/incidents/\(number)/amend", "Amend this incident") }
        page.intro = [
            versions.count == 1
                ? "As first recorded." : "Amended: this is version \(versions.count); the earlier versions are below, newest first."
        ]
        page.summaries =
            [summary(latest, heading: "As it now stands")]
            + versions.enumerated().dropLast().reversed().map { number, version in
                summary(version, heading: "Version \(number + 1), as it stood before")
            }
        return view.renderer.page("records", title: "Incident \(number), \(scope.premises.name)", chrome: scope.chrome, view: page)
    }

    /// The residents in residence, for choosing who an incident involves.
    static func residents(_ view: WebView, _ scope: PremisesScope) async throws -> [(String, String)] {
        try await view.stores.placements.list(
            premisesID: scope.premises.id, nights: Nights(first: scope.today, end: scope.today.adding(days: 1)), by: scope.principal
        ).filter { $0.status == .arrived }.map { ($0.id.uuidString.lowercased(), "\($0.personName) (\($0.crn))") }
    }

    /// The fields of an incident, filled in from `incident` or from what was posted.
    static func fields(_ form: DayForm.Context, _ incident: Incident?, posted: FormFields?) async throws -> [FormModel.Field] {
        let scope = form.premises
        let words = form.wording
        let staff = try await form.view.stores.staff.listAtPremises(
            scope.premises.id, by: form.principal, page: try PageRequest(limit: 200)
        )
        .items.filter(\.active)
        var residents = try await Self.residents(form.view, scope)
        for person in incident?.residents ?? [] where !residents.contains(where: { $0.0 == person.id.uuidString.lowercased() }) {
            residents.append((person.id.uuidString.lowercased(), person.name))
        }
        func value(_ name: String, _ given: String?) -> String? { posted.map { $0[name] ?? "" } ?? given }
        let chosenResidents = posted?.all("residents") ?? incident?.residents.map { $0.id.uuidString.lowercased() } ?? []
        let chosenStaff = posted?.all("staff") ?? incident?.staff.map { $0.id.uuidString.lowercased() } ?? []
        let occurred = incident.map { CalendarDate.today(in: words.timeZone, now: $0.occurredAt) } ?? form.today
        return [
            .select("kind", "Kind of incident", value: value("kind", incident?.kind.rawValue), choices: Labels.choices(Incident.Kind.self)),
            .radios(
                "severity", "Severity",
                options: Labels.choices(Incident.Severity.self).map {
                    .init(value: $0.0, text: $0.1, hint: nil, checked: value("severity", incident?.severity.rawValue) == $0.0)
                }),
            .date("occurredAt", "Date it happened", hint: DateInput.hint(form.today), value: occurred, posted: posted),
            .time(
                "occurredAt-time", "Time it happened", name: "the time it happened",
                value: value("occurredAt-time", incident.map { words.time($0.occurredAt) } ?? words.time(Date()))),
            .input("location", "Where it happened", value: value("location", incident?.location)),
            .textarea("summary", "What happened", value: value("summary", incident?.summary)),
            .checkboxes(
                "residents", "Residents involved (optional)", name: "the residents involved",
                options: residents.map { .init(value: $0.0, text: $0.1, hint: nil, checked: chosenResidents.contains($0.0)) }),
            .checkboxes(
                "staff", "Staff involved (optional)", name: "the staff involved",
                options: staff.map {
                    let id = $0.id.uuidString.lowercased()
                    return .init(value: id, text: $0.displayName, hint: nil, checked: chosenStaff.contains(id))
                }),
            .textarea("actionTaken", "Action taken", value: value("actionTaken", incident?.actionTaken)),
            .textarea(
                "told", "Who was told (optional)", name: "who was told", hint: "One on each line: the police, the probation practitioner.",
                value: value("told", incident?.told.joined(separator: "\n"))),
        ]
    }

    static func details(_ form: DayForm.Context, _ fields: FormFields) throws -> IncidentStore.Details {
        let occurred = try DateInput.instant(
            fields, "occurredAt", name: ("the date it happened", "the time it happened"), in: form.wording.timeZone)
        var validation = Validation()
        func ids(_ name: String) -> [UUID] {
            fields.all(name).compactMap { text in
                let id = UUID(uuidString: text)
                if id == nil { validation.add(field: name, rule: "unknown", "Choose \(name) from the list") }
                return id
            }
        }
        let residents = ids("residents")
        let staff = ids("staff")
        for (field, message) in [
            ("kind", "Choose the kind of incident"), ("severity", "Choose the severity"), ("location", "Enter where it happened"),
            ("summary", "Enter what happened"), ("actionTaken", "Enter the action taken"),
        ] where fields[field] == nil {
            validation.add(field: field, rule: "required", message)
        }
        try validation.check()
        return IncidentStore.Details(
            kind: fields["kind"] ?? "", severity: fields["severity"] ?? "", occurredAt: occurred, location: fields["location"] ?? "",
            summary: fields["summary"] ?? "", residents: residents, staff: staff, actionTaken: fields["actionTaken"] ?? "",
            told: (fields["told"] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            })
    }

    static var record: DayForm {
        DayForm(
            path: "incidents/new", heading: "Record an incident", roles: IncidentStore.recorders, current: "incidents",
            fields: { form, posted in
                Self.record.model(
                    form, caption: form.premises.premises.name, submit: "Record the incident",
                    fields: try await Self.fields(form, nil, posted: posted),
                    cancel: "\(form.base)/incidents")
            },
            change: { form, fields in
                let incident = try await form.view.stores.incidents.record(
                    premisesID: form.premises.premises.id, try Self.details(form, fields), by: form.principal)
                return "\(form.base)/incidents/\(incident.number)?done=recorded"
            })
    }

    static var amend: DayForm {
        DayForm(
            path: "incidents/:id/amend", heading: "Amend an incident", roles: IncidentStore.recorders, current: "incidents",
            fields: { form, posted in
                let latest = try await Self.latest(form)
                var model = Self.amend.model(
                    form, caption: "Incident \(latest.number)", submit: "Save the amendment",
                    fields: try await Self.fields(form, latest, posted: posted)
                        + [.textarea("reason", "Why you are amending it", name: "why you are amending it", value: posted?["reason"])],
                    intro: ["The amendment is a new version of the whole record; the version before stays, shown below the incident."],
                    cancel: "\(form.base)/incidents/\(latest.number)")
                model.hidden = [.init(name: "version", value: "\(latest.version)")]
                return model
            },
            change: { form, fields in
                let latest = try await Self.latest(form)
                let details = try Self.details(form, fields)
                guard fields["reason"] != nil else {
                    throw DomainError.invalid(field: "reason", rule: "required", "Say why you are amending it")
                }
                let incident = try await form.view.stores.incidents.amend(
                    number: latest.number, details, reason: fields["reason"] ?? "",
                    expectedVersion: fields["version"].flatMap { Int64($0) }, by: form.principal)
                return "\(form.base)/incidents/\(incident.number)?done=amended"
            })
    }

    /// The incident of the address as it now stands; 404 unless it is the premises'.
    static func latest(_ form: DayForm.Context) async throws -> Incident {
        guard let number = form.id.flatMap({ Int64($0) }),
            let latest = try await form.view.stores.incidents.history(number, by: form.principal).last,
            latest.premisesID == form.premises.premises.id
        else { throw PageError.notFound("There is no such incident at \(form.premises.premises.name).") }
        return latest
    }
}
