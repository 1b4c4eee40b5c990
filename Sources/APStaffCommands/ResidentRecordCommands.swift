import APClient
import ArgumentParser
import Foundation

struct ResidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resident",
        abstract: "A resident's record: everything this system knows, newest first; --summary for the departure summary.",
        discussion: "Example:  ap resident dan            ap resident dan --summary > summary.txt")

    @OptionGroup var premises: AtPremises
    @OptionGroup var resident: ResidentArgument
    @Flag(help: "The handover summary for the probation practitioner instead of the timeline.") var summary = false
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let local = here.local
        let (id, _) = try await resident.placementID(client, at: here)
        if summary {
            if json {
                try Terminal.printJSON(try await client.getDepartureSummary(path: .init(placementId: id)).ok.body.json)
                return
            }
            let body = try await client.getDepartureSummaryText(path: .init(placementId: id)).ok.body.plainText
            let text = try await String(collecting: body, upTo: 1 << 20)
            print(text, terminator: "")
            return
        }
        let record = try await client.getResidentRecord(path: .init(placementId: id)).ok.body.json
        if json {
            try Terminal.printJSON(record)
            return
        }
        print("\(record.personName) (\(record.crn)), \(words(record.status.rawValue))")
        for entry in record.entries {
            print("\(local.dayName(entry.at)) \(local.clock(entry.at))  \(entry.title)")
            for line in (entry.detail ?? "").split(separator: "\n") where !line.isEmpty {
                print("                     \(line)")
            }
        }
    }
}
