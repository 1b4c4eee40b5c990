import APClient
import ArgumentParser
import Foundation

struct Tonight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who is in, who is out, who is late: what needs action first.",
        discussion: "Example:  ap tonight")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let residents = try await client.tonight(premisesID)
        if json { try Terminal.printJSON(residents); return }
        func time(_ date: Date?) -> String { date.map(here.local.clock) ?? "" }
        Terminal.printTable(["", "NAME", "BED", "STATE", "SINCE", "WHERE", "BACK BY", "CURFEW"], residents.map { resident in
            let state = switch resident.state {
            case .late: "LATE \(resident.minutesLate ?? 0) min"
            case .dueBackSoon: "due back soon"
            case .out: "out"
            case .awayWithPermission: "away (permission)"
            case ._in: "in"
            }
            let mark = resident.state == .late ? "!" : (resident.state == .dueBackSoon ? "~" : "")
            return [mark, resident.personName, resident.bedLabel ?? "-", state, resident.state == ._in ? "" : time(resident.since),
                    resident.destination ?? "", time(resident.expectedBack),
                    resident.curfewStart.map { "\(time($0))-\(time(resident.curfewEnd))" } ?? ""]
        })
        let late = residents.filter { $0.state == .late }.count
        let out = residents.filter { $0.state != ._in }.count
        print("\n\(residents.count - out) in, \(out) out\(late > 0 ? ", \(late) late" : "").")
        let pending = try await client.pendingHandovers(premisesID)
        if !pending.isEmpty {
            print("\(pending.count) handover\(pending.count == 1 ? "" : "s") waiting for you: ap handover")
        }
    }
}
