import APClient
import ArgumentParser
import Foundation

struct MoveOnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moveon",
        abstract: "Move-on plans: who is near leaving with nowhere to go, a resident's plan, pathways, the address.",
        discussion: "Example:  ap moveon flags",
        subcommands: [MoveOnFlags.self, MoveOnShow.self, MoveOnPathway.self, MoveOnUpdate.self, MoveOnAddress.self],
        defaultSubcommand: MoveOnFlags.self)
}

extension Client {
    /// A resident's move-on plan.
    func moveOnPlan(_ placementID: String) async throws -> Components.Schemas.MoveOnPlan {
        try await getMoveOnPlan(path: .init(placementId: placementID)).ok.body.json
    }
}

enum MoveOnPrinter {
    static func print(_ plan: Components.Schemas.MoveOnPlan) {
        Swift.print(
            "\(plan.personName): expected to leave \(plan.targetDate)"
                + (plan.closedAt != nil ? " (left; plan closed\(plan.moveOnCategory.map { ", \($0)" } ?? ""))" : ""))
        Swift.print("Address: " + (plan.address.map { "\($0) (confirmed \(plan.addressConfirmedOn ?? ""))" } ?? "none confirmed"))
        for pathway in plan.pathways {
            Swift.print("  \(words(pathway.kind.rawValue))\(pathway.detail.map { " (\($0))" } ?? ""): \(words(pathway.status.rawValue))")
            for update in pathway.updates {
                Swift.print("      \(update.on) \(words(update.status.rawValue))\(update.note.map { ": \($0)" } ?? "") (\(update.by))")
            }
        }
    }
}

struct MoveOnFlags: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags", abstract: "Residents within four weeks of their expected departure with no confirmed address.",
        discussion: "Example:  ap moveon flags --mine")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Only your own residents.") var mine = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let keyWorker = mine ? try await client.me().id : nil
        let flags = try await client.listMoveOnFlags(path: .init(premisesId: premisesID), query: .init(keyWorkerId: keyWorker)).ok.body.json
        if json {
            try Terminal.printJSON(flags)
            return
        }
        if flags.isEmpty {
            print("Nobody is within four weeks of leaving without an address.")
            return
        }
        Terminal.printTable(
            ["NAME", "KEY WORKER", "LEAVES", "DAYS LEFT", "PATHWAYS"],
            flags.map {
                [$0.personName, $0.keyWorker ?? "-", $0.targetDate, "\($0.daysLeft)", $0.pathways.map(words).joined(separator: "; ")]
            })
    }
}

struct MoveOnShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A resident's move-on plan.", discussion: "Example:  ap moveon show dan")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let (id, _) = try await resident.placementID(client, at: here)
        let plan = try await client.moveOnPlan(id)
        if json {
            try Terminal.printJSON(plan)
            return
        }
        MoveOnPrinter.print(plan)
    }
}

struct MoveOnPathway: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pathway",
        abstract: "Add a pathway: local_authority_housing, cas3_referral, private_rented, family, supported_housing, other.",
        discussion: "Example:  ap moveon pathway dan cas3_referral --detail \"CAS3 Manchester\"")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The kind of pathway.") var kind: String
    @Option(help: "Which scheme, landlord or person.") var detail: String?
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let (id, _) = try await resident.placementID(client, at: here)
        let plan = try await client.addMoveOnPathway(
            path: .init(placementId: id), body: .json(.init(kind: try requestValue(kind, "KIND"), detail: detail))
        ).ok.body.json
        if json {
            try Terminal.printJSON(plan)
            return
        }
        MoveOnPrinter.print(plan)
    }
}

struct MoveOnUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "A pathway's new status: planned, applied, in_progress, offered, accepted, declined, withdrawn.",
        discussion: "Example:  ap moveon update dan cas3_referral applied --note \"referral sent\"")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The pathway's kind (the resident's latest of that kind).") var kind: String
    @Argument(help: "The new status.") var status: String
    @Option(name: .customLong("on"), help: "The date it happened (YYYY-MM-DD); today when left out.") var date: String?
    @Option(help: "A note.") var note: String?
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let (id, name) = try await resident.placementID(client, at: here)
        guard let pathway = try await client.moveOnPlan(id).pathways.last(where: { $0.kind.rawValue == kind }) else {
            throw CLIError("\(name) has no \(words(kind)) pathway: add it with ap moveon pathway")
        }
        let plan = try await client.updateMoveOnPathway(
            path: .init(pathwayId: pathway.id), body: .json(.init(status: try requestValue(status, "--status"), on: date, note: note))
        ).ok.body.json
        if json {
            try Terminal.printJSON(plan)
            return
        }
        MoveOnPrinter.print(plan)
    }
}

struct MoveOnAddress: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "address", abstract: "The address found for after the AP.",
        discussion: "Example:  ap moveon address dan \"Flat 2, 10 Hope Street, Manchester M14 5AB\"")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Argument(help: "The address.") var address: String
    @Option(name: .customLong("on"), help: "When it was confirmed (YYYY-MM-DD); today when left out.") var date: String?
    @Flag(help: "Print the plan as JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let (id, _) = try await resident.placementID(client, at: here)
        let plan = try await client.setMoveOnAddress(path: .init(placementId: id), body: .json(.init(address: address, confirmedOn: date)))
            .ok.body.json
        if json {
            try Terminal.printJSON(plan)
            return
        }
        MoveOnPrinter.print(plan)
    }
}
