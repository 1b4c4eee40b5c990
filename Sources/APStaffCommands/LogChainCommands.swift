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
            database's administrator cannot reach; --receipt-file holds the logs to one kept earlier, \
            checked with the key it names, and says whether that is a key this service has used.

            --witness holds the logs to a witness kept off this machine as well: the witness folder \
            (AP_CHECKPOINT_WITNESS_DIR) or a mailbox export of the witness e-mails. Every \
            witnessed checkpoint must still be in the checkpoint folder, so a line deleted there, \
            or the folder emptied, is found.

            Examples:  ap verify --premises DEMO-ELM
                       ap verify --receipt > elm-2026-12-01.json
                       ap verify --receipt-file elm-2026-12-01.json
                       ap verify --witness /mnt/witness/checkpoints
                       ap verify --witness witness-mailbox.mbox
                       ap verify --national          (administrators: the national audit log)
            """)

    @OptionGroup var premises: AtPremises
    @Flag(help: "The national audit log (changes by staff of no premises and the service's own) rather than a premises' logs.")
    var national = false
    @Flag(help: "Print the latest signed checkpoint as a receipt (JSON) instead of checking.") var receipt = false
    @Option(help: "Hold the logs to this receipt (a file written by --receipt).") var receiptFile: String?
    @Option(help: "Hold the logs to a witness as well: its folder, or a mailbox export of its e-mails.") var witness: String?
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
        if let witness {
            guard receiptFile == nil else { throw CLIError("--witness and --receipt-file: give one or the other") }
            let lines = try Self.witnessLines(witness, premisesID: national ? nil : premisesID)
            result = try await client.verifyWithWitness(body: .json(.init(premisesId: national ? nil : premisesID, lines: lines))).ok.body
                .json
        } else if let receiptFile {
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
            if let witness {
                Swift.print(
                    "the witness \(witness) holds \(result.witnessed ?? 0) checkpoint\(result.witnessed == 1 ? "" : "s") of these logs")
            }
        }
        guard result.problems.isEmpty else {
            let logs = Set(result.problems.map(\.log)).sorted().map { Self.names[$0] ?? $0 }.joined(separator: ", ")
            throw CLIError("tampered with: \(logs) (\(result.problems.count) problem\(result.problems.count == 1 ? "" : "s"))")
        }
    }

    /// The lines of a witness (every file of a folder, or one file such as a mailbox export)
    /// that may be a checkpoint of these logs (nil: the national audit log's) or a key record.
    static func witnessLines(_ path: String, premisesID: String?) throws -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw CLIError("cannot read \(path)") }
        let files =
            isFolder.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { "\(path)/\($0)" } : [path]
        var lines = [String]()
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) {
                let text = line.trimmingCharacters(in: .whitespaces)
                guard text.hasPrefix("{"), text.contains("\"version\":\"ap-") else { continue }
                let ours = premisesID.map { text.contains($0.lowercased()) } ?? !text.contains("\"premisesID\"")
                if ours || text.contains("\"version\":\"ap-key-") { lines.append(text) }
            }
        }
        return lines
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
        if let key = result.receiptKey { Swift.print("the receipt is \(key)") }
        for doubt in result.notEstablished { Swift.print("not established: \(doubt)") }
    }
}
