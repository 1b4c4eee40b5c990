import APClient
import ArgumentParser
import Foundation

struct TestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tests",
        abstract: "Drug and alcohol testing: list, record taken or missed, custody, results, follow-ups, authorisation.",
        discussion: "Example:  ap tests --pending",
        subcommands: [TestsList.self, TestRecord.self, TestCustody.self, TestResults.self, TestFollowUp.self, TestAuthorise.self],
        defaultSubcommand: TestsList.self)
}

extension Client {
    /// The premises' tests, newest first; only those with overdue results when `pending`.
    func premisesTests(_ premisesID: String, pending: Bool) async throws -> [Components.Schemas.SubstanceTest] {
        try await listPremisesTests(path: .init(premisesId: premisesID), query: .init(pending: pending)).ok.body.json
    }
}

/// Picks a test by the start of its id, or a resident's latest test that `wanted` accepts.
struct TestArgument: ParsableArguments {
    @Argument(help: "The test's id (its first characters, as ap tests shows them) or the resident.") var which: String

    /// The test `which` names at the premises.
    func find(_ client: Client, premisesID: String, wanted: (Components.Schemas.SubstanceTest) -> Bool, describe: String) async throws
        -> Components.Schemas.SubstanceTest
    {
        let tests = try await client.premisesTests(premisesID, pending: false)
        let byID = tests.filter { which.count >= 6 && $0.id.hasPrefix(which.lowercased()) }
        if byID.count == 1 { return byID[0] }
        let resident = try ResidentFinder.find(which, in: try await client.tonight(premisesID))
        guard let test = tests.first(where: { $0.placementId == resident.placementId && wanted($0) }) else {
            throw CLIError("\(resident.personName) has no test \(describe)")
        }
        return test
    }
}

/// A test's outcome in words.
enum TestPrinter {
    static func summary(_ test: Components.Schemas.SubstanceTest) -> String {
        if let missed = test.missedReason { return "missed: \(words(missed.rawValue))" + (test.missedNote.map { " (\($0))" } ?? "") }
        if test.results.isEmpty { return "awaiting results" + (test.custody.last.map { " (\(words($0.step.rawValue)))" } ?? "") }
        return test.results.map {
            "\(words($0.substance.rawValue)) \(words($0.result.rawValue))" + ($0.reading.map { String(format: " %.0f µg", $0) } ?? "")
        }.joined(separator: ", ")
    }
}

struct TestsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Tests, newest first; --pending for laboratory results overdue.",
        discussion: "Example:  ap tests list --pending")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Only laboratory samples whose results are overdue.") var pending = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let tests = try await client.premisesTests(here.id, pending: pending)
        if json {
            try Terminal.printJSON(tests)
            return
        }
        if tests.isEmpty {
            print(pending ? "No laboratory results are overdue." : "No tests recorded.")
            return
        }
        Terminal.printTable(
            ["ID", "NAME", "REQUIRED", "REASON", "SAMPLE", "RESULT", "FOLLOW-UP"],
            tests.map {
                [
                    String($0.id.prefix(8)), $0.personName, "\(local.dayName($0.requiredAt)) \(local.clock($0.requiredAt))",
                    words($0.reason.rawValue), words($0.sampleType.rawValue), TestPrinter.summary($0),
                    $0.needsFollowUp ? "NEEDED" : $0.followUps.map { words($0.action.rawValue) }.joined(separator: ", "),
                ]
            })
    }
}

struct TestRecord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record", abstract: "Record a required test: taken (--taken) or missed (--missed REASON).",
        discussion: """
            A urine_lab sample needs --sample-number; missed for other needs --note.

            Example:  ap tests record dan --reason random --sample urine_lab --taken --sample-number S-1001
                      ap tests record dan --reason random --sample breath --missed no_kit
            """)

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Option(help: "Why the test was required.") var reason: Components.Schemas.SubstanceTest.ReasonPayload
    @Option(help: "The sample type.") var sample: Components.Schemas.SubstanceTest.SampleTypePayload
    @Flag(help: "The sample was taken (now, or --at).") var taken = false
    @Option(help: "Why it was not taken.") var missed: Components.Schemas.SubstanceTest.MissedReasonPayload?
    @Option(help: "The seal or sample number.") var sampleNumber: String?
    @Option(help: "A note (why it was missed, for other).") var note: String?
    @Option(help: "When: HH:MM today or ISO 8601 (now when left out).") var at: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the test as JSON.") var json = false

    func validate() throws {
        guard taken != (missed != nil) else {
            throw ValidationError("give --taken or --missed REASON: a required test is one or the other")
        }
    }

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let (id, name) = try await resident.placementID(client, at: here)
        let when = try at.map { try local.time($0) } ?? Date()
        try confirm(
            "Record \(name)'s \(words(reason.rawValue)) \(words(sample.rawValue)) test as \(taken ? "taken" : "missed (\(words(missed?.rawValue ?? "")))")?",
            yes: yes)
        let test = try await client.recordTest(
            path: .init(placementId: id),
            body: .json(
                .init(
                    reason: try requestValue(reason.rawValue, "--reason"), sampleType: try requestValue(sample.rawValue, "--sample"),
                    requiredAt: when, takenAt: taken ? when : nil, sampleNumber: sampleNumber,
                    missedReason: try missed.map { try requestValue($0.rawValue, "--missed") }, missedNote: note))
        ).created.body.json
        if json {
            try Terminal.printJSON(test)
            return
        }
        print("Test \(test.id.prefix(8)) recorded for \(name): \(TestPrinter.summary(test)).")
    }
}

struct TestCustody: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "custody", abstract: "The next custody step of a laboratory sample.",
        discussion: "Example:  ap tests custody dan sent_to_lab --person \"DX courier\"")

    @OptionGroup var premises: AtPremises
    @OptionGroup var test: TestArgument
    @Argument(help: "The step.") var step: Components.Schemas.SubstanceTest.CustodyPayloadPayload.StepPayload
    @Option(help: "Who handled the sample.") var person: String
    @Option(help: "When: HH:MM today or ISO 8601 (now when left out).") var at: String?
    @Flag(help: "Print the test as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let found = try await test.find(
            client, premisesID: here.id, wanted: { $0.awaitingResults && $0.sampleType == .urineLab },
            describe: "at the laboratory awaiting results")
        let updated = try await client.recordCustodyStep(
            path: .init(testId: found.id),
            body: .json(.init(step: try requestValue(step.rawValue, "STEP"), at: try at.map { try local.time($0) }, person: person))
        ).ok.body.json
        if json {
            try Terminal.printJSON(updated)
            return
        }
        print(
            "\(updated.personName)'s sample \(updated.sampleNumber ?? ""): "
                + updated.custody.map { words($0.step.rawValue) }.joined(separator: " → ") + ".")
    }
}

struct TestResults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results", abstract: "Record a test's results: substance=result, alcohol=positive:41 for a breath reading.",
        discussion: """
            Substances: opiates, cocaine, amphetamines, cannabis, benzodiazepines, buprenorphine, methadone, \
            synthetic_cannabinoids, other, alcohol, whole_sample. Results: negative, positive, positive_prescribed, \
            dilute, tampered, refused, unable_to_provide.

            Example:  ap tests results dan cannabis=positive opiates=negative --received 2026-12-09T14:30:00Z
                      ap tests results dan whole_sample=refused
            """)

    @OptionGroup var premises: AtPremises
    @OptionGroup var test: TestArgument
    @Argument(help: "substance=result[:reading], one per substance.") var results: [String]
    @Option(help: "When the laboratory's result came: HH:MM today or ISO 8601.") var received: String?
    @Flag(help: "Print the test as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let parsed = try results.map { item -> Operations.RecordTestResults.Input.Body.JsonPayload.ResultsPayloadPayload in
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("give each result as substance=result, such as cannabis=negative") }
            let outcome = parts[1].split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard !outcome[0].isEmpty else { throw CLIError("give each result as substance=result, such as cannabis=negative") }
            var reading: Double? = nil
            if outcome.count == 2 {
                // A breath reading, µg per 100 ml: a finite number the service records (0 to 500).
                guard let value = Double(outcome[1]), value.isFinite, (0...500).contains(value) else {
                    throw CLIError(
                        "a reading is a number from 0 to 500 (µg per 100 ml), not \(Excerpt.quoted(String(outcome[1]))); nothing was recorded"
                    )
                }
                reading = value
            }
            return .init(
                substance: try requestValue(parts[0], "the substance"), result: try requestValue(outcome[0], "the result"), reading: reading
            )
        }
        let found = try await test.find(client, premisesID: here.id, wanted: \.awaitingResults, describe: "awaiting results")
        let updated = try await client.recordTestResults(
            path: .init(testId: found.id),
            body: .json(.init(receivedAt: try received.map { try local.time($0, option: "--received") }, results: parsed))
        ).ok.body.json
        if json {
            try Terminal.printJSON(updated)
            return
        }
        print(
            "\(updated.personName): \(TestPrinter.summary(updated))\(updated.needsFollowUp ? " — needs a follow-up (ap tests follow-up)" : "")."
        )
    }
}
