import ApprovedPremises
import Foundation

extension PlacementPages {
    /// The key-work, tests and move-on tabs: what is recorded, each open item linking to the form
    /// that updates it, and the forms the caller's role may use for a resident.
    func dayWork(_ tab: String, _ scope: PremisesScope, _ placement: Placement, href: String, sessions: [KeyWorkSession]) async throws
        -> ([SummaryList], [Table], [Link])
    {
        let stores = view.stores
        let words = scope.wording
        let principal = scope.principal
        func link(_ path: String, _ text: String) -> Link { Link(href: "\(href)/\(path)", text: text, current: false) }
        switch tab {
        case "key-work":
            let recorder = scope.may(KeyWorkStore.recorders)
            let actions = sessions.flatMap(\.actions)
            return (
                [],
                [
                    Table(
                        caption: "Key-work sessions, newest first", headers: ["Held", "Kind", "Notes", "Recorded by"],
                        rows: sessions.map {
                            .init(cells: [
                                words.dateTime($0.heldAt) + " (\($0.durationMinutes) minutes)", Labels.of($0.kind.rawValue),
                                ($0.topics.isEmpty ? "" : "Topics: \($0.topics.joined(separator: ", ")). ") + $0.notes,
                                $0.recordedBy
                                    + ($0.correction.map { "; corrected by \($0.by) \(words.dateTime($0.at)): \($0.reason)" } ?? ""),
                            ])
                        }, none: "No key-work session is recorded yet."),
                    Table(
                        caption: "Agreed actions", headers: ["Action", "Owner", "Due", "Now"],
                        rows: actions.sorted { ($0.doneAt != nil ? 1 : 0, $0.dueOn) < ($1.doneAt != nil ? 1 : 0, $1.dueOn) }.map { action in
                            let state: RecordsPage.Cell
                            if let closed = action.doneAt {
                                let how = Labels.of(action.outcome?.rawValue ?? "done")
                                state = .init(
                                    "\(how) \(words.date(CalendarDate.today(in: words.timeZone, now: closed))) by \(action.doneBy ?? "someone")"
                                        + (action.closeNote.map { ": \($0)" } ?? ""))
                            } else if recorder {
                                state = .init(
                                    action.dueOn < scope.today ? "Overdue: update" : "Open: update",
                                    href: "\(scope.base)/key-work/actions/\(action.id.uuidString.lowercased())", hidden: action.action)
                            } else {
                                state = .init(action.dueOn < scope.today ? "Overdue" : "Open")
                            }
                            return .init(links: [.init(action.action), .init(action.owner), .init(words.date(action.dueOn)), state])
                        }, none: "No action has been agreed yet."),
                ],
                recorder ? [link("key-work-session", "Record a key-work session")] : []
            )
        case "tests":
            let tests = try await stores.testing.tests(placementID: placement.id, by: principal)
            let recorder = scope.may(TestingStore.recorders)
            return (
                [],
                [
                    Table(
                        caption: "Drug and alcohol tests, newest first", headers: ["Required", "Sample", "Custody", "Result", "Follow-up"],
                        rows: tests.map { test in
                            let base = "\(scope.base)/tests/\(test.id.uuidString.lowercased())"
                            let custody = test.custody.map { "\(Labels.of($0.step.rawValue)) \(words.dateTime($0.at)) (\($0.person))" }
                                .joined(separator: "; ")
                            let result: RecordsPage.Cell
                            if let missed = test.missedReason {
                                result = .init("Not taken: \(Labels.of(missed.rawValue))" + (test.missedNote.map { ". \($0)" } ?? ""))
                            } else if test.results.isEmpty {
                                result = recorder ? .init("Awaiting: record the result", href: "\(base)/result") : "Awaiting result"
                            } else {
                                result = .init(
                                    test.results.map {
                                        "\(Labels.of($0.substance.rawValue)): \(Labels.of($0.result.rawValue))"
                                            + ($0.reading.map { " (\(Int($0)) µg)" } ?? "")
                                            + ($0.correctedFrom.map { " (corrected from \(Labels.of($0.rawValue).lowercased())" } ?? "")
                                            + ($0.correctionReason.map { ": \($0))" } ?? "")
                                    }.joined(separator: "; "))
                            }
                            let follow: RecordsPage.Cell =
                                test.needsFollowUp
                                ? (recorder ? .init("Needed: record it", href: "\(base)/follow-up") : "Needed")
                                : .init(
                                    test.followUps.map {
                                        "\(Labels.of($0.action.rawValue)) by \($0.by)" + ($0.note.map { ": \($0)" } ?? "")
                                    }
                                    .joined(separator: "; ").nonEmpty ?? "None")
                            let custodyCell: RecordsPage.Cell =
                                test.sampleType == .urineLab && test.takenAt != nil && test.results.isEmpty && recorder
                                ? .init((custody.nonEmpty ?? "None yet") + ": add a step", href: "\(base)/custody")
                                : .init(custody.nonEmpty ?? "Not a laboratory sample")
                            return .init(links: [
                                .init("\(words.dateTime(test.requiredAt)), \(Labels.of(test.reason.rawValue).lowercased())"),
                                .init(Labels.of(test.sampleType.rawValue) + (test.sampleNumber.map { ", number \($0)" } ?? "")),
                                custodyCell, result,
                                follow,
                            ])
                        }, none: "No test is recorded yet.")
                ],
                recorder ? [link("test", "Record a test")] : []
            )
        default:
            let plan = try await stores.moveOn.plan(placement.id, by: principal)
            let worker = scope.may(MoveOnStore.workers)
            return (
                [
                    SummaryList(
                        heading: "Move-on plan",
                        rows: [
                            .init(key: "Move on by", value: words.date(plan.targetDate)),
                            .init(key: "Address", value: plan.address ?? "None recorded"),
                            .init(key: "Address confirmed", value: plan.addressConfirmedOn.map(words.date) ?? "Not confirmed"),
                        ])
                ],
                [
                    Table(
                        caption: "Pathways", headers: ["Pathway", "Status", "History", ""],
                        rows: plan.pathways.map { pathway in
                            .init(links: [
                                .init(Labels.of(pathway.kind.rawValue) + (pathway.detail.map { ": \($0)" } ?? "")),
                                .init(Labels.of(pathway.status.rawValue)),
                                .init(
                                    pathway.updates.map { "\(Labels.of($0.status.rawValue)) \(words.date($0.on)) (\($0.by))" }
                                        .joined(separator: "; ")),
                                worker
                                    ? .init(
                                        "Update", href: "\(scope.base)/pathways/\(pathway.id.uuidString.lowercased())",
                                        hidden: Labels.of(pathway.kind.rawValue))
                                    : "",
                            ])
                        }, none: "No pathway is planned yet.")
                ],
                worker ? [link("pathway", "Add a move-on pathway"), link("address", "Record the move-on address")] : []
            )
        }
    }
}

extension String {
    /// The text, or nil when it is empty.
    var nonEmpty: String? { isEmpty ? nil : self }
}
