import APClient
import ArgumentParser
import Foundation

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check the premises' curfew log, night checks, incident log and audit log for anything changed, removed or inserted, and hold them to their signed checkpoints.",
        discussion: """
            The service recomputes every hash from the rows, then holds each chain to every signed \
            checkpoint of the premises: a chain cut short, or rewritten with every later hash \
            recomputed, no longer agrees with a checkpoint signed before the change. It names each \
            problem, exits non-zero when there is one, and says what it could not establish (entries \
            newer than the last checkpoint).

            --receipt prints the premises' latest signed checkpoint as JSON, to keep somewhere the \
            database's administrator cannot reach; --receipt-file holds the logs to one kept earlier.

            Examples:  ap verify --premises DEMO-ELM
                       ap verify --receipt > elm-2026-12-01.json
                       ap verify --receipt-file elm-2026-12-01.json
                       ap verify --national          (administrators: the national audit log)
            """)

    @OptionGroup var premises: AtPremises
    @Flag(help: "The national audit log (changes by staff of no premises and the service's own) rather than a premises' logs.")
    var national = false
    @Flag(help: "Print the latest signed checkpoint as a receipt (JSON) instead of checking.") var receipt = false
    @Option(help: "Hold the logs to this receipt (a file written by --receipt).") var receiptFile: String?
    @Flag(help: "Print the report as JSON (and still fail when something does not hold).") var json = false

    func run() async throws {
        let client: Client
        var premisesID = ""
        var local = LocalTime(timeZone: TimeZone(identifier: "UTC")!)
        if national {
            client = try await premises.service.session().0
        } else {
            let (opened, here) = try await premises.open()
            client = opened
            premisesID = here.id
            local = LocalTime(timeZone: here.timeZone)
        }
        if receipt {
            let taken =
                national
                ? try await client.takeNationalReceipt().ok.body.json
                : try await client.takeReceipt(path: .init(premisesId: premisesID)).ok.body.json
            try Terminal.printJSON(taken)
            return
        }
        let result: Components.Schemas.LogVerification
        if let receiptFile {
            guard let data = FileManager.default.contents(atPath: receiptFile) else { throw CLIError("cannot read \(receiptFile)") }
            let kept: Components.Schemas.Receipt
            do {
                kept = try JSONDecoder().decode(Components.Schemas.Receipt.self, from: data)
            } catch {
                throw CLIError("\(receiptFile) is not a receipt written by ap verify --receipt")
            }
            result = try await client.checkReceipt(headers: .init(idempotencyKey: UUID().uuidString.lowercased()), body: .json(kept)).ok
                .body.json
        } else if national {
            result = try await client.verifyNationalLog().ok.body.json
        } else {
            result = try await client.verifyLogs(path: .init(premisesId: premisesID)).ok.body.json
        }
        if json {
            try Terminal.printJSON(result)
        } else {
            Self.print(result, held: receiptFile.map { "the receipt \($0)" }, local: local)
        }
        guard result.problems.isEmpty else {
            let logs = Set(result.problems.map(\.log)).sorted().map { Self.names[$0] ?? $0 }.joined(separator: ", ")
            throw CLIError("tampered with: \(logs) (\(result.problems.count) problem\(result.problems.count == 1 ? "" : "s"))")
        }
    }

    static let names = [
        "curfew_log": "curfew log", "night_checks": "night checks", "incidents": "incident log", "audit_log": "audit log",
        "checkpoints": "checkpoints",
    ]

    static func print(_ result: Components.Schemas.LogVerification, held: String?, local: LocalTime) {
        func problem(_ problem: Components.Schemas.LogVerification.ProblemsPayloadPayload) {
            let place = problem.entryId.map { "entry \($0)" + (problem.chainSeq.map { " (#\($0))" } ?? "") + ": " } ?? ""
            Swift.print("  \(place)\(problem.problem)")
        }
        for log in result.logs {
            let problems = result.problems.filter { $0.log == log.log }
            Swift.print(
                "\(names[log.log] ?? log.log): \(log.entries) entr\(log.entries == 1 ? "y" : "ies"), "
                    + (problems.isEmpty ? "all hold" : "\(problems.count) problem\(problems.count == 1 ? "" : "s")"))
            problems.forEach(problem)
        }
        let checkpoints = result.problems.filter { $0.log == "checkpoints" }
        let against = held ?? "\(result.checkpoints) signed checkpoint\(result.checkpoints == 1 ? "" : "s")"
        Swift.print(
            "held to \(against)"
                + (result.lastCheckpoint.map { (held == nil ? ", the latest of " : ", taken ") + "\(local.dayName($0)) \(local.clock($0))" }
                    ?? "")
                + (checkpoints.isEmpty ? "" : ": \(checkpoints.count) problem\(checkpoints.count == 1 ? "" : "s")"))
        checkpoints.forEach(problem)
        for doubt in result.notEstablished { Swift.print("not established: \(doubt)") }
    }
}
