import APClient
import ArgumentParser
import Foundation

struct PlacementsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placements",
        abstract: "Book placements, give them beds, and record arrivals, departures, non-arrivals and cancellations.",
        discussion: "Example:  ap placements list --from 2026-12-01 --to 2026-12-31",
        subcommands: [
            PlacementsList.self, PlacementsBook.self, PlacementsAllocate.self, PlacementsArrive.self,
            PlacementsDepart.self, PlacementsNonArrival.self, PlacementsCancel.self, PlacementsProfile.self, PlacementsTransfer.self,
            PlacementsAppeal.self,
        ])
}

/// A placement in one line: its actual dates where they are known (an arrival, a departure),
/// the expected ones otherwise.
func describe(_ placement: Components.Schemas.Placement) -> String {
    let from = placement.arrivalDate.map { "arrived \($0)" } ?? placement.expectedArrival
    let to = placement.departureDate.map { "left \($0)" } ?? placement.expectedDeparture
    return "\(placement.personName) (\(placement.crn)), \(from) to \(to): \(words(placement.status.rawValue)); id \(placement.id)"
}

struct PlacementsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List placements whose stay touches a date range.",
        discussion: "Example:  ap placements list --premises DEMO-ELM --from 2026-12-01 --to 2027-01-01")

    @OptionGroup var premises: AtPremises
    @Option(help: "The first night (YYYY-MM-DD).") var from: String
    @Option(help: "The day after the last night (YYYY-MM-DD).") var to: String
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let list = try await client.listPlacements(path: .init(premisesId: premisesID), query: .init(from: from, to: to)).ok.body.json
        if json {
            try Terminal.printJSON(list)
            return
        }
        Terminal.printTable(
            ["NAME", "CRN", "ARRIVAL", "DEPARTURE", "STATUS", "ID"],
            list.map {
                [
                    $0.personName, $0.crn, $0.arrivalDate ?? $0.expectedArrival, $0.departureDate ?? $0.expectedDeparture,
                    $0.status.rawValue, $0.id,
                ]
            })
    }
}

struct PlacementsBook: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "book",
        abstract: "Book a placement (referral managers, AP managers, administrators).",
        discussion: """
            Refused, naming the full nights, when the premises has no room; a referral manager may \
            book anyway with --overbooking-reason. The departure defaults to the AP type's length \
            of stay.

            Example:  ap placements book --premises DEMO-ELM --crn X123456 --name "Sam Jones" --arrival 2026-12-01 --needs isSingle
            """)

    @OptionGroup var premises: AtPremises
    @Option(help: "The person's CRN.") var crn: String
    @Option(help: "The person's name.") var name: String
    @Option(help: "Expected arrival (YYYY-MM-DD).") var arrival: String
    @Option(help: "Expected departure (YYYY-MM-DD).") var departure: String?
    @Option(parsing: .upToNextOption, help: "Room characteristics the stay needs.") var needs: [String] = []
    @Option(help: "Why you book beyond capacity (referral managers).") var overbookingReason: String?
    @Option(help: "A bed id to allocate at once.") var bed: String?

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let body = Components.Schemas.NewPlacement(
            crn: crn, personName: name, expectedArrival: arrival, expectedDeparture: departure,
            needs: needs, overbookingReason: overbookingReason, bedId: bed)
        let placement = try await client.bookPlacement(path: .init(premisesId: premisesID), body: .json(body)).created.body.json
        print("Booked " + describe(placement))
    }
}

struct PlacementsAllocate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allocate",
        abstract: "Give a placement a bed, or move a resident to another from a night (AP managers).",
        discussion: "Example:  ap placements allocate PLACEMENT-ID --bed BED-ID --from 2026-12-10")

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The placement's id.", transform: PlacementID.parse) var placement: String
    @Option(help: "The bed's id (see ap beds rooms).") var bed: String
    @Option(help: "The first night in this bed (YYYY-MM-DD); the whole stay when left out.") var from: String?

    func run() async throws {
        let (client, _) = try await service.session()
        let result = try await client.allocateBed(path: .init(placementId: placement), body: .json(.init(bedId: bed, from: from))).ok.body
            .json
        print("Bed allocated: " + describe(result))
    }
}

struct PlacementsArrive: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arrive", abstract: "Record an arrival (now, unless --at says when).",
        discussion: "Example:  ap placements arrive sam --key-worker kim            ap placements arrive PLACEMENT-ID")

    @OptionGroup var premises: AtPremises
    @OptionGroup var placementArgument: PlacementArgument
    @Option(help: "When, as ISO 8601 (2026-12-01T18:30:00Z); now when left out.") var at: String?
    @Option(help: "The resident's key worker, by username (a key worker or the AP manager of the premises).") var keyWorker: String?
    @Option(help: "Why they came more than 7 days before the expected arrival (AP managers only).") var earlyReason: String?

    func run() async throws {
        let (client, _) = try await premises.service.session()
        let placement = try await placementArgument.placementID(at: premises, arriving: true)
        let when = try at.map { text -> Date in
            guard let date = LocalTime.instant(text) else {
                throw ValidationError("--at must be a real date and time in ISO 8601, such as 2026-12-01T18:30:00Z")
            }
            return date
        }
        var keyWorkerID: String? = nil
        if let keyWorker {
            let premisesID = try await client.getPlacement(path: .init(placementId: placement)).ok.body.json.premisesId
            guard let found = try await client.premisesStaff(premisesID).first(where: { $0.username == keyWorker.lowercased() }) else {
                throw CLIError("no one at this premises has the username \(keyWorker)")
            }
            keyWorkerID = found.id
        }
        let result = try await client.recordArrival(
            path: .init(placementId: placement),
            body: .json(.init(arrivedAt: when, keyWorkerId: keyWorkerID, earlyArrivalReason: earlyReason))
        ).ok.body.json
        print("Arrived: " + describe(result))
    }
}

struct PlacementsDepart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depart",
        abstract: "Record a departure (now, unless --at says when).",
        discussion: """
            Reasons are departure_reasons.csv codes (O planned move-on; the breach/recall \
            sub-reasons A, D, F, E, PAT, C); a planned move-on needs --move-on (move_on_categories.csv).

            Example:  ap placements depart dan --reason O --move-on MC04
            """)

    @OptionGroup var premises: AtPremises
    @OptionGroup var placementArgument: PlacementArgument
    @Option(help: "The departure reason code.") var reason: String
    @Option(name: .customLong("move-on"), help: "The move-on category code.") var moveOn: String?
    @Option(help: "When, as ISO 8601; now when left out.") var at: String?
    @Option(help: "The AP transferred to, for a transfer.") var transferredTo: String?
    @Option(help: "Notes.") var notes: String?

    func run() async throws {
        let (client, _) = try await premises.service.session()
        let placement = try await placementArgument.placementID(at: premises)
        let when = try at.map { text -> Date in
            guard let date = LocalTime.instant(text) else {
                throw ValidationError("--at must be a real date and time in ISO 8601, such as 2026-12-01T09:30:00Z")
            }
            return date
        }
        let result = try await client.recordDeparture(
            path: .init(placementId: placement),
            body: .json(.init(departedAt: when, reason: reason, moveOnCategory: moveOn, notes: notes, transferredTo: transferredTo))
        ).ok.body.json
        print("Departed: " + describe(result))
    }
}

struct PlacementsNonArrival: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "non-arrival", abstract: "Record that the person did not arrive (non_arrival_reasons.csv).",
        discussion: "Example:  ap placements non-arrival PLACEMENT-ID --reason A")

    @OptionGroup var premises: AtPremises
    @OptionGroup var placementArgument: PlacementArgument
    @Option(help: "The non-arrival reason code.") var reason: String
    @Option(help: "Notes.") var notes: String?

    func run() async throws {
        let (client, _) = try await premises.service.session()
        let placement = try await placementArgument.placementID(at: premises, arriving: true)
        let result = try await client.recordNonArrival(
            path: .init(placementId: placement), body: .json(.init(reason: reason, notes: notes))
        ).ok.body.json
        print("Recorded: " + describe(result))
    }
}

struct PlacementsCancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "Cancel a placement before arrival (cancellation_reasons.csv).",
        discussion: "Example:  ap placements cancel PLACEMENT-ID --reason PP_REQUEST")

    @OptionGroup var premises: AtPremises
    @OptionGroup var placementArgument: PlacementArgument
    @Option(help: "The cancellation reason code.") var reason: String
    @Option(help: "Notes.") var notes: String?

    func run() async throws {
        let (client, _) = try await premises.service.session()
        let placement = try await placementArgument.placementID(at: premises, arriving: true)
        let result = try await client.cancelPlacement(path: .init(placementId: placement), body: .json(.init(reason: reason, notes: notes)))
            .ok.body.json
        print("Cancelled: " + describe(result))
    }
}

/// A placement's id as staff paste it: a UUID, refused before anything is sent otherwise.
enum PlacementID {
    static func parse(_ text: String) throws -> String {
        guard UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) != nil else {
            throw ValidationError(
                "a placement is named by its id, such as 0b6ecd1c-4a5e-4f0e-9d1e-2f8f7f3c1a2b (ap placements list shows them), not \(Excerpt.quoted(text))"
            )
        }
        return text.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
