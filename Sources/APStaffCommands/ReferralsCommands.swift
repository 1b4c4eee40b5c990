import APClient
import ArgumentParser
import Foundation

struct ReferralsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "referrals",
        abstract: "The referral queue: take referrals in, assess them, book them.",
        discussion: "Example:  ap referrals list --status ready_to_match",
        subcommands: [
            ReferralsList.self, ReferralsShow.self, ReferralsCreate.self, ReferralsDecide.self, ReferralsOffer.self, ReferralsBook.self,
            ReferralsHandOver.self,
        ])
}

struct ReferralsHandOver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hand-over",
        abstract: "Hand a referral to another probation practitioner: a case changing hands (administrators).",
        discussion: """
            The practitioner owns it from then on and becomes its referrer (they are the one told \
            by e-mail); the timeline says who had it before.

            Example:  ap referrals hand-over REFERRAL-ID --to p.patel
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The referral's id.") var referral: String
    @Option(help: "The practitioner (username or id).") var to: String

    func run() async throws {
        let (client, _) = try await service.session()
        let practitioner = try await client.staff(named: to)
        let result = try await client.handOverReferral(
            path: .init(referralId: referral), body: .json(.init(practitionerId: practitioner.id))
        ).ok.body.json
        print("\(result.details.personName) (\(result.details.crn)) is now \(practitioner.displayName)'s referral.")
    }
}

struct ReferralsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "The queue, most urgent first (earliest expected arrival, then the oldest).",
        discussion: "Example:  ap referrals list --status submitted --status awaiting_information")

    @OptionGroup var service: ServiceOptions
    @Option(help: "Only referrals in this state (repeatable).") var status: [Components.Schemas.Referral.StatusPayload] = []
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let filter = status.isEmpty ? nil : status.map(\.rawValue).joined(separator: ",")
        let items = try await client.allPages { cursor in
            let page = try await client.listReferrals(query: .init(status: filter, limit: 200, cursor: cursor)).ok.body.json
            return (page.items, page.nextCursor)
        }
        if json {
            try Terminal.printJSON(items)
            return
        }
        Terminal.printTable(
            ["ARRIVAL", "NAME", "CRN", "STATUS", "HOME", "ROSH", "ID"],
            items.map {
                [
                    $0.details.expectedArrival, $0.details.personName, $0.details.crn, $0.status.rawValue, $0.details.homeDistrict,
                    $0.details.roshOverall.rawValue, $0.id,
                ]
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
        let (client, _) = try await service.session()
        let found = try await client.getReferral(path: .init(referralId: referral)).ok.body.json
        if json {
            try Terminal.printJSON(found)
            return
        }
        let d = found.referral.details
        print("\(d.personName) (\(d.crn)) — \(words(found.referral.status.rawValue))")
        print(
            "arrival \(d.expectedArrival)\(d.lengthOfStayDays.map { " for \($0) nights" } ?? ""), home \(d.homeDistrict)\(d.radiusMiles.map { " within \($0) miles" } ?? ""), \(d.apType.map { "\($0) AP" } ?? "any AP type")"
        )
        func line(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { print("\(label): \(value)") }
        }
        line("risk", "\(d.roshOverall.rawValue) overall")
        line("MAPPA", d.mappaCategory.map { "category \($0.rawValue)" + (d.mappaLevel.map { ", level \($0.rawValue)" } ?? "") })
        line("offences", d.offenceFlags?.map(\.rawValue).joined(separator: ", "))
        line("room needs", d.roomNeeds?.joined(separator: " "))
        line("premises needs", d.premisesNeeds?.joined(separator: " "))
        line("licence conditions", d.licenceConditions)
        line("licence curfew", d.licenceCurfewStart.map { "\($0)-\(d.licenceCurfewEnd ?? "")" })
        line("exclusion zones", d.exclusionZones)
        line("substance misuse", d.substanceMisuse)
        line("mental health", d.mentalHealth)
        print("referred by \(d.referrerName) <\(d.referrerEmail)>")
        if let offered = found.referral.offeredTo, !offered.isEmpty {
            var names = [String]()
            for id in offered {
                // A premises the caller may not see is shown by its id.
                names.append((try? await client.premises(codeOrID: id)).map { "\($0.name) (\($0.code))" } ?? id)
            }
            print("offered to: \(names.joined(separator: ", "))")
        }
        print("\nTimeline:")
        for event in found.timeline {
            print(
                "  \(event.at.formatted(.iso8601))  \(event.kind.rawValue.replacingOccurrences(of: "_", with: " "))\(event.staffName.map { " by \($0)" } ?? "")\(event.note.map { ": \($0)" } ?? "")"
            )
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
        let (client, _) = try await service.session()
        let referral = try await client.createReferral(body: .json(details)).created.body.json
        print("Referral \(referral.id) for \(referral.details.personName) is \(referral.status.rawValue).")
    }
}

struct ReferralsDecide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide",
        abstract: "Accept, reject, ask for, give or add information, mark unable to match, or withdraw.",
        discussion: """
            Every decision but accept needs --note: the reason, the question, the answer or the \
            information. A withdrawal names --reason from the national list (GET \
            /reference/withdrawal-reasons; a probation practitioner must), and needs --note only \
            for "other". \
            Withdrawing cancels the referral's upcoming placements. A probation practitioner may \
            answer (provide_information), add information and withdraw, on their own referrals.

            Example:  ap referrals decide REFERRAL-ID request_information --note "Is there an exclusion zone?"
            Example:  ap referrals decide REFERRAL-ID withdraw --reason other_accommodation_identified
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The referral's id.") var referral: String
    @Argument(help: "The decision.") var decision: Operations.DecideReferral.Input.Body.JsonPayload.DecisionPayload
    @Option(help: "The reason, question, answer or information.") var note: String?
    @Option(help: "For withdraw: why, a code of the national list of withdrawal reasons.") var reason: String?

    func run() async throws {
        let (client, _) = try await service.session()
        let result = try await client.decideReferral(
            path: .init(referralId: referral), body: .json(.init(decision: decision, note: note, withdrawalReason: reason))
        ).ok.body.json
        print("\(result.details.personName) (\(result.details.crn)) is now \(words(result.status.rawValue)).")
    }
}

struct ReferralsOffer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "offer",
        abstract: "Offer a referral to a premises, for its AP manager to assess and book.",
        discussion: """
            An AP manager sees only the referrals offered to or booked at their premises. \
            Offering again to the same premises changes nothing.

            Example:  ap referrals offer REFERRAL-ID --premises DEMO-ELM
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The referral's id.") var referral: String
    @Option(help: "The premises (code or id).") var premises: String

    func run() async throws {
        let (client, _) = try await service.session()
        let target = try await client.premises(codeOrID: premises)
        let result = try await client.offerReferral(
            path: .init(referralId: referral), body: .json(.init(premisesId: target.id))
        ).ok.body.json
        print("\(result.details.personName) (\(result.details.crn)) is offered to \(target.name) (\(target.code)).")
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
        let (client, _) = try await service.session()
        let premisesID = try await client.premisesID(premises)
        let result = try await client.bookReferral(
            path: .init(referralId: referral),
            body: .json(.init(premisesId: premisesID, bedId: bed, arrival: arrival, departure: departure))
        ).created.body.json
        print("Booked " + describe(result.placement))
    }
}
