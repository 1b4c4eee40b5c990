import APClient
import ArgumentParser
import Foundation

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the premises' curfew log, night checks and incident log for entries changed, removed or inserted directly in the database.",
        discussion: "Example:  ap verify --premises DEMO-ELM")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Print the report as JSON (and still fail when a log does not hold).") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let result = try await client.verifyLogs(path: .init(premisesId: premisesID)).ok.body.json
        let names = ["curfew_log": "curfew log", "night_checks": "night checks", "incidents": "incident log"]
        if json {
            try Terminal.printJSON(result)
        } else {
            for log in result.logs {
                let problems = result.problems.filter { $0.log == log.log }
                print("\(names[log.log] ?? log.log): \(log.entries) entries, " + (problems.isEmpty ? "all hold" : "\(problems.count) problem\(problems.count == 1 ? "" : "s")"))
                for problem in problems {
                    print("  entry \(problem.entryId) (#\(problem.chainSeq)): \(problem.problem)")
                }
            }
        }
        guard result.problems.isEmpty else {
            let logs = Set(result.problems.map(\.log)).sorted().map { names[$0] ?? $0 }.joined(separator: ", ")
            throw CLIError("tampered with: \(logs) (\(result.problems.count) problem\(result.problems.count == 1 ? "" : "s"))")
        }
    }
}
