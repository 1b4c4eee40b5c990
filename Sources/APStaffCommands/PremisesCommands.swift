import APClient
import ArgumentParser
import Foundation

struct PremisesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "premises",
        abstract: "Premises you can see.",
        discussion: "Example:  ap premises list --json",
        subcommands: [PremisesList.self, PremisesShow.self, PremisesUpdate.self])
}

struct PremisesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the premises you work at or oversee.", discussion: "Example:  ap premises list")

    @OptionGroup var service: ServiceOptions
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let premises = try await client.allPremises()
        if json {
            try Terminal.printJSON(premises)
            return
        }
        Terminal.printTable(
            ["CODE", "NAME", "REGION", "TYPE", "FOR"],
            premises.map {
                [$0.code, $0.name + ($0.active ? "" : " (archived)"), $0.regionCode, $0.apType, $0.gender.rawValue]
            })
    }
}

struct PremisesShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a premises' details, characteristics and house rules.",
        discussion: "Example:  ap premises show --premises DEMO-ELM")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let found = try await client.premises(codeOrID: here.id)
        if json {
            try Terminal.printJSON(found)
            return
        }
        print("\(found.name) (\(found.code))\(found.active ? "" : " — archived")")
        print("region:       \(found.regionCode)    type: \(found.apType)    for: \(found.gender.rawValue)    time zone: \(found.timeZone)")
        if let address = found.address { print("address:      \(address)") }
        if let postcode = found.postcode { print("postcode:     \(postcode)") }
        print("curfew:       \(found.curfewStart)-\(found.curfewEnd)")
        print("night checks: \(found.nightCheckStart)-\(found.nightCheckEnd), every \(found.nightCheckIntervalMinutes) minutes")
        print("key work: every \(found.keyWorkIntervalDays) days; lab results pending after \(found.labResultDays) days")
        print("offers:       \(found.characteristics.isEmpty ? "-" : found.characteristics.joined(separator: " "))")
        if let restrictions = found.localRestrictions { print("restrictions: \(restrictions)") }
    }
}

struct PremisesUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a premises' details and house rules, or archive it (administrators, its AP manager).",
        discussion: """
            Only what you give changes. --characteristics replaces the whole list with codes from \
            premises_characteristics.csv.

            Example:  ap premises update --premises DEMO-ELM --curfew 23:00-06:00 --characteristics isCatered hasLift
            """)

    @OptionGroup var premises: AtPremises
    @Option(help: "The name.") var name: String?
    @Option(help: "The address.") var address: String?
    @Option(help: "The postcode.") var postcode: String?
    @Option(help: "Local restrictions, in words.") var restrictions: String?
    @Option(parsing: .upToNextOption, help: "Premises characteristic codes.") var characteristics: [String] = []
    @Option(help: "The curfew, HH:MM-HH:MM.") var curfew: String?
    @Option(help: "When night checks run, HH:MM-HH:MM.") var nightChecks: String?
    @Option(help: "Minutes between night checks (15-240).") var checkEvery: Int?
    @Option(help: "Days between each resident's key-work sessions (1-60).") var keyWorkEvery: Int?
    @Option(help: "Days after which an awaited laboratory result is listed as pending (1-60).") var labResultDays: Int?
    @Flag(help: "Archive the premises.") var archive = false
    @Flag(help: "Bring an archived premises back.") var restore = false

    func validate() throws {
        for (name, value) in [("--curfew", curfew), ("--night-checks", nightChecks)] {
            if let value, value.split(separator: "-").count != 2 {
                throw ValidationError("\(name) must be two times, HH:MM-HH:MM, such as 23:00-07:00")
            }
        }
        if archive && restore { throw ValidationError("give --archive or --restore, not both") }
    }

    func run() async throws {
        let (client, here) = try await premises.open()
        let id = here.id
        let current = try await client.premises(codeOrID: id)
        let curfewTimes = curfew?.split(separator: "-").map(String.init)
        let checkTimes = nightChecks?.split(separator: "-").map(String.init)
        let changes = Components.Schemas.PremisesChanges(
            name: name, address: address, postcode: postcode, localRestrictions: restrictions,
            characteristics: characteristics.isEmpty ? nil : characteristics,
            curfewStart: curfewTimes?[0], curfewEnd: curfewTimes?[1], nightCheckStart: checkTimes?[0], nightCheckEnd: checkTimes?[1],
            nightCheckIntervalMinutes: checkEvery, keyWorkIntervalDays: keyWorkEvery, labResultDays: labResultDays,
            active: archive ? false : (restore ? true : nil))
        let updated = try await client.updatePremises(
            path: .init(premisesId: id), headers: .init(ifMatch: "\"\(current.version)\""), body: .json(changes)
        ).ok.body.json
        print("Updated \(updated.name) (\(updated.code)).")
    }
}
