import ApprovedPremises
import ArgumentParser
import Foundation

struct Retention: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "List (--dry-run) or erase (--apply) the personal data of people past the retention schedule.",
        discussion: """
            The schedule is AP_RETENTION (such as stays=7,referrals=7), else seven years for both; \
            --schedule overrides it. Erasing replaces names and the CRN by a pseudonym, removes the \
            date of birth and NOMS number, and replaces free text by "erased"; codes, dates and the \
            reports' figures stay, and the logs' chains and checkpoints still verify. The service \
            does the same daily unless AP_RETENTION=off.

            Example:  ap db retention --dry-run
            """)

    @Flag(help: "List who and what would be erased, and write nothing.") var dryRun = false
    @Flag(help: "Erase them.") var apply = false
    @Option(help: "The schedule, such as stays=7,referrals=7 (default: AP_RETENTION, else the standard).") var schedule: String?
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard dryRun != apply else { throw ValidationError("give one of --dry-run or --apply") }
    }

    func run() async throws {
        let text = schedule ?? ProcessInfo.processInfo.environment["AP_RETENTION"].flatMap { $0 == "off" || $0.isEmpty ? nil : $0 }
        let rules: RetentionSchedule
        do {
            rules = try text.map(RetentionSchedule.parse) ?? .standard
        } catch let error as DomainError {
            throw ValidationError(error.message)
        }
        let who = "ap db retention --apply, as \(ProcessInfo.processInfo.environment["USER"] ?? "an operator")"
        let people = try await withOperatorPool { pool in
            let store = RetentionStore(pool: pool)
            return apply ? try await store.apply(rules, erasedBy: who) : try await store.due(rules)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(people), as: UTF8.self))
            return
        }
        print(
            "Retention schedule: stays \(rules.stays) years after the last stay ended, referrals \(rules.referrals) years after the last closed."
        )
        print(
            apply
                ? "Erased \(people.count) \(people.count == 1 ? "person" : "people")."
                : "Past it: \(people.count) \(people.count == 1 ? "person" : "people").")
        for person in people {
            let records = person.records.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let names = person.names.isEmpty ? "" : "  " + person.names.joined(separator: " / ")
            print("  \(person.crn)\(names)  \(person.kind), last ended \(person.lastEndedOn): \(person.total) records (\(records))")
        }
        if dryRun { print("A dry run: nothing was written.") }
    }
}
