import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/key-work`: a key worker's own page (their residents, sessions due and
/// overdue, agreed actions due), or for a manager every resident's (`?keyWorker=` narrows it to
/// one key worker); `/premises/{code}/key-work/actions/{id}` updates an agreed action (done,
/// dropped, moved). A session is recorded from the placement (`PlacementForms.keyWorkSession`).
struct KeyWorkPages: Sendable {
    let view: WebView

    static let done = [
        "session": "Key-work session recorded", "done": "Action marked done", "dropped": "Action dropped",
        "moved": "Action moved to its new date",
    ]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/key-work") { request, context in
            var scope = try await view.premisesScope(context, current: "key-work")
            scope.chrome.done = request.query("done").flatMap { Self.done[$0] }
            return try await page(scope, keyWorker: request.query("keyWorker"))
        }
        DayForm.register([Self.actionUpdate], premises: true, view: view, on: router)
    }

    private func page(_ scope: PremisesScope, keyWorker: String?) async throws -> Response {
        let stores = view.stores
        let principal = scope.principal
        let words = scope.wording
        // A key worker sees their own residents unless they ask for everyone's.
        let chosen: UUID? =
            keyWorker == "all"
            ? nil : keyWorker.flatMap(UUID.init(uuidString:)) ?? (principal.role == .keyWorker ? principal.staffID : nil)
        // Independent reads, side by side.
        async let staffRead = stores.staff.listAtPremises(scope.premises.id, by: principal, page: try PageRequest(limit: 200))
        async let dueRead = stores.keyWork.due(premisesID: scope.premises.id, keyWorkerID: chosen, by: principal)
        async let placedRead = stores.placements.list(
            premisesID: scope.premises.id, nights: Nights(first: scope.today, end: scope.today.adding(days: 1)), by: principal)
        let staff = try await staffRead.items
        let keyWorkers = staff.filter { $0.active && ($0.role == .keyWorker || $0.role == .apManager) }
        let residents = try await placedRead.filter { $0.status == .arrived && (chosen == nil || $0.keyWorkerID == chosen) }
        let due = try await dueRead
        func placement(_ id: UUID, _ tab: String = "key-work") -> String { "\(scope.base)/placements/\(id.uuidString.lowercased())/\(tab)" }
        let whose = chosen.map { id in keyWorkers.first { $0.id == id }?.displayName ?? "one key worker" }
        var page = RecordsPage(
            caption: scope.premises.name,
            heading: chosen == principal.staffID ? "Your key work" : "Key work" + (whose.map { ": \($0)" } ?? ""))
        page.intro = [
            chosen == nil
                ? "Every resident's key work." : "The residents \(chosen == principal.staffID ? "you are" : "\(whose!) is") key worker for."
        ]
        page.filter = [
            .select(
                "keyWorker", "Key worker", value: chosen?.uuidString.lowercased() ?? "all",
                choices: [("all", "Every key worker")] + keyWorkers.map { ($0.id.uuidString.lowercased(), $0.displayName) })
        ]
        page.filterAction = "\(scope.base)/key-work"
        let dueByPlacement = Dictionary(due.sessions.map { ($0.placementID, $0) }, uniquingKeysWith: { first, _ in first })
        let recorder = scope.may(KeyWorkStore.recorders)
        page.tables = [
            .init(
                caption: "Sessions due or overdue, most overdue first", headers: ["Resident", "Last session", "Due", ""],
                rows: due.sessions.map { session in
                    .init(cells: [
                        .init(session.personName, href: placement(session.placementID)),
                        .init(session.lastSessionOn.map(words.date) ?? "None yet"),
                        .init(session.daysOverdue > 0 ? "\(words.date(session.dueOn)) (\(session.daysOverdue) days overdue)" : "Today"),
                        recorder
                            ? .init(
                                "Record a session", href: placement(session.placementID, "key-work-session"),
                                hidden: "with \(session.personName)")
                            : "",
                    ])
                }, none: "No session is due."),
            .init(
                caption: "Agreed actions past their due date", headers: ["Resident", "Action", "Owner", "Due", ""],
                rows: due.actions.map { action in
                    .init(cells: [
                        .init(action.personName, href: placement(action.placementID)), .init(action.action), .init(action.owner),
                        .init(words.date(action.dueOn)),
                        recorder
                            ? .init(
                                "Update", href: "\(scope.base)/key-work/actions/\(action.id.uuidString.lowercased())", hidden: action.action
                            )
                            : "",
                    ])
                }, none: "No agreed action is past its due date."),
            .init(
                caption: "Residents", headers: ["Resident", "Arrived", "Key worker", "Next session due"],
                rows: residents.map { resident in
                    .init(cells: [
                        .init(resident.personName, href: placement(resident.id)),
                        .init(resident.arrivalDate.map(words.date) ?? ""),
                        .init(resident.keyWorkerID.map { id in staff.first { $0.id == id }?.displayName ?? "Assigned" } ?? "None assigned"),
                        .init(dueByPlacement[resident.id].map { "Due \(words.date($0.dueOn))" } ?? "Not yet due"),
                    ])
                }, none: "Nobody is in residence" + (chosen == nil ? "." : " with this key worker.")),
        ]
        return view.renderer.page("records", title: "\(page.heading), \(scope.premises.name)", chrome: scope.chrome, view: page)
    }

    static var actionUpdate: DayForm {
        DayForm(
            path: "key-work/actions/:id", heading: "Update an agreed action", roles: KeyWorkStore.recorders, current: "key-work",
            fields: { form, posted in
                let action = try await form.view.stores.keyWork.action(try form.uuid("agreed action"), by: form.principal)
                let words = form.wording
                let back = "\(form.base)/placements/\(action.placementID.uuidString.lowercased())/key-work"
                guard action.doneAt == nil else {
                    throw PageError.badRequest("This action is already closed (\(Labels.of(action.outcome?.rawValue ?? "done")).")
                }
                return Self.actionUpdate.model(
                    form, caption: action.personName, submit: "Save the update",
                    fields: [
                        .radios(
                            "outcome", "What has happened to it?", name: "what has happened to it",
                            options: [
                                .init(value: "done", text: "Done", hint: nil, checked: posted?["outcome"] == "done"),
                                .init(
                                    value: "dropped", text: "Dropped: it is no longer to be done", hint: nil,
                                    checked: posted?["outcome"] == "dropped"),
                                .init(value: "moved", text: "Moved to a new date", hint: nil, checked: posted?["outcome"] == "moved"),
                            ]),
                        .date(
                            "dueOn", "New due date (only when moved)", name: "the new due date", hint: DateInput.hint(form.today),
                            value: nil, posted: posted),
                        .textarea(
                            "reason", "Why (needed when dropped)", name: "why", hint: "Say why it is dropped or moved.",
                            value: posted?["reason"]),
                    ],
                    intro: ["“\(action.action)”, for \(action.owner), due \(words.date(action.dueOn))."], cancel: back)
            },
            change: { form, fields in
                let id = try form.uuid("agreed action")
                let keyWork = form.view.stores.keyWork
                var validation = Validation()
                let dueOn = DateInput.date(fields, "dueOn", name: "the new due date", required: false, into: &validation)
                let outcome = fields["outcome"].flatMap(KeyWorkAction.Outcome.init(rawValue:))
                if outcome == nil { validation.add(field: "outcome", rule: "required", "Choose what has happened to the action") }
                if outcome == .dropped && fields["reason"] == nil {
                    validation.add(field: "reason", rule: "required", "Say why the action is dropped")
                }
                if outcome == .moved && dueOn == nil && validation.problems.isEmpty {
                    validation.add(field: "dueOn", rule: "required", "Enter the new due date")
                }
                try validation.check()
                let action: KeyWorkAction
                switch outcome! {
                case .done: action = try await keyWork.complete(actionID: id, by: form.principal)
                case .dropped: action = try await keyWork.drop(actionID: id, reason: fields["reason"] ?? "", by: form.principal)
                case .moved: action = try await keyWork.move(actionID: id, dueOn: dueOn!, reason: fields["reason"], by: form.principal)
                }
                return "\(form.base)/key-work?done=\(fields["outcome"]!)&resident=\(action.placementID.uuidString.lowercased())"
            })
    }
}
