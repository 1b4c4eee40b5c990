import APClient
import ArgumentParser
import Foundation

struct Tonight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who is in, who is out, who is late: what needs action first.",
        discussion: """
            When the service cannot be reached, shows the last list this PC fetched, headed \
            OFFLINE with its time, and what is saved on this PC waiting to be sent.

            Example:  ap tonight
            """)

    @OptionGroup var premises: AtPremises
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, config) = try await premises.service.session(retryFor: Offline.retryFor)
        let here: PremisesContext
        let residents: [Components.Schemas.ResidentState]
        do {
            here = try await premises.premises.resolve(client)
            residents = try await client.tonight(here.id)
            Offline.keep(config, here, residents: residents, nightChecks: try? await client.nightChecks(here.id))
        } catch  where CLIError.isUnreachable(error) {
            let (snapshot, journal) = try Offline.snapshot(config, premises: premises.premises.premises, because: error)
            let local = try snapshot.context().local
            let waiting = try journal.entries().filter { $0.state == .waiting }
            if json {
                try Terminal.printJSON(snapshot.residents)
                return
            }
            Swift.print(
                "OFFLINE — as of \(Offline.age(snapshot)), "
                    + "\(waiting.count) \(waiting.count == 1 ? "entry" : "entries") waiting\n")
            Self.print(snapshot.residents, local: local)
            if !waiting.isEmpty {
                Swift.print("\nSaved on this PC, to be sent when the service is back:")
                for (entry, _) in waiting { Swift.print("  \(entry.number). \(entry.summary)") }
            }
            return
        }
        if json {
            try Terminal.printJSON(residents)
            return
        }
        Self.print(residents, local: here.local)
        let pending = try await client.pendingHandovers(here.id)
        if !pending.isEmpty {
            Swift.print("\(pending.count) handover\(pending.count == 1 ? "" : "s") waiting for you: ap handover")
        }
    }

    /// The residents as a table, most urgent first, and the counts.
    static func print(_ residents: [Components.Schemas.ResidentState], local: LocalTime) {
        func time(_ date: Date?) -> String { date.map(local.clock) ?? "" }
        Terminal.printTable(
            ["", "NAME", "BED", "STATE", "SINCE", "WHERE", "BACK BY", "CURFEW"],
            residents.map { resident in
                let state =
                    switch resident.state {
                    case .late: "LATE \(resident.minutesLate ?? 0) min"
                    case .dueBackSoon: "due back soon"
                    case .out: "out"
                    case .awayWithPermission: "away (permission)"
                    case ._in: "in"
                    }
                let mark = resident.state == .late ? "!" : (resident.state == .dueBackSoon ? "~" : "")
                return [
                    mark, resident.personName, resident.bedLabel ?? "-", state, resident.state == ._in ? "" : time(resident.since),
                    resident.destination ?? "", time(resident.expectedBack),
                    resident.curfewStart.map { "\(time($0))-\(time(resident.curfewEnd))" } ?? "",
                ]
            })
        let late = residents.filter { $0.state == .late }.count
        let out = residents.filter { $0.state != ._in }.count
        Swift.print("\n\(residents.count - out) in, \(out) out\(late > 0 ? ", \(late) late" : "").")
    }
}
