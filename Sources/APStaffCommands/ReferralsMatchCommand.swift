import APClient
import ArgumentParser
import Foundation

struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Suitable premises and beds for a referral, nearest first, and why every other premises is left out.",
        discussion: """
            A premises suits when it is a men's or women's AP as needed, of the AP type asked \
            for, accepts every offence flag, has every premises characteristic asked for, lies \
            within the radius, and has one bed with every room need free and in service on every \
            night. A near-miss is a premises left out for one reason only.

            Example:  ap match REFERRAL-ID --radius 80
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The referral's id.") var referral: String
    @Option(help: "Another arrival date to try (YYYY-MM-DD).") var arrival: String?
    @Option(help: "Another radius to try, in miles.") var radius: Int?
    @Flag(help: "List every premises left out, not only the near-misses.") var all = false
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let result = try await client.matchReferral(path: .init(referralId: referral), query: .init(arrival: arrival, radiusMiles: radius))
            .ok.body.json
        if json {
            try Terminal.printJSON(result)
            return
        }
        func miles(_ value: Double?) -> String { value.map { String(format: "%.0f mi", $0) } ?? "?" }
        print("Stay \(result.stayFrom) to \(result.stayTo):")
        if result.candidates.isEmpty {
            print("  no premises can take this referral")
        } else {
            Terminal.printTable(
                ["", "PREMISES", "REGION", "DISTANCE", "BED", "BED ID"],
                result.candidates.enumerated().map { index, candidate in
                    [
                        "\(index + 1).", "\(candidate.name) (\(candidate.code))", candidate.regionCode, miles(candidate.distanceMiles),
                        candidate.bedLabel, candidate.bedId,
                    ]
                })
        }
        let shown = all ? result.excluded : result.excluded.filter(\.nearMiss)
        if !shown.isEmpty {
            print(all ? "\nLeft out:" : "\nNear-misses (left out for one reason; --all lists every premises):")
            for excluded in shown {
                let free = excluded.freeFrom.map { " (a bed is free from \($0))" } ?? ""
                print(
                    "  \(excluded.name) (\(excluded.code)), \(miles(excluded.distanceMiles)): \(excluded.reasons.joined(separator: "; "))\(free)"
                )
            }
        }
    }
}
