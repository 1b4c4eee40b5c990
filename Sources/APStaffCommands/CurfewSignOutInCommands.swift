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

    /// Records the sign-out or sign-in and prints it; when the service cannot be reached, keeps
    /// it on this PC to be sent when it is back. Either way the entry carries the moment it was
    /// typed (the confirmation's Enter, or the command's when it asks nothing), not the moment
    /// `ap` reached the service or gave up trying.
    func record(
        _ kind: Components.Schemas.NewMovement.KindPayload, destination: String? = nil, back: String? = nil, permission: Bool = false
    ) async throws {
        let enteredAt = Date()
        let (client, config) = try await service.session(retryFor: Offline.retryFor)
        let key = UUID().uuidString.lowercased()
        var asked: (resident: Components.Schemas.ResidentState, body: Components.Schemas.NewMovement)?
        do {
            let here = try await premises.resolve(client)
            let residents = try await client.tonight(here.id)
            Offline.keep(config, here, residents: residents)
            let (resident, body) = try movement(
                kind, in: residents, at: here, destination: destination, back: back, permission: permission,
                enteredAt: enteredAt)
            asked = (resident, body)
            let entry = try await client.recordMovement(
                path: .init(placementId: resident.placementId), headers: .init(idempotencyKey: key), body: .json(body)
            ).created.body.json
            if json {
                try Terminal.printJSON(entry)
                return
            }
            let local = here.local
            let day = local.dayText(entry.occurredAt) == local.day(daysFromToday: 0) ? "" : " on \(local.dayName(entry.occurredAt))"
            print(
                "\(resident.personName) signed \(kind.rawValue) at \(local.clock(entry.occurredAt))\(day)\(entry.lateEntry ? " (late entry)" : "")."
            )
        } catch  where CLIError.isUnreachable(error) {
            let (snapshot, journal) = try Offline.snapshot(config, premises: premises.premises, because: error)
            let here = try snapshot.context()
            print("OFFLINE — residents as of \(Offline.age(snapshot)).")
            let (resident, body) =
                try asked
                ?? movement(
                    kind, in: snapshot.residents, at: here, destination: destination, back: back,
                    permission: permission, enteredAt: enteredAt)
            let occurredAt = body.occurredAt ?? enteredAt
            try Offline.save(
                journal, config,
                summary:
                    "Sign \(resident.personName) \(kind.rawValue) at \(here.local.clock(occurredAt)) \(here.local.dayName(occurredAt))",
                path: "/placements/\(resident.placementId)/movements", body: body, key: key, occurredAt: occurredAt)
        }
    }

    /// The resident and the entry to send, once confirmed: at the time given with --at, else the
    /// moment the person confirmed it (or `enteredAt`, when nothing was asked).
    private func movement(
        _ kind: Components.Schemas.NewMovement.KindPayload, in residents: [Components.Schemas.ResidentState], at here: PremisesContext,
        destination: String?, back: String?, permission: Bool, enteredAt: Date
    ) throws
        -> (Components.Schemas.ResidentState, Components.Schemas.NewMovement)
    {
        let local = here.local
        let resident = try ResidentFinder.find(who, in: residents)
        let given = try at.map { try local.time($0) }
        let expectedBack = try back.map { try local.nextTime($0, option: "--back") }
        let when = given.map { " at \(local.clock($0)) on \(local.dayName($0))" } ?? " now"
        let answeredAt = try confirm("Sign \(resident.personName) (bed \(resident.bedLabel ?? "-")) \(kind.rawValue)\(when)?", yes: yes)
        return (
            resident,
            .init(
                kind: kind, occurredAt: given ?? answeredAt ?? enteredAt, destination: destination, expectedBack: expectedBack,
                withPermission: permission)
        )
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
