import APClient
import ArgumentParser
import Foundation

struct BedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beds",
        abstract: "The bed board, rooms and beds, and beds out of service.",
        discussion: "Example:  ap beds board --nights 14",
        subcommands: [BedsBoard.self, BedsRooms.self, BedsImport.self, BedsOutOfService.self, BedsSuggest.self])
}

struct BedsBoard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "board",
        abstract: "Show each bed's state on each night, and today's arrivals, departures and residents.",
        discussion: """
            One row per bed, one column per night (the day of the month on top). In a cell: the \
            initials of the person allocated, · for free, X out of service, - not in use. Below, \
            each night's free beds and bookings still without a bed; ! marks an overbooked night.

            Example:  ap beds board --premises DEMO-ELM --from 2026-12-01 --nights 21
            """)

    @OptionGroup var premises: AtPremises
    @Option(help: "The first night (YYYY-MM-DD); today when left out.") var from: String?
    @Option(help: "How many nights (1-92).") var nights: Int = 14
    @Flag(help: "Print JSON instead of the board.") var json = false

    func validate() throws {
        guard (1...92).contains(nights) else { throw ValidationError("--nights must be between 1 and 92") }
    }

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let board = try await client.getBedBoard(path: .init(premisesId: premisesID), query: .init(from: from, nights: nights)).ok.body.json
        if json {
            try Terminal.printJSON(board)
        } else {
            print(BoardRenderer.render(board), terminator: "")
        }
    }
}

/// The bed board as text for a terminal.
enum BoardRenderer {
    static func render(_ board: Components.Schemas.BedBoard) -> String {
        let labelWidth = max(6, (board.beds.map { "\($0.room)/\($0.label)".count }.max() ?? 0) + 1)
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
        func cell(_ text: String) -> String { String(repeating: " ", count: max(0, 3 - text.count)) + text }
        var out = ""
        out += pad("", labelWidth) + board.nights.map { cell(String($0.suffix(2))) }.joined() + "\n"
        for row in board.beds {
            out += pad("\(row.room)/\(row.label)", labelWidth)
            out +=
                row.nights.map { night -> String in
                    switch night.state {
                    case .free: cell("·")
                    case .outOfService: cell("X")
                    case .notInUse: cell("-")
                    case .allocated: cell(initials(night.personName ?? "?"))
                    }
                }.joined() + "\n"
        }
        out += pad("free", labelWidth) + board.summary.map { cell(String($0.freeBeds)) }.joined() + "\n"
        out += pad("no bed", labelWidth) + board.summary.map { cell($0.unallocated == 0 ? "" : String($0.unallocated)) }.joined() + "\n"
        if board.summary.contains(where: \.overbooked) {
            out += pad("over", labelWidth) + board.summary.map { cell($0.overbooked ? "!" : "") }.joined() + "\n"
        }
        out += "\n· free   X out of service   - not in use   AB initials of the person allocated   ! overbooked\n"
        for need in Set(board.summary.flatMap(\.overbookedNeeds)).sorted() {
            out +=
                "! more stays need \(need) than beds have it on "
                + board.summary.filter { $0.overbookedNeeds.contains(need) }.map(\.night).joined(separator: ", ") + "\n"
        }
        out += "\n"
        func people(_ title: String, _ list: [Components.Schemas.BedBoardPerson]) {
            out += "\(title) (\(list.count))" + (list.isEmpty ? ": none\n" : ":\n")
            for person in list {
                out += "  \(pad(person.personName, 24)) \(person.crn)  \(person.bedLabel.map { "bed \($0)" } ?? "no bed yet")\n"
            }
        }
        people("Arriving today, \(board.today)", board.arrivingToday)
        people("Departing today", board.departingToday)
        people("Resident now", board.residents)
        return out
    }

    static func initials(_ name: String) -> String {
        String(name.split(separator: " ").prefix(2).compactMap(\.first)).uppercased()
    }
}

struct BedsRooms: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rooms", abstract: "List the rooms and beds of a premises.", discussion: "Example:  ap beds rooms --premises DEMO-ELM")

    @OptionGroup var premises: AtPremises
    @Flag(help: "Print JSON instead of a table.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let rooms = try await client.listRooms(path: .init(premisesId: premisesID)).ok.body.json
        if json {
            try Terminal.printJSON(rooms)
            return
        }
        Terminal.printTable(
            ["ROOM", "FLOOR", "BED", "IN USE FROM", "BED ID", "CHARACTERISTICS"],
            rooms.flatMap { room in
                room.beds.map { [room.name, room.floor ?? "", $0.label, $0.inUseFrom, $0.id, room.characteristics.joined(separator: " ")] }
            })
    }
}

struct BedsImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load rooms and beds from a CSV file (administrators, AP managers).",
        discussion: """
            The file's first line is room,floor,characteristics,bed,in_use_from and each further \
            line is one bed; characteristics are room characteristic codes separated by spaces. \
            Every line loads, or none does.

            Example:  ap beds import rooms.csv --premises DEMO-ELM
            """)

    @OptionGroup var premises: AtPremises
    @Argument(help: "The CSV file.") var file: String

    func run() async throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let rooms = try await client.importRooms(path: .init(premisesId: premisesID), body: .csv(.init(text))).created.body.json
        print("Loaded. The premises now has \(rooms.count) rooms and \(rooms.map(\.beds.count).reduce(0, +)) beds.")
    }
}

struct BedsOutOfService: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "out-of-service",
        abstract: "Take a bed out of service for some nights (administrators, AP managers).",
        discussion: """
            Refused, naming who is there, when someone is allocated to the bed on those nights. \
            Reasons are codes from out_of_service_reasons.csv (the API lists them at \
            GET /reference/out-of-service-reasons).

            Example:  ap beds out-of-service BED-ID --start 2026-12-01 --end 2026-12-05 --reason DAMAGE --reference WO-123
            """)

    @OptionGroup var service: ServiceOptions
    @Argument(help: "The bed's id (see ap beds rooms).") var bed: String
    @Option(help: "The first night out of service (YYYY-MM-DD).") var start: String
    @Option(help: "The first night back in service (YYYY-MM-DD).") var end: String
    @Option(help: "The reason code.") var reason: String
    @Option(help: "A work order number or CRN.") var reference: String?
    @Option(help: "Notes.") var notes: String?

    func run() async throws {
        let (client, _) = try await service.session()
        let period = try await client.createOutOfService(
            path: .init(bedId: bed), body: .json(.init(start: start, end: end, reason: reason, reference: reference, notes: notes))
        ).created.body.json
        print("Bed out of service from \(period.start) until \(period.end) (\(period.reason)); id \(period.id).")
    }
}

struct BedsSuggest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest",
        abstract: "Propose a bed for every upcoming placement still without one (AP managers).",
        discussion: """
            Each placement gets a bed with every room characteristic it needs, free for its whole \
            stay with no moves; a placement that cannot be fitted is listed with the reason. With \
            --apply the beds are allocated, all in one go.

            Example:  ap beds suggest --apply
            """)

    @OptionGroup var premises: AtPremises
    @Flag(help: "Allocate the proposed beds.") var apply = false
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, here) = try await premises.open()
        let premisesID = here.id
        let plan =
            apply
            ? try await client.applyAllocationPlan(path: .init(premisesId: premisesID)).ok.body.json
            : try await client.suggestAllocations(path: .init(premisesId: premisesID)).ok.body.json
        if json {
            try Terminal.printJSON(plan)
            return
        }
        if plan.assignments.isEmpty && plan.unfitted.isEmpty {
            print("Every upcoming placement already has a bed.")
            return
        }
        if !plan.assignments.isEmpty {
            print(apply ? "Allocated:" : "Proposed (run again with --apply to allocate):")
            Terminal.printTable(
                ["NAME", "CRN", "BED", "NIGHTS"],
                plan.assignments.map {
                    [$0.personName, $0.crn, $0.bedLabel, "\($0.from) to \($0.to)"]
                })
        }
        for unfitted in plan.unfitted {
            print("Cannot fit \(unfitted.personName) (\(unfitted.crn)): \(unfitted.reason)")
        }
    }
}
