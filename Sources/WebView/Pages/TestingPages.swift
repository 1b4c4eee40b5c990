import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/tests`: the premises' testing authorisations, the laboratory results
/// overdue and the results waiting for a follow-up; `tests/authorise` (the AP manager's
/// authorisation), and for one test `tests/{id}/custody`, `/result` and `/follow-up`. A test
/// is recorded from the resident's placement (`PlacementForms.test`).
struct TestingPages: Sendable {
    let view: WebView

    static let done = ["authorised": "Testing authorised"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/tests") { request, context in
            var scope = try await view.premisesScope(context, current: "tests")
            scope.chrome.done = request.query("done").flatMap { Self.done[$0] }
            return try await page(scope)
        }
        DayForm.register([Self.authorise, Self.custody, Self.result, Self.followUp], premises: true, view: view, on: router)
    }

    private func page(_ scope: PremisesScope) async throws -> Response {
        let stores = view.stores
        let principal = scope.principal
        let words = scope.wording
        async let authorisationsRead = stores.testing.authorisations(premisesID: scope.premises.id, by: principal)
        async let overdueRead = stores.testing.tests(premisesID: scope.premises.id, pendingOnly: true, by: principal)
        let followUps = try await stores.testing.tests(
            premisesID: scope.premises.id, pendingOnly: false, awaitingFollowUp: true, by: principal)
        let (authorisations, overdue) = try await (authorisationsRead, overdueRead)
        func tests(_ test: SubstanceTest) -> String { "\(scope.base)/placements/\(test.placementID.uuidString.lowercased())/tests" }
        let recorder = scope.may(TestingStore.recorders)
        var page = RecordsPage(caption: scope.premises.name, heading: "Drug and alcohol testing")
        if scope.may(TestingStore.authorisers) { page.action("\(scope.base)/tests/authorise", "Authorise testing") }
        page.intro = ["A test is recorded from the resident's page (its Tests tab), under an authorisation below."]
        page.tables = [
            .init(
                caption: "Laboratory results overdue", headers: ["Resident", "Taken", "Sample", ""],
                rows: overdue.map { test in
                    .init(cells: [
                        .init(test.personName, href: tests(test)), .init(test.takenAt.map(words.dateTime) ?? ""),
                        .init(test.sampleNumber.map { "Number \($0)" } ?? "No number"),
                        recorder
                            ? .init(
                                "Record the result", href: "\(scope.base)/tests/\(test.id.uuidString.lowercased())/result",
                                hidden: "for \(test.personName)")
                            : "",
                    ])
                }, none: "No laboratory result is overdue."),
            .init(
                caption: "Results waiting for a follow-up", headers: ["Resident", "Required", "Result", ""],
                rows: followUps.map { test in
                    .init(cells: [
                        .init(test.personName, href: tests(test)), .init(words.dateTime(test.requiredAt)),
                        .init(
                            test.results.map { "\(Labels.of($0.substance.rawValue)): \(Labels.of($0.result.rawValue))" }.joined(
                                separator: "; ")),
                        recorder
                            ? .init(
                                "Record the follow-up", href: "\(scope.base)/tests/\(test.id.uuidString.lowercased())/follow-up",
                                hidden: "for \(test.personName)")
                            : "",
                    ])
                }, none: "No result is waiting for a follow-up."),
            .init(
                caption: "Testing authorisations", headers: ["Reasons", "From", "Until", "On what", "Authorised by"],
                rows: authorisations.map { authorisation in
                    .init(cells: [
                        .init(authorisation.reasons.map(Labels.of).joined(separator: ", ")), .init(words.date(authorisation.from)),
                        .init(authorisation.until.map { words.date($0.adding(days: -1)) } ?? "Until withdrawn"), .init(authorisation.note),
                        .init(authorisation.authorisedBy),
                    ])
                }, none: "Testing is not authorised here yet: no test can be recorded until it is."),
        ]
        return view.renderer.page("records", title: "\(page.heading), \(scope.premises.name)", chrome: scope.chrome, view: page)
    }

    static var authorise: DayForm {
        DayForm(
            path: "tests/authorise", heading: "Authorise testing", roles: TestingStore.authorisers, current: "tests",
            fields: { form, posted in
                Self.authorise.model(
                    form, caption: form.premises.premises.name, submit: "Authorise testing",
                    fields: [
                        .checkboxes(
                            "reasons", "For which reasons may a test be required?", name: "the reasons",
                            options: Labels.choices(SubstanceTest.Reason.self).map {
                                .init(value: $0.0, text: $0.1, hint: nil, checked: posted?.all("reasons").contains($0.0) ?? false)
                            }),
                        .date("from", "From", name: "the first day", hint: DateInput.hint(form.today), value: form.today, posted: posted),
                        .date(
                            "until", "Until (optional)", name: "the last day",
                            hint: "The last day it covers; leave it empty until it is withdrawn.", value: nil, posted: posted),
                        .textarea("note", "What it rests on", hint: "The policy, the risk, the decision.", value: posted?["note"]),
                    ], cancel: "\(form.base)/tests")
            },
            change: { form, fields in
                var validation = Validation()
                let from = DateInput.date(fields, "from", name: "the first day", into: &validation)
                let until = DateInput.date(fields, "until", name: "the last day", required: false, into: &validation)
                if fields.all("reasons").isEmpty {
                    validation.add(field: "reasons", rule: "required", "Choose at least one reason a test may be required for")
                }
                if fields["note"] == nil { validation.add(field: "note", rule: "required", "Say what the authorisation rests on") }
                if let from, let until, until < from {
                    validation.add(field: "until", rule: "order", "The last day must be on or after the first day")
                }
                try validation.check()
                _ = try await form.view.stores.testing.authorise(
                    premisesID: form.premises.premises.id, reasons: fields.all("reasons"), from: from!, until: until?.adding(days: 1),
                    note: fields["note"] ?? "", by: form.principal)
                return "\(form.base)/tests?done=authorised"
            })
    }

    /// The test of the address, its resident's tests tab, and a caption naming both.
    static func test(_ form: DayForm.Context) async throws -> (SubstanceTest, String, String) {
        let test = try await form.view.stores.testing.test(try form.uuid("test"), by: form.principal)
        let tab = "\(form.base)/placements/\(test.placementID.uuidString.lowercased())/tests"
        return (test, tab, "\(test.personName): test of \(form.wording.dateTime(test.requiredAt))")
    }

    static var custody: DayForm {
        DayForm(
            path: "tests/:id/custody", heading: "Record a custody step", roles: TestingStore.recorders, current: "tests",
            fields: { form, posted in
                let (test, tab, caption) = try await Self.test(form)
                let recorded = Set(test.custody.map(\.step))
                return Self.custody.model(
                    form, caption: caption, submit: "Record the step",
                    fields: [
                        .radios(
                            "step", "Which step?", name: "the step",
                            options: SubstanceTest.Step.allCases.filter { $0 != .resultReceived && !recorded.contains($0) }.map {
                                .init(value: $0.rawValue, text: Labels.of($0.rawValue), hint: nil, checked: posted?["step"] == $0.rawValue)
                            }),
                        .date(
                            "at", "Date", name: "the date of the step", hint: DateInput.hint(form.today), value: form.today, posted: posted),
                        .time(
                            "at-time", "Time", name: "the time of the step",
                            value: posted.map { $0["at-time"] ?? "" } ?? form.wording.time(Date())),
                        .input("person", "Who handled the sample", value: posted?["person"]),
                    ], cancel: tab)
            },
            change: { form, fields in
                let (test, tab, _) = try await Self.test(form)
                let at = try DateInput.instant(
                    fields, "at", name: ("the date of the step", "the time of the step"), in: form.wording.timeZone)
                _ = try await form.view.stores.testing.custody(
                    test.id, step: fields["step"] ?? "", at: at, person: fields["person"] ?? "", by: form.principal)
                return "\(tab)?done=custody"
            })
    }

    static var result: DayForm {
        DayForm(
            path: "tests/:id/result", heading: "Record the result", roles: TestingStore.recorders, current: "tests",
            fields: { form, posted in
                let (test, tab, caption) = try await Self.test(form)
                var fields: [FormModel.Field] = SubstanceTest.Substance.allCases.map { substance in
                    .select(
                        "result-\(substance.rawValue)", Labels.of(substance.rawValue),
                        name: "the result for \(Labels.of(substance.rawValue).lowercased())",
                        value: posted?["result-\(substance.rawValue)"], choices: Labels.choices(SubstanceTest.Outcome.self))
                }
                fields.append(
                    .input(
                        "reading", "Breath alcohol reading (optional)", hint: "In µg per 100 ml, for a breath test.",
                        value: posted?["reading"]))
                if test.sampleType == .urineLab {
                    fields += [
                        .date(
                            "receivedAt", "Date the result came", name: "the date the result came", hint: DateInput.hint(form.today),
                            value: form.today, posted: posted),
                        .time(
                            "receivedAt-time", "Time the result came", name: "the time the result came",
                            value: posted.map { $0["receivedAt-time"] ?? "" } ?? form.wording.time(Date())),
                    ]
                }
                return Self.result.model(
                    form, caption: caption, submit: "Record the result", fields: fields,
                    intro: ["Choose a result for each substance tested; leave the others as they are."], cancel: tab)
            },
            change: { form, fields in
                let (test, tab, _) = try await Self.test(form)
                var validation = Validation()
                var reading: Double? = nil
                if let text = fields["reading"] {
                    reading = Double(text)
                    if reading == nil { validation.add(field: "reading", rule: "format", "Enter the reading as a number") }
                }
                try validation.check()
                let results = SubstanceTest.Substance.allCases.compactMap {
                    substance -> (substance: String, result: String, reading: Double?)? in
                    fields["result-\(substance.rawValue)"].map { (substance.rawValue, $0, substance == .alcohol ? reading : nil) }
                }
                let receivedAt =
                    test.sampleType == .urineLab
                    ? try DateInput.instant(
                        fields, "receivedAt", name: ("the date the result came", "the time the result came"), in: form.wording.timeZone)
                    : nil
                do {
                    _ = try await form.view.stores.testing.results(test.id, results, receivedAt: receivedAt, by: form.principal)
                } catch let error as DomainError where error.problems.contains(where: { $0.field == "results" }) {
                    throw DomainError.invalid(field: "result-opiates", rule: "required", "Choose the result for at least one substance")
                }
                return "\(tab)?done=result"
            })
    }

    static var followUp: DayForm {
        DayForm(
            path: "tests/:id/follow-up", heading: "Record the follow-up", roles: TestingStore.recorders, current: "tests",
            fields: { form, posted in
                let (test, tab, caption) = try await Self.test(form)
                return Self.followUp.model(
                    form, caption: caption, submit: "Record the follow-up",
                    fields: [
                        .radios(
                            "action", "What was done?", name: "what was done",
                            options: Labels.choices(SubstanceTest.FollowUp.self).map {
                                .init(value: $0.0, text: $0.1, hint: nil, checked: posted?["action"] == $0.0)
                            }),
                        .textarea("note", "Notes (optional)", value: posted?["note"]),
                    ],
                    intro: [
                        test.results.map { "\(Labels.of($0.substance.rawValue)): \(Labels.of($0.result.rawValue))" }.joined(separator: "; ")
                    ],
                    cancel: tab)
            },
            change: { form, fields in
                let (test, tab, _) = try await Self.test(form)
                guard let action = fields["action"] else {
                    throw DomainError.invalid(field: "action", rule: "required", "Choose what was done")
                }
                _ = try await form.view.stores.testing.followUp(test.id, action: action, note: fields["note"], by: form.principal)
                return "\(tab)?done=follow-up"
            })
    }
}
