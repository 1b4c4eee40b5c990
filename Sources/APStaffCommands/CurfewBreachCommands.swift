import APClient
import ArgumentParser
import Foundation

extension Client {
    /// The premises' breaches, newest first.
    func breaches(_ premisesID: String, openOnly: Bool) async throws -> [Components.Schemas.CurfewBreach] {
        try await listCurfewBreaches(path: .init(premisesId: premisesID), query: .init(open: openOnly)).ok.body.json
    }
}

struct BreachesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaches",
        abstract: "Curfew breaches: list them, escalate one (absent overnight), record how one ended.",
        discussion: "Example:  ap breaches --open",
        subcommands: [BreachesList.self, BreachEscalate.self, BreachOutcome.self],
        defaultSubcommand: BreachesList.self)
}

/// Picks a breach by the start of its id (as `ap breaches` shows it) or by resident.
enum BreachFinder {
    static func find(
        _ query: String, in breaches: [Components.Schemas.CurfewBreach], residents: [Components.Schemas.ResidentState],
        where wanted: (Components.Schemas.CurfewBreach) -> Bool, describe: String
    ) throws -> Components.Schemas.CurfewBreach {
        let byID = breaches.filter { query.count >= 4 && $0.id.hasPrefix(query.lowercased()) }
        if byID.count == 1 { return byID[0] }
        let resident = try ResidentFinder.find(query, in: residents)
        guard let breach = breaches.first(where: { $0.placementId == resident.placementId && wanted($0) }) else {
            throw CLIError("\(resident.personName) has no breach \(describe)")
        }
        return breach
    }
}

struct BreachesList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The premises' curfew breaches, newest first.",
        discussion: "Example:  ap breaches list --open            ap breaches list --resident 4")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Only those not yet closed (escalated ones included).") var open = false
    @Option(help: "Only this resident's: bed number, initials or part of the name.") var resident: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let local = here.local
        var breaches: [Components.Schemas.CurfewBreach]
        if let resident {
            let found = try ResidentFinder.find(resident, in: try await client.tonight(premisesID))
            breaches = try await client.listResidentCurfewBreaches(path: .init(placementId: found.placementId)).ok.body.json
            if open { breaches = breaches.filter { $0.state != .closed } }
        } else {
            breaches = try await client.breaches(premisesID, openOnly: open)
        }
        if json {
            try Terminal.printJSON(breaches)
            return
        }
        if breaches.isEmpty {
            print("No curfew breaches\(open ? " open" : "").")
            return
        }
        Terminal.printTable(
            ["ID", "NAME", "CURFEW FROM", "STATE", "LATE", "INFORMED", "OUTCOME"],
            breaches.map { breach in
                let informed = [
                    breach.ppInformedAt.map { "PP \(local.clock($0))" }, breach.policeInformedAt.map { "police \(local.clock($0))" },
                ]
                .compactMap { $0 }.joined(separator: ", ")
                return [
                    String(breach.id.prefix(8)), breach.personName,
                    "\(local.clock(breach.windowStart)) \(local.dayName(breach.windowStart))",
                    breach.state.rawValue, breach.minutesLate.map { "\($0) min" } ?? "", informed,
                    breach.outcome.map { words($0.rawValue) } ?? "",
                ]
            })
    }
}

struct BreachEscalate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escalate",
        abstract: "Escalate an open breach: the resident is absent overnight and you have told the PP, the police or both.",
        discussion: "Example:  ap breaches escalate dj --pp --police --note \"police ref 4411\"")

    @OptionGroup var premises: AtPremises
    @Argument(help: "The resident (bed number, initials, part of the name) or the breach's id.") var which: String
    @Flag(help: "The probation practitioner has been told.") var pp = false
    @Flag(help: "The police have been told.") var police = false
    @Option(help: "A note: who you spoke to, a reference.") var note: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the breach as JSON.") var json = false

    func validate() throws {
        guard pp || police else { throw ValidationError("say who was informed: --pp, --police or both") }
    }

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let local = here.local
        let breach = try BreachFinder.find(
            which, in: try await client.breaches(premisesID, openOnly: true), residents: try await client.tonight(premisesID),
            where: { $0.state != .closed }, describe: "open")
        try confirm(
            "Escalate \(breach.personName)'s breach (curfew from \(local.clock(breach.windowStart))): \([pp ? "PP" : nil, police ? "police" : nil].compactMap { $0 }.joined(separator: " and ")) informed?",
            yes: yes)
        let escalated = try await client.escalateCurfewBreach(
            path: .init(breachId: breach.id), body: .json(.init(ppInformed: pp, policeInformed: police, note: note))
        ).ok.body.json
        if json {
            try Terminal.printJSON(escalated)
            return
        }
        let informed = [
            escalated.ppInformedAt.map { "PP informed \(local.clock($0))" },
            escalated.policeInformedAt.map { "police informed \(local.clock($0))" },
        ]
        print("\(escalated.personName)'s breach escalated: " + informed.compactMap { $0 }.joined(separator: ", ") + ".")
    }
}

struct BreachOutcome: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outcome",
        abstract: "Record how a breach ended (managers).",
        discussion: "Example:  ap breaches outcome 3f2a9c1e warning --note \"first breach; spoke with him at 10:00\"")

    @OptionGroup var premises: AtPremises
    @Argument(help: "The breach's id (as ap breaches shows it) or the resident.") var which: String
    @Argument(help: "How it ended.") var outcome: Components.Schemas.CurfewBreach.OutcomePayload
    @Option(help: "Why.") var note: String?
    @Flag(help: "Print the breach as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let breach = try BreachFinder.find(
            which, in: try await client.breaches(premisesID, openOnly: false), residents: try await client.tonight(premisesID),
            where: { $0.outcome == nil && $0.state != .open }, describe: "waiting for an outcome")
        let decided = try await client.recordCurfewBreachOutcome(
            path: .init(breachId: breach.id), body: .json(.init(outcome: try requestValue(outcome.rawValue, "--outcome"), note: note))
        ).ok.body.json
        if json {
            try Terminal.printJSON(decided)
            return
        }
        print("\(decided.personName)'s breach: \(words(outcome.rawValue)).")
    }
}
