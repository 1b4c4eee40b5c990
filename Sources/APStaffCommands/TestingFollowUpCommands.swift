import APClient
import ArgumentParser
import Foundation

struct TestFollowUp: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "follow-up", abstract: "What was done about a positive or refused result.",
        discussion: "Example:  ap tests follow-up dan warning --note \"written warning given\"")

    @OptionGroup var premises: AtPremises
    @OptionGroup var test: TestArgument
    @Argument(help: "The action.") var action: Components.Schemas.SubstanceTest.FollowUpsPayloadPayload.ActionPayload
    @Option(help: "A note.") var note: String?
    @Flag(help: "Print the test as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let found = try await test.find(client, premisesID: here.id, wanted: \.needsFollowUp, describe: "needing a follow-up")
        let updated = try await client.recordTestFollowUp(
            path: .init(testId: found.id), body: .json(.init(action: try requestValue(action.rawValue, "ACTION"), note: note))
        ).ok.body.json
        if json {
            try Terminal.printJSON(updated)
            return
        }
        print("\(updated.personName)'s test followed up: \(updated.followUps.map { words($0.action.rawValue) }.joined(separator: ", ")).")
    }
}

struct TestAuthorise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authorise",
        abstract: "The AP manager's authorisation for testing at the premises; without options, the authorisations so far.",
        discussion:
            "Example:  ap tests authorise --reason random --reason on_suspicion --reason on_arrival --from 2026-12-01 --note \"Policy v3\"")

    @OptionGroup var premises: AtPremises
    @Option(help: "A reason tests may be required for (repeatable).") var reason: [Components.Schemas.SubstanceTest.ReasonPayload] = []
    @Option(help: "The first day covered (YYYY-MM-DD).") var from: String?
    @Option(help: "The day after the last day covered; open-ended when left out.") var until: String?
    @Option(help: "What the authorisation rests on.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        guard !reason.isEmpty else {
            let list = try await client.listTestingAuthorisations(path: .init(premisesId: premisesID)).ok.body.json
            if json {
                try Terminal.printJSON(list)
                return
            }
            Terminal.printTable(
                ["FROM", "UNTIL", "REASONS", "BY", "NOTE"],
                list.map {
                    [$0.from, $0.until ?? "open", $0.reasons.map { words($0.rawValue) }.joined(separator: ", "), $0.authorisedBy, $0.note]
                })
            return
        }
        guard let from, let note else { throw ValidationError("an authorisation needs --from and --note") }
        let authorisation = try await client.authoriseTesting(
            path: .init(premisesId: premisesID),
            body: .json(.init(reasons: try reason.map { try requestValue($0.rawValue, "--reason") }, from: from, until: until, note: note))
        ).created.body.json
        if json {
            try Terminal.printJSON(authorisation)
            return
        }
        print("Testing authorised from \(authorisation.from): \(authorisation.reasons.map { words($0.rawValue) }.joined(separator: ", ")).")
    }
}
