import APClient
import ArgumentParser
import Foundation

struct SubjectAccessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sar",
        abstract: "Everything held about a person, for their subject access request (subject access officers and administrators).",
        discussion: """
            Asks the service for the export in the HMPPS subject access form: every referral, stay, \
            curfew log entry, night check, incident, breach, key-work session, test, move-on plan, \
            e-mail and change about the person with this CRN, with other residents shown as \
            "another resident" and staff by name and role. The export is recorded in the access log.

            Examples:  ap sar X123456 > X123456.json
                       ap sar X123456 --from 2026-01-01 --to 2026-06-30 --html --output X123456.html
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The person's case reference number (CRN), such as X123456.") var crn: String
    @Option(help: "Only records of this day (YYYY-MM-DD) and after.") var from: String?
    @Option(help: "Only records of this day (YYYY-MM-DD) and before.") var to: String?
    @Flag(help: "Write a printable HTML report instead of JSON.") var html = false
    @Option(help: "Write to this file instead of the terminal.") var output: String?

    func validate() throws {
        if crn.wholeMatch(of: /[A-Z][0-9]{6}/) == nil {
            throw ValidationError("the CRN is a capital letter and six digits, such as X123456")
        }
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, value.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) == nil {
                throw ValidationError("\(name) takes a date, YYYY-MM-DD")
            }
        }
    }

    func run() async throws {
        let (client, _) = try await service.session()
        let answer = try await client.getSubjectAccessRequest(query: .init(crn: crn, fromDate: from, toDate: to))
        guard case .ok(let found) = answer else {
            let range = from == nil && to == nil ? "" : " in that range"
            FileHandle.standardError.write(Data("Nothing is held about \(crn)\(range).\n".utf8))
            return
        }
        let content = try found.body.json.content
        let text = html ? try SubjectAccessReport.html(content) : try SubjectAccessReport.json(content)
        if let output {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            let records = content.sections.map(\.records.count).reduce(0, +)
            print("Wrote \(records) records in \(content.sections.filter { !$0.records.isEmpty }.count) sections to \(output).")
        } else {
            print(text)
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The logs of who did what (administrators): who read a person's records.",
        subcommands: [AuditAccess.self], defaultSubcommand: AuditAccess.self)
}

struct AuditAccess: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Who read a person's records, newest first: resident records, departure summaries, referrals, exports.",
        discussion: "Example:  ap audit access X123456")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The person's case reference number (CRN).") var crn: String
    @Option(help: "The most reads to list (1 to 200).") var limit: Int = 50
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if crn.wholeMatch(of: /[A-Z][0-9]{6}/) == nil {
            throw ValidationError("the CRN is a capital letter and six digits, such as X123456")
        }
    }

    func run() async throws {
        let (client, _) = try await service.session()
        let page = try await client.listAccessEvents(query: .init(crn: crn, limit: limit)).ok.body.json
        if json {
            try Terminal.printJSON(page)
            return
        }
        if page.items.isEmpty {
            print("Nobody has read \(crn)'s records.")
            return
        }
        Terminal.printTable(
            ["WHEN", "WHO", "ROLE", "READ", "RECORD"],
            page.items.map { event in
                [
                    Terminal.time(event.occurredAt), "\(event.displayName) (\(event.username))",
                    event.role.rawValue.replacingOccurrences(of: "_", with: " "),
                    event.what.rawValue.replacingOccurrences(of: "_", with: " "), event.placementId ?? event.referralId ?? "",
                ]
            })
        if page.nextCursor != nil { print("(more: raise --limit)") }
    }
}
