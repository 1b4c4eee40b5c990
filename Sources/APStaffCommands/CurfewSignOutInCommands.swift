import APClient
import ArgumentParser
import Foundation

/// Signing a resident out or in, shared by `ap out` and `ap in`.
struct MovementOptions: ParsableArguments {
    @OptionGroup var service: ServiceOptions
    @OptionGroup var premises: PremisesOption
    @Argument(help: "The resident: bed number, initials or part of the name.") var who: String
    @Option(help: "When, if not now: HH:MM today (the premises' time), or ISO 8601.") var at: String?
    @Flag(name: .shortAndLong, help: "Record without asking.") var yes = false
    @Flag(help: "Print the entry as JSON.") var json = false

    /// Records the sign-out or sign-in and prints it.
    func record(_ kind: Components.Schemas.NewMovement.KindPayload, destination: String? = nil, back: String? = nil, permission: Bool = false) async throws {
        let (client, _) = try service.session()
        let here = try await premises.resolve(client)
        let local = here.local
        let resident = try ResidentFinder.find(who, in: try await client.tonight(here.id))
        let occurredAt = try at.map { try local.time($0) }
        let expectedBack = try back.map { try local.nextTime($0, option: "--back") }
        let when = occurredAt.map { " at \(local.clock($0)) on \(local.dayName($0))" } ?? " now"
        try confirm("Sign \(resident.personName) (bed \(resident.bedLabel ?? "-")) \(kind.rawValue)\(when)?", yes: yes)
        let entry = try await client.recordMovement(
            path: .init(placementId: resident.placementId),
            body: .json(.init(kind: kind, occurredAt: occurredAt, destination: destination, expectedBack: expectedBack, withPermission: permission))
        ).created.body.json
        if json { try Terminal.printJSON(entry); return }
        let day = local.dayText(entry.occurredAt) == local.day(daysFromToday: 0) ? "" : " on \(local.dayName(entry.occurredAt))"
        print("\(resident.personName) signed \(kind.rawValue) at \(local.clock(entry.occurredAt))\(day)\(entry.lateEntry ? " (late entry)" : "").")
    }
}

struct SignOut: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "out", abstract: "Sign a resident out.",
        discussion: "Example:  ap out 3 --to \"sister's in Salford\" --back 22:30")

    @OptionGroup var options: MovementOptions
    @Option(name: .customLong("to"), help: "Where to.") var destination: String?
    @Option(help: "Expected back, HH:MM.") var back: String?
    @Flag(help: "Out with permission (approved overnight leave, say).") var permission = false

    func run() async throws {
        try await options.record(.out, destination: destination, back: back, permission: permission)
    }
}

struct SignIn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "in", abstract: "Sign a resident in.", discussion: "Example:  ap in jd")

    @OptionGroup var options: MovementOptions

    func run() async throws {
        try await options.record(._in)
    }
}
