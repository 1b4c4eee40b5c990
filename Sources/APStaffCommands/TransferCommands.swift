import APClient
import ArgumentParser
import Foundation

/// A transfer in one line.
func describe(_ transfer: Components.Schemas.Transfer) -> String {
    let to = transfer.toPremisesName.map { " to \($0)" } ?? ""
    return "\(transfer.personName) (\(transfer.crn)) from \(transfer.fromPremisesName)\(to), \(transfer.kind.rawValue) transfer on "
        + "\(transfer.transferDate) (\(transfer.reasonName)): \(transfer.status.rawValue); id \(transfer.id)"
}

struct PlacementsTransfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Ask the referral unit to move a resident to another AP, or move them tonight (AP managers).",
        discussion: """
            A planned transfer asks the Central Referral Unit to match and book the resident \
            elsewhere from --date; it waits in their queue (ap transfers list). An emergency \
            transfer (--emergency) moves the resident today to --to, whose AP manager agreed \
            (--agreed-by, their username): the stay here ends today and the stay there begins, \
            in one step. Reasons (GET /reference/transfer-reasons): RISK_TO_RESIDENT, RISK_TO_OTHERS, \
            EXCLUSION_ZONE, NEEDS_NOT_MET, CLOSER_TO_HOME, PREMISES_ISSUE, OTHER (with --notes).

            Examples:  ap placements transfer sam --reason CLOSER_TO_HOME --date 2026-12-20
                       ap placements transfer sam --emergency --to DEMO-OAK --agreed-by oak.manager --reason RISK_TO_RESIDENT
            """)

    @OptionGroup var premises: AtPremises
    @OptionGroup var placementArgument: PlacementArgument
    @Option(help: "Why: a transfer reason code.") var reason: String
    @Option(help: "The date from which to move them (YYYY-MM-DD), for a planned transfer.") var date: String?
    @Flag(help: "Move them today, to --to, with its manager's agreement.") var emergency = false
    @Option(help: "The receiving premises (code or id), for an emergency transfer.") var to: String?
    @Option(help: "The username of the receiving AP's manager who agreed, for an emergency transfer.") var agreedBy: String?
    @Option(help: "The end of the stay there (YYYY-MM-DD); the stay here's expected departure when left out.") var until: String?
    @Option(help: "Notes.") var notes: String?

    func validate() throws {
        if emergency {
            guard to != nil, agreedBy != nil else { throw ValidationError("an emergency transfer needs --to and --agreed-by") }
            guard date == nil else { throw ValidationError("an emergency transfer is today: leave out --date") }
        } else {
            guard date != nil else { throw ValidationError("a planned transfer needs --date (YYYY-MM-DD), the day they move") }
            guard to == nil, agreedBy == nil, until == nil else {
                throw ValidationError("--to, --agreed-by and --until are for an emergency transfer; the referral unit chooses where to")
            }
        }
    }

    func run() async throws {
        let (client, here) = try await premises.open()
        let placement = try await placementArgument.placementID(at: premises)
        let transfer: Components.Schemas.Transfer
        if emergency, let to, let agreedBy {
            let end = try until.map { try here.local.date($0, option: "--until") }
            // The receiving AP by code among every premises matching looked at (an AP manager lists only their own).
            let match = try await client.matchEmergencyTransfer(path: .init(placementId: placement), query: .init(until: end)).ok.body.json
            let known = match.candidates.map { ($0.code, $0.premisesId) } + match.excluded.map { ($0.code, $0.premisesId) }
            guard let toID = UUID(uuidString: to).map({ _ in to.lowercased() }) ?? known.first(where: { $0.0 == to.uppercased() })?.1 else {
                throw CLIError("there is no premises with code \(to)")
            }
            transfer = try await client.makeEmergencyTransfer(
                path: .init(placementId: placement),
                body: .json(.init(toPremisesId: toID, agreedBy: agreedBy, reason: reason, notes: notes, expectedDeparture: end))
            ).created.body.json
            print("Moved: " + describe(transfer))
        } else {
            transfer = try await client.requestTransfer(
                path: .init(placementId: placement),
                body: .json(.init(reason: reason, transferDate: try here.local.date(date ?? "", option: "--date"), notes: notes))
            ).created.body.json
            print("Asked for: " + describe(transfer))
        }
    }
}

struct PlacementsAppeal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appeal",
        abstract: "Appeal a booking before the person arrives (AP managers): the referral unit decides.",
        discussion: """
            Reasons: RISK_TO_STAFF_OR_RESIDENTS, NEED_NOT_MET, EXCLUSION_ZONE, OTHER (with --notes).

            Example:  ap placements appeal PLACEMENT-ID --reason NEED_NOT_MET --notes "No step-free room free then"
            """)

    @OptionGroup var premises: AtPremises
    @OptionGroup var placementArgument: PlacementArgument
    @Option(help: "Why: an appeal reason code.") var reason: String
    @Option(help: "Notes.") var notes: String?

    func run() async throws {
        let (client, _) = try await premises.service.session()
        let placement = try await placementArgument.placementID(at: premises, arriving: true)
        let appeal = try await client.appealPlacement(path: .init(placementId: placement), body: .json(.init(reason: reason, notes: notes)))
            .created.body.json
        print("Appealed: \(appeal.personName) (\(appeal.crn)) at \(appeal.premisesName), \(appeal.reasonName); id \(appeal.id)")
    }
}

struct TransfersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers",
        abstract: "Transfers between APs: the referral unit's queue, matching, booking and refusing.",
        discussion:
            "Example:  ap transfers list            ap transfers match TRANSFER-ID            ap transfers book TRANSFER-ID --to DEMO-OAK",
        subcommands: [TransfersList.self, TransfersMatch.self, TransfersBook.self, TransfersRefuse.self])
}

struct TransfersList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Transfers waiting for a decision (--all for every one you may see).")

    @OptionGroup var service: ServiceOptions
    @Flag(help: "Every transfer, not only those waiting.") var all = false
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, _) = try await service.session()
        let transfers = try await client.listTransfers(query: .init(status: all ? nil : .requested)).ok.body.json
        if json {
            try Terminal.printJSON(transfers)
            return
        }
        if transfers.isEmpty { print(all ? "No transfers." : "No transfers are waiting for a decision.") }
        Terminal.printTable(
            ["NAME", "CRN", "FROM", "TO", "KIND", "DATE", "REASON", "STATUS", "ID"],
            transfers.map {
                [
                    $0.personName, $0.crn, $0.fromPremisesName, $0.toPremisesName ?? "-", $0.kind.rawValue, $0.transferDate, $0.reasonName,
                    $0.status.rawValue, $0.id,
                ]
            })
    }
}

struct TransfersMatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "match",
        abstract: "Premises that could take the resident for the rest of their stay, nearest their home first.")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The transfer's id.") var transfer: String

    func run() async throws {
        let (client, _) = try await service.session()
        let result = try await client.matchTransfer(path: .init(transferId: transfer)).ok.body.json
        print("Rest of the stay, \(result.stayFrom) to \(result.stayTo):")
        if result.candidates.isEmpty { print("  no premises can take them") }
        Terminal.printTable(
            ["", "PREMISES", "REGION", "DISTANCE", "BED"],
            result.candidates.enumerated().map { index, candidate in
                [
                    "\(index + 1).", "\(candidate.name) (\(candidate.code))", candidate.regionCode,
                    candidate.distanceMiles.map { String(format: "%.0f mi", $0) } ?? "?", candidate.bedLabel,
                ]
            })
        let misses = result.excluded.filter(\.nearMiss)
        if !misses.isEmpty {
            print("\nNear-misses:")
            for excluded in misses { print("  \(excluded.name) (\(excluded.code)): \(excluded.reasons.joined(separator: "; "))") }
        }
    }
}

struct TransfersBook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book", abstract: "Book a requested transfer into a premises (referral managers).",
        discussion: "Example:  ap transfers book TRANSFER-ID --to DEMO-OAK")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The transfer's id.") var transfer: String
    @Option(help: "The receiving premises (code or id).") var to: String
    @Option(help: "A bed's id (ap transfers match shows the best free bed; left out, that one is given).") var bed: String?

    func run() async throws {
        let (client, _) = try await service.session()
        let booked = try await client.bookTransfer(
            path: .init(transferId: transfer), body: .json(.init(premisesId: try await client.premisesID(to), bedId: bed))
        ).ok.body.json
        print("Booked: " + describe(booked))
    }
}

struct TransfersRefuse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refuse", abstract: "Refuse a requested transfer, saying why (referral managers).")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The transfer's id.") var transfer: String
    @Option(help: "Why, in words the AP manager will read.") var reason: String

    func run() async throws {
        let (client, _) = try await service.session()
        let refused = try await client.refuseTransfer(path: .init(transferId: transfer), body: .json(.init(reason: reason))).ok.body.json
        print("Refused: " + describe(refused))
    }
}

struct AppealsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "appeals",
        abstract: "Placement appeals: the referral unit's queue, accepting (the booking is cancelled) and rejecting.",
        discussion: "Example:  ap appeals list            ap appeals accept APPEAL-ID --notes \"Agreed\"",
        subcommands: [AppealsList.self, AppealsDecide.self])
}

struct AppealsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Appeals waiting for a decision (--all for every one).")

    @OptionGroup var service: ServiceOptions
    @Flag(help: "Every appeal, not only those waiting.") var all = false

    func run() async throws {
        let (client, _) = try await service.session()
        let appeals = try await client.listAppeals(query: .init(status: all ? nil : .pending)).ok.body.json
        if appeals.isEmpty { print(all ? "No appeals." : "No appeals are waiting for a decision.") }
        Terminal.printTable(
            ["NAME", "CRN", "PREMISES", "ARRIVAL", "REASON", "STATUS", "ID"],
            appeals.map { [$0.personName, $0.crn, $0.premisesName, $0.expectedArrival, $0.reasonName, $0.status.rawValue, $0.id] })
    }
}

struct AppealsDecide: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decide", abstract: "Accept or reject an appeal (referral managers).",
        discussion: "Example:  ap appeals decide APPEAL-ID accept --notes \"Agreed: we will match again\"")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The appeal's id.") var appeal: String
    @Argument(help: "accept (the booking is cancelled and the referral matched again) or reject (the booking stands).") var decision: String
    @Option(help: "Notes.") var notes: String?

    func validate() throws {
        guard ["accept", "reject"].contains(decision) else { throw ValidationError("the decision is accept or reject, not \(decision)") }
    }

    func run() async throws {
        let (client, _) = try await service.session()
        let decided = try await client.decideAppeal(
            path: .init(appealId: appeal), body: .json(.init(decision: decision == "accept" ? .accept : .reject, notes: notes))
        ).ok.body.json
        print("Appeal \(decided.status.rawValue): \(decided.personName) (\(decided.crn)) at \(decided.premisesName)")
    }
}
