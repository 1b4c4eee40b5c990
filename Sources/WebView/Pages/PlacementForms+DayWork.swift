import ApprovedPremises
import Foundation

/// The day staff's forms on a resident's placement: a key-work session with its agreed actions,
/// a drug or alcohol test (taken or missed), a move-on pathway and the settled address.
extension PlacementForms {
    /// How many agreed actions the session form offers.
    static let sessionActions = 3

    var keyWorkSession: Action {
        Action(
            path: "key-work-session", heading: "Record a key-work session", submit: "Record the session", done: "key-work-session",
            roles: KeyWorkStore.recorders,
            fields: { form, posted in
                let today = CalendarDate.today(in: Self.zone(form))
                // An hour ago, its date and time together (just after midnight, that is yesterday).
                let began = Date().addingTimeInterval(-3600)
                var fields: [FormModel.Field] = [
                    .date(
                        "heldAt", "Date of the session", hint: DateInput.hint(today),
                        value: CalendarDate.today(in: Self.zone(form), now: began), posted: posted),
                    .time(
                        "heldAt-time", "Time it began", name: "the time it began",
                        value: posted.map { $0["heldAt-time"] ?? "" } ?? form.scope.wording.time(began)),
                    .input(
                        "durationMinutes", "How long it lasted, in minutes", hint: "From 5 to 480.",
                        value: posted?["durationMinutes"] ?? "45"),
                    .select(
                        "kind", "Kind of session", value: posted?["kind"] ?? "one_to_one", choices: Labels.choices(KeyWorkSession.Kind.self)
                    ),
                    .input("topics", "Topics (optional)", hint: "Separate them with commas.", value: posted?["topics"]),
                    .textarea("notes", "Notes", hint: "What was discussed and agreed.", value: posted?["notes"]),
                    .date(
                        "nextSessionOn", "Next session (optional)", name: "the next session", hint: DateInput.hint(today.adding(days: 7)),
                        value: nil, posted: posted),
                ]
                for number in 1...Self.sessionActions {
                    fields += [
                        .input(
                            "action\(number)", "Agreed action \(number) (optional)", name: "agreed action \(number)",
                            value: posted?["action\(number)"]),
                        .input(
                            "owner\(number)", "Who does action \(number)", name: "who does action \(number)",
                            hint: "The resident, the key worker, or someone else by name.", value: posted?["owner\(number)"]),
                        .date(
                            "due\(number)", "When action \(number) is due", name: "when action \(number) is due", value: nil, posted: posted
                        ),
                    ]
                }
                return Self.model(
                    "key-work-session", form, heading: "Record a key-work session", submit: "Record the session", fields: fields)
            },
            change: { form, fields in
                var validation = Validation()
                let heldAt = try DateInput.instant(
                    fields, "heldAt", name: ("the date of the session", "the time it began"), in: Self.zone(form))
                let minutes = fields["durationMinutes"].flatMap { Int($0) }
                if minutes == nil {
                    validation.add(field: "durationMinutes", rule: "format", "Enter how long it lasted as a number of minutes")
                }
                let next = DateInput.date(fields, "nextSessionOn", name: "the next session", required: false, into: &validation)
                if fields["notes"] == nil {
                    validation.add(field: "notes", rule: "required", "Enter the notes: what was discussed and agreed")
                }
                var actions = [(action: String, owner: String, dueOn: CalendarDate)]()
                for number in 1...Self.sessionActions {
                    guard let text = fields["action\(number)"] else { continue }
                    let owner = fields["owner\(number)"]
                    if owner == nil { validation.add(field: "owner\(number)", rule: "required", "Enter who does action \(number)") }
                    let due = DateInput.date(fields, "due\(number)", name: "when action \(number) is due", into: &validation)
                    if let owner, let due { actions.append((text, owner, due)) }
                }
                try validation.check()
                let topics = (fields["topics"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
                _ = try await form.view.stores.keyWork.record(
                    form.placement.id,
                    .init(
                        heldAt: heldAt, durationMinutes: minutes!, kind: fields["kind"] ?? "", topics: topics, notes: fields["notes"] ?? "",
                        nextSessionOn: next, actions: actions), by: form.scope.principal)
            })
    }

    var test: Action {
        Action(
            path: "test", heading: "Record a drug or alcohol test", submit: "Record the test", done: "test", roles: TestingStore.recorders,
            fields: { form, posted in
                let today = CalendarDate.today(in: Self.zone(form))
                let now = form.scope.wording.time(Date())
                return Self.model(
                    "test", form, heading: "Record a drug or alcohol test", submit: "Record the test",
                    fields: [
                        .select(
                            "reason", "Why it was required", name: "why it was required", value: posted?["reason"],
                            choices: Labels.choices(SubstanceTest.Reason.self)),
                        .select(
                            "sampleType", "Sample", name: "the sample", value: posted?["sampleType"],
                            choices: Labels.choices(SubstanceTest.SampleType.self)),
                        .date("requiredAt", "Date it was required", hint: DateInput.hint(today), value: today, posted: posted),
                        .time(
                            "requiredAt-time", "Time it was required", name: "the time it was required",
                            value: posted.map { $0["requiredAt-time"] ?? "" } ?? now),
                        .radios(
                            "taken", "Was the sample taken?", name: "whether the sample was taken",
                            options: [
                                .init(
                                    value: "yes", text: "Yes, at the time it was required", hint: nil, checked: posted?["taken"] == "yes"),
                                .init(value: "no", text: "No, it was missed", hint: nil, checked: posted?["taken"] == "no"),
                            ]),
                        .input(
                            "sampleNumber", "Sample number (a laboratory sample)", name: "the sample number", value: posted?["sampleNumber"]
                        ),
                        .select(
                            "missedReason", "Why it was missed (only when missed)", name: "why it was missed",
                            value: posted?["missedReason"],
                            choices: Labels.choices(SubstanceTest.MissedReason.self)),
                        .textarea("missedNote", "What happened (only when missed)", name: "what happened", value: posted?["missedNote"]),
                    ], intro: ["A test needs the premises' testing authorisation for its reason on the day."])
            },
            change: { form, fields in
                let required = try DateInput.instant(
                    fields, "requiredAt", name: ("the date it was required", "the time it was required"), in: Self.zone(form))
                var validation = Validation()
                if fields["reason"] == nil { validation.add(field: "reason", rule: "required", "Choose why it was required") }
                if fields["sampleType"] == nil { validation.add(field: "sampleType", rule: "required", "Choose the sample") }
                let taken = fields["taken"]
                if taken == nil { validation.add(field: "taken", rule: "required", "Say whether the sample was taken") }
                if taken == "no" && fields["missedReason"] == nil {
                    validation.add(field: "missedReason", rule: "required", "Choose why it was missed")
                }
                try validation.check()
                _ = try await form.view.stores.testing.record(
                    form.placement.id,
                    .init(
                        reason: fields["reason"] ?? "", sampleType: fields["sampleType"] ?? "", requiredAt: required,
                        takenAt: taken == "yes" ? required : nil, sampleNumber: taken == "yes" ? fields["sampleNumber"] : nil,
                        missedReason: taken == "no" ? (fields["missedReason"] ?? "") : nil,
                        missedNote: taken == "no" ? fields["missedNote"] : nil),
                    by: form.scope.principal)
            })
    }

    var pathway: Action {
        Action(
            path: "pathway", heading: "Add a move-on pathway", submit: "Add the pathway", done: "pathway", roles: MoveOnStore.workers,
            fields: { form, posted in
                Self.model(
                    "pathway", form, heading: "Add a move-on pathway", submit: "Add the pathway",
                    fields: [
                        .select(
                            "kind", "Pathway", name: "the pathway", value: posted?["kind"],
                            choices: Labels.choices(MoveOnPlan.PathwayKind.self)),
                        .input(
                            "detail", "Detail (optional)", hint: "The council, the provider, the family member.", value: posted?["detail"]),
                    ])
            },
            change: { form, fields in
                guard let kind = fields["kind"] else { throw DomainError.invalid(field: "kind", rule: "required", "Choose the pathway") }
                _ = try await form.view.stores.moveOn.addPathway(
                    form.placement.id, kind: kind, detail: fields["detail"], by: form.scope.principal)
            })
    }

    var address: Action {
        Action(
            path: "address", heading: "Record the move-on address", submit: "Record the address", done: "address",
            roles: MoveOnStore.workers,
            fields: { form, posted in
                Self.model(
                    "address", form, heading: "Record the move-on address", submit: "Record the address",
                    fields: [
                        .textarea("address", "Address", hint: "Where they will live when they move on.", value: posted?["address"]),
                        .date(
                            "confirmedOn", "Date it was confirmed (optional)", name: "the date it was confirmed",
                            hint: DateInput.hint(CalendarDate.today(in: Self.zone(form))), value: nil, posted: posted),
                    ])
            },
            change: { form, fields in
                var validation = Validation()
                let confirmed = DateInput.date(fields, "confirmedOn", name: "the date it was confirmed", required: false, into: &validation)
                if fields["address"] == nil { validation.add(field: "address", rule: "required", "Enter the address") }
                try validation.check()
                _ = try await form.view.stores.moveOn.setAddress(
                    form.placement.id, address: fields["address"] ?? "", confirmedOn: confirmed, by: form.scope.principal)
            })
    }
}
