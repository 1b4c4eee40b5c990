import APDemoData
import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@testable import APServer

/// What the checkpoint folder on the service's machine cannot prove alone, and the witness and
/// receipts can: on copies of the tamper suite's checkpointed demo, the database's superuser and
/// the machine's root delete a checkpoint line with the entries it alone covered, empty the
/// folder, or replace the key file before a rewrite; and a key changed the proper way keeps
/// every check holding.
@Suite(
    "A witness outside the machine, receipts with their own key, and a key that can change",
    .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct WitnessTests {
    /// Deletes Elm's incidents after the first checkpoint, as a superuser with the triggers off.
    static func deleteLatestIncidents(_ place: TamperTests.Place, after first: Int64) async throws {
        try await place.pool.withConnection { connection in
            try await connection.execute("SET session_replication_role = replica")
            try await connection.execute("DELETE FROM incident WHERE premises_id = \(place.elm) AND chain_seq > \(first)")
            try await connection.execute("RESET session_replication_role")
        }
    }

    /// Removes the latest checkpoint line of Elm's from the folder on this machine.
    static func deleteLatestLine(_ place: TamperTests.Place) throws {
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: place.folder).filter { $0.hasPrefix("checkpoints-") }.max())
        let file = "\(place.folder)/\(name)"
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.remove(at: try #require(lines.lastIndex { $0.contains(place.elm.uuidString.lowercased()) }))
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: false, encoding: .utf8)
    }

    @Test("a checkpoint line deleted with the entries it alone covered: verify alone is fooled, the witness and the receipt are not")
    func checkpointLineDeleted() async throws {
        let source = try await TamperTests.demo.made()
        try await TamperTests.onCopy(of: source) { place in
            try await Self.deleteLatestIncidents(place, after: source.firstIncidents)
            try Self.deleteLatestLine(place)
            return nil
        } verify: { runs, _, _ in
            // The stated limit of a folder on the same machine: what is left agrees with itself.
            #expect(runs.plain.status == 0, "\(runs.plain.output)")
            #expect(runs.witness.status != 0, "\(runs.witness.output)")
            #expect(
                runs.witness.output.contains("which the witness holds, is not in the checkpoint folder on this machine"),
                "\(runs.witness.output)")
            #expect(runs.witness.output.contains("incident log: "), "\(runs.witness.output)")
            #expect(runs.witness.output.contains("entries are missing after #\(source.firstIncidents)"), "\(runs.witness.output)")
            let receipt = try #require(runs.receipt)
            #expect(receipt.status != 0, "\(receipt.output)")
            #expect(receipt.output.contains("entries are missing after #\(source.firstIncidents)"), "\(receipt.output)")
        }
    }

    @Test("the checkpoint folder emptied: the witness and the receipt find it and what it hid")
    func folderEmptied() async throws {
        let source = try await TamperTests.demo.made()
        try await TamperTests.onCopy(of: source) { place in
            try await Self.deleteLatestIncidents(place, after: source.firstIncidents)
            for name in try FileManager.default.contentsOfDirectory(atPath: place.folder) {
                try FileManager.default.removeItem(atPath: "\(place.folder)/\(name)")
            }
            return nil
        } verify: { runs, _, _ in
            #expect(runs.plain.output.contains("no signed checkpoint covers"), "\(runs.plain.output)")
            #expect(runs.witness.status != 0, "\(runs.witness.output)")
            #expect(
                runs.witness.output.contains(
                    "the checkpoint folder on this machine holds none of these logs' checkpoints, but the witness holds"),
                "\(runs.witness.output)")
            #expect(runs.witness.output.contains("entries are missing after #\(source.firstIncidents)"), "\(runs.witness.output)")
            let receipt = try #require(runs.receipt)
            #expect(receipt.status != 0, "\(receipt.output)")
            #expect(receipt.output.contains("entries are missing after #\(source.firstIncidents)"), "\(receipt.output)")
        }
    }

    @Test("the key file replaced, the chain rewritten and the folder signed afresh: a change of key nobody signed")
    func keyReplacedBeforeRewrite() async throws {
        let source = try await TamperTests.demo.made()
        try await TamperTests.onCopy(of: source) { place in
            // Root swaps in a key of their own, rewrites an incident with every later hash
            // recomputed, and replaces the folder with checkpoints signed afresh over the rewrite.
            try CheckpointKey().fileText.write(toFile: place.keyFile, atomically: true, encoding: .utf8)
            try await TamperTests.tamper(
                .changedAndRehashed, .incident, elm: place.elm, last: 0, pool: place.pool, folder: place.folder, key: source.key)
            try FileManager.default.removeItem(atPath: place.folder)
            #expect(try await LogChainStore(pool: place.pool, checkpoints: place.settings).checkpoint() > 0)
            return nil
        } verify: { runs, _, _ in
            // The folder on this machine now agrees with itself: only what is kept elsewhere can say otherwise.
            #expect(runs.plain.status == 0, "\(runs.plain.output)")
            #expect(runs.witness.status != 0, "\(runs.witness.output)")
            #expect(runs.witness.output.contains("without a change of key signed by the key then in use"), "\(runs.witness.output)")
            #expect(runs.witness.output.contains("the chain was rewritten before the checkpoint of"), "\(runs.witness.output)")
            let receipt = try #require(runs.receipt)
            #expect(receipt.status != 0, "\(receipt.output)")
            #expect(receipt.output.contains("the receipt is signed with a key this service never listed"), "\(receipt.output)")
            #expect(receipt.output.contains("the chain was rewritten before the checkpoint of"), "\(receipt.output)")
        }
    }

    @Test("a key changed with ap db keygen --replace: verify holds across it, and a receipt from before still proves a later rewrite")
    func legitimateKeyChange() async throws {
        let source = try await TamperTests.demo.made()
        try await TamperTests.onCopy(of: source) { place in
            let replaced = try await CommandLineTests.ap(
                ["db", "keygen", "--replace", place.keyFile], config: place.scratch.appendingPathComponent("operator.json"),
                environment: ["AP_CHECKPOINT_DIR": place.folder, "AP_CHECKPOINT_WITNESS_DIR": place.witness])
            #expect(replaced.status == 0, "\(replaced.output)")
            let key = try CheckpointKey(file: place.keyFile)
            #expect(key.publicKey != source.key.publicKey)
            #expect(try String(contentsOfFile: place.keyFile + ".pub", encoding: .utf8).contains(key.publicKey))
            // The list of keys, beside the checkpoints and in the witness, holds public halves only.
            for folder in [place.folder, place.witness] {
                let keys = try String(contentsOfFile: "\(folder)/keys.jsonl", encoding: .utf8)
                #expect(keys.contains(key.publicKey) && keys.contains(source.key.publicKey))
                for secret in [key, source.key] { #expect(!keys.contains(secret.fileText.trimmingCharacters(in: .newlines))) }
            }
            // More entries, checkpointed with the new key.
            try await TamperTests.tamper(
                .forgedAppendedWithTriggersOn, .incident, elm: place.elm,
                last: try await TamperTests.lastSeq(.incident, place.elm, place.pool),
                pool: place.pool, folder: place.folder, key: source.key)
            #expect(try await LogChainStore(pool: place.pool, checkpoints: place.settings).checkpoint() > 0)
            let lines = try CheckpointFolder(path: place.folder).lines().compactMap { try? Checkpoint.decode($0.text) }
            #expect(lines.contains { $0.key == key.publicKey } && lines.contains { $0.key == source.key.publicKey })
            return nil
        } verify: { runs, place, _ in
            for run in runs.all { #expect(run.status == 0, "\(run.output)") }
            for run in [runs.plain, runs.witness] { #expect(!run.output.contains("came after the last checkpoint"), "\(run.output)") }
            let receipt = try #require(runs.receipt)
            #expect(receipt.output.contains("the receipt is signed with a former key of this service"), "\(receipt.output)")
            // Then a rewrite of what the old receipt saw: it still proves it.
            try await TamperTests.tamper(
                .changedAndRehashed, .incident, elm: place.elm, last: 0, pool: place.pool, folder: place.folder, key: source.key)
            let again = try await CommandLineTests.ap(
                ["verify", "--premises", "DEMO-ELM", "--receipt-file", place.scratch.appendingPathComponent("receipt.json").path],
                config: place.scratch.appendingPathComponent("regional.json"))
            #expect(again.status != 0, "\(again.output)")
            #expect(again.output.contains("the chain was rewritten before the checkpoint of"), "\(again.output)")
            #expect(again.output.contains("a former key of this service"), "\(again.output)")
        }
    }

    @Test(
        "the witness by e-mail: the day's digest and a handover's checkpoint go through the outbox to a real mail server, and the mailbox export proves a deleted line"
    )
    func witnessByEmail() async throws {
        let source = try await TamperTests.demo.made()
        try await TamperTests.onCopy(of: source) { place in
            try await place.pool.execute("UPDATE notification SET state = 'sent', sent_at = now() WHERE state = 'waiting'")
            var settings = place.settings
            settings.witnessEmail = "witness@elsewhere.example"
            let store = LogChainStore(pool: place.pool, checkpoints: settings)
            #expect(try await store.witnessDigest())
            #expect(try await !store.witnessDigest(), "one digest a day, however often the job asks")
            let before = try await TamperTests.lastSeq(.incident, place.elm, place.pool)
            try await TamperTests.tamper(
                .forgedAppendedWithTriggersOn, .incident, elm: place.elm, last: before, pool: place.pool, folder: place.folder,
                key: source.key)
            #expect(try await store.checkpoint(premisesID: place.elm) > 0, "the handover's checkpoint")
            let sink = try await MailSink.start()
            let handedOver = try await NotificationTests.job(place.pool, sink: sink).pass()
            let mail = try await sink.waitForMail(count: handedOver)
            await sink.stop()
            let witnessed = mail.filter { $0.event == "checkpoint_witness" }
            #expect(witnessed.count == 2 && witnessed.allSatisfy { $0.to == "witness@elsewhere.example" }, "\(mail.map(\.subject))")
            #expect(witnessed.contains { $0.subject.contains("the handover at DEMO-ELM") }, "\(witnessed.map(\.subject))")
            #expect(witnessed.allSatisfy { $0.body.contains("\"version\":\"ap-key-v1\"") })
            #expect(!witnessed.contains { $0.body.contains("smoke alarm") }, "the heads only, never the entries")
            // A mailbox export of what the witness received.
            var mbox = ""
            for name in try FileManager.default.contentsOfDirectory(atPath: sink.folder.path).filter({ $0.hasSuffix(".eml") }).sorted() {
                mbox += "From witness@elsewhere.example Mon Dec  7 00:00:00 2026\n"
                mbox += try String(contentsOfFile: sink.folder.appendingPathComponent(name).path, encoding: .utf8) + "\n"
            }
            try mbox.write(to: place.scratch.appendingPathComponent("witness.mbox"), atomically: true, encoding: .utf8)
            // Then the entry the handover's checkpoint alone covered is deleted, and its line.
            try await Self.deleteLatestIncidents(place, after: before)
            try Self.deleteLatestLine(place)
            return nil
        } verify: { runs, place, _ in
            #expect(runs.plain.status == 0, "\(runs.plain.output)")
            let run = try await CommandLineTests.ap(
                ["verify", "--premises", "DEMO-ELM", "--witness", place.scratch.appendingPathComponent("witness.mbox").path],
                config: place.scratch.appendingPathComponent("regional.json"))
            #expect(run.status != 0, "\(run.output)")
            #expect(run.output.contains("which the witness holds, is not in the checkpoint folder on this machine"), "\(run.output)")
            #expect(run.output.contains("entries are missing after #"), "\(run.output)")
            #expect(run.output.contains("holds 2 checkpoints of these logs"), "\(run.output)")
        }
    }
}
