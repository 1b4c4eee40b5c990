import APIContract
import ArgumentParser
import Foundation

struct ReferralsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referrals",
        abstract: "The referral queue: take referrals in, assess them, book them.",
        discussion: "Example:  ap referrals list --status ready_to_match",
        subcommands: [ReferralsList.self, ReferralsShow.self, ReferralsCreate.self, ReferralsDecide.self, ReferralsBook.self])
}

struct ReferralsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The queue, most urgent first (earliest expected arrival, then the oldest).",
        discussion: "Example:  ap referrals list --status submitted --status awaiting_information")

    @OptionGroup var service: ServiceOptions
    @Option(help: "Only referrals in this state (repeatable): submitted, awaiting_information, ready_to_match, unable_to_match, rejected, booked, withdrawn.")
    var status: [String] = []
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let filter = status.isEmpty ? nil : status.joined(separator: ",")
        let items = try await client.allPages { cursor in
            try await client.call { api in
                switch try await api.listReferrals(query: .init(status: filter, limit: 200, cursor: cursor)) {
                case .ok(let ok): let page = try ok.body.json; return (page.items, page.nextCursor)
                case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
                }
            }
        }
        if json { try Terminal.printJSON(items); return }
        Terminal.printTable(["ARRIVAL", "NAME", "CRN", "STATUS", "HOME", "ROSH", "ID"], items.map {
            [$0.details.expectedArrival, $0.details.personName, $0.details.crn, $0.status.rawValue, $0.details.homeDistrict, $0.details.roshOverall, $0.id]
        })
    }
}

struct ReferralsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "A referral, with its timeline.", discussion: "Example:  ap referrals show REFERRAL-ID")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The referral's id.") var referral: String
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, _) = try service.session()
        let found = try await client.call { api in
            switch try await api.getReferral(path: .init(referralId: referral)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(found); return }
        let d = found.referral.details
        print("\(d.personName) (\(d.crn)) — \(found.referral.status.rawValue.replacingOccurrences(of: "_", with: " "))")
        print("arrival \(d.expectedArrival)\(d.lengthOfStayDays.map { " for \($0) nights" } ?? ""), home \(d.homeDistrict)\(d.radiusMiles.map { " within \($0) miles" } ?? ""), \(d.apType) AP")
        print("risk: \(d.roshOverall) overall; MAPPA \(d.mappaCategory ?? "-")/\(d.mappaLevel ?? "-"); offences: \((d.offenceFlags ?? []).joined(separator: ", "))")
        print("needs: rooms \((d.roomNeeds ?? []).joined(separator: " ")); premises \((d.premisesNeeds ?? []).joined(separator: " "))")
        if let curfew = d.licenceCurfewStart { print("licence curfew: \(curfew)-\(d.licenceCurfewEnd ?? "")") }
        print("referred by \(d.referrerName) <\(d.referrerEmail)>")
        print("\nTimeline:")
        for event in found.timeline {
            print("  \(event.at.formatted(.iso8601))  \(event.kind.replacingOccurrences(of: "_", with: " "))\(event.staffName.map { " by \($0)" } ?? "")\(event.note.map { ": \($0)" } ?? "")")
        }
    }
}

struct ReferralsCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Take a referral in from a JSON file (the API's ReferralDetails).",
        discussion: "Every field problem is listed at once.\n\nExample:  ap referrals create --file referral.json")

    @OptionGroup var service: ServiceOptions
    @Option(help: "The referral, as JSON.") var file: String

    func run() async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        let details: Components.Schemas.ReferralDetails
        do {
            details = try JSONDecoder().decode(Components.Schemas.ReferralDetails.self, from: data)
        } catch let error as DecodingError {
            throw CLIError("\(file) is not a referral: \(error.localizedDescription)")
        }
        let (client, _) = try service.session()
        let referral = try await client.call { api in
            switch try await api.createReferral(body: .json(details)) {
            case .created(let created): try created.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        print("Referral \(referral.id) for \(referral.details.personName) is \(referral.status.rawValue).")
    }
}

struct ReferralsDecide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Accept, reject, ask for or give information, mark unable to match, or withdraw.",
        discussion: """
            Every decision but accept needs --note: the reason, the question or the answer. \
            Withdrawing cancels the referral's upcoming placements.

            Example:  ap referrals decide REFERRAL-ID request_information --note "Is there an exclusion zone?"
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The referral's id.") var referral: String
    @Argument(help: "accept, reject, request_information, provide_information, unable_to_match or withdraw.") var decision: String
    @Option(help: "The reason, question or answer.") var note: String?

    func validate() throws {
        guard Operations.DecideReferral.Input.Body.JsonPayload.DecisionPayload(rawValue: decision) != nil else {
            throw ValidationError("the decision must be accept, reject, request_information, provide_information, unable_to_match or withdraw")
        }
    }

    func run() async throws {
        let (client, _) = try service.session()
        let result = try await client.call { api in
            switch try await api.decideReferral(
                path: .init(referralId: referral), body: .json(.init(decision: .init(rawValue: decision)!, note: note)))
            {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        print("\(result.details.personName) (\(result.details.crn)) is now \(result.status.rawValue.replacingOccurrences(of: "_", with: " ")).")
    }
}

struct ReferralsBook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book",
        abstract: "Book a ready-to-match referral into a premises, and optionally a bed, in one go.",
        discussion: "Example:  ap referrals book REFERRAL-ID --premises DEMO-ELM --bed BED-ID")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The referral's id.") var referral: String
    @Option(help: "The premises (code or id).") var premises: String
    @Option(help: "A bed id (see ap match).") var bed: String?
    @Option(help: "Another arrival date (YYYY-MM-DD).") var arrival: String?
    @Option(help: "Another departure date (YYYY-MM-DD).") var departure: String?

    func run() async throws {
        let (client, _) = try service.session()
        let premisesID = try await client.premisesID(premises)
        let result = try await client.call { api in
            switch try await api.bookReferral(
                path: .init(referralId: referral), body: .json(.init(premisesId: premisesID, bedId: bed, arrival: arrival, departure: departure)))
            {
            case .created(let created): try created.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        print("Booked " + describe(result.placement))
    }
}

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
        let (client, _) = try service.session()
        let result = try await client.call { api in
            switch try await api.matchReferral(path: .init(referralId: referral), query: .init(arrival: arrival, radiusMiles: radius)) {
            case .ok(let ok): try ok.body.json
            case .default(let status, let problem): throw CLIError(status: status, problem: try? problem.body.applicationProblemJson)
            }
        }
        if json { try Terminal.printJSON(result); return }
        func miles(_ value: Double?) -> String { value.map { String(format: "%.0f mi", $0) } ?? "?" }
        print("Stay \(result.stayFrom) to \(result.stayTo):")
        if result.candidates.isEmpty {
            print("  no premises can take this referral")
        } else {
            Terminal.printTable(["", "PREMISES", "REGION", "DISTANCE", "BED", "BED ID"], result.candidates.enumerated().map { index, candidate in
                ["\(index + 1).", "\(candidate.name) (\(candidate.code))", candidate.regionCode, miles(candidate.distanceMiles), candidate.bedLabel, candidate.bedId]
            })
        }
        let shown = all ? result.excluded : result.excluded.filter(\.nearMiss)
        if !shown.isEmpty {
            print(all ? "\nLeft out:" : "\nNear-misses (left out for one reason; --all lists every premises):")
            for excluded in shown {
                let free = excluded.freeFrom.map { " (a bed is free from \($0))" } ?? ""
                print("  \(excluded.name) (\(excluded.code)), \(miles(excluded.distanceMiles)): \(excluded.reasons.joined(separator: "; "))\(free)")
            }
        }
    }
}
