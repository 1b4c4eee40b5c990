import APClient
import ArgumentParser
import Foundation

struct CurfewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "curfew",
        abstract: "A resident's curfew variations: list them, or vary the hours for some nights (managers).",
        discussion:
            "Example:  ap curfew vary dj --from 2026-12-01 --to 2026-12-05 --hours 07:30-15:00 --reason \"night shifts\" --approved-by \"M. Manager, payslips seen\"",
        subcommands: [CurfewVariations.self, CurfewVary.self],
        defaultSubcommand: CurfewVariations.self)
}

struct CurfewVariations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variations", abstract: "A resident's curfew variations, the earliest first.",
        discussion: "Example:  ap curfew variations dj")

    @OptionGroup var premises: AtPremises
    @Argument(help: "The resident: bed number, initials or part of the name.") var who: String
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let resident = try ResidentFinder.find(who, in: try await client.tonight(here.id))
        let variations = try await client.listCurfewVariations(path: .init(placementId: resident.placementId)).ok.body.json
        if json {
            try Terminal.printJSON(variations)
            return
        }
        if variations.isEmpty {
            print("\(resident.personName) has no curfew variations.")
            return
        }
        Terminal.printTable(
            ["FIRST NIGHT", "UNTIL", "HOURS", "REASON", "APPROVED BY"],
            variations.map { variation in
                [
                    variation.from, variation.to, variation.start.map { "\($0)-\(variation.end ?? "")" } ?? "lifted", variation.reason,
                    variation.approvedBy,
                ]
            })
    }
}

struct CurfewVary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vary", abstract: "Vary a resident's curfew for some nights: other hours, or --lift.",
        discussion:
            "Example:  ap curfew vary dj --from 2026-12-01 --to 2026-12-05 --hours 07:30-15:00 --reason \"night shifts at the depot\" --approved-by \"M. Manager, payslips seen\""
    )

    @OptionGroup var premises: AtPremises
    @Argument(help: "The resident: bed number, initials or part of the name.") var who: String
    @Option(help: "The first night (YYYY-MM-DD).") var from: String
    @Option(help: "The day after the last night (YYYY-MM-DD).") var to: String
    @Option(help: "The hours on those nights, HH:MM-HH:MM.") var hours: String?
    @Flag(help: "No curfew on those nights.") var lift = false
    @Option(help: "Why (paid night work, say).") var reason: String
    @Option(help: "Who approved it, and on what evidence.") var approvedBy: String
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the variation as JSON.") var json = false

    func validate() throws {
        guard (hours != nil) != lift else { throw ValidationError("give either --hours HH:MM-HH:MM or --lift") }
        if let hours, hours.split(separator: "-").count != 2 { throw ValidationError("--hours takes HH:MM-HH:MM, such as 07:30-15:00") }
    }

    func run() async throws {
        let (client, here) = try await premises.open()
        let resident = try ResidentFinder.find(who, in: try await client.tonight(here.id))
        let parts = hours?.split(separator: "-").map(String.init)
        try confirm("Vary \(resident.personName)'s curfew from \(from) to \(to): \(hours ?? "lifted")?", yes: yes)
        let variation = try await client.addCurfewVariation(
            path: .init(placementId: resident.placementId),
            body: .json(.init(from: from, to: to, start: parts?[0], end: parts?[1], reason: reason, approvedBy: approvedBy))
        ).created.body.json
        if json {
            try Terminal.printJSON(variation)
            return
        }
        print(
            "\(resident.personName)'s curfew varied from \(variation.from) to \(variation.to): \(variation.start.map { "\($0)-\(variation.end ?? "")" } ?? "lifted")."
        )
    }
}
