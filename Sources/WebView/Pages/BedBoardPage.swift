import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/beds?from=&weeks=`: every bed, night by night, saying in words who has it,
/// that it is free, out of service and why, or not in use; per night the free beds, bookings
/// without a bed and overbooking. Prints on A4 landscape.
struct BedBoardPage: Sendable {
    let view: WebView
    static let weekChoices = [2, 4, 8, 12]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/beds") { request, context in try await render(request, context) }
    }

    struct Row: Sendable {
        let label: String
        /// The row's cells as markup (`CellWriter`): a 12-week board has thousands of cells, and
        /// written in Swift they cost a fraction of a template walked for each.
        let cells: String
    }

    struct Room: Sendable {
        let name: String
        let characteristics: String
        let rows: [Row]
    }

    struct Night: Sendable {
        let weekday: String
        let date: String
        let full: String
        let today: Bool
    }

    struct Summary: Sendable {
        let free: Int
        let unallocated: Int
        let overbooked: String?
    }

    struct Choice: Sendable {
        let weeks: Int
        let href: String
        let current: Bool
    }

    struct Model: Sendable {
        let premisesName: String
        let period: String
        let nights: [Night]
        let rooms: [Room]
        let summary: [Summary]
        let columns: Int
        let previous: String
        let next: String
        let choices: [Choice]
        let overbookedNights: Int
        let outOfService: String
    }

    func render<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        var scope = try await view.premisesScope(context, current: "beds")
        let from = try DateInput.query(request, "from", name: "the first night") ?? scope.today
        let weeks = request.query("weeks").flatMap { Int($0) } ?? 2
        guard Self.weekChoices.contains(weeks) else {
            throw PageError.badRequest("The bed board shows 2, 4, 8 or 12 weeks; not \(request.query("weeks") ?? "").")
        }
        let nights = Nights(first: from, end: from.adding(days: weeks * 7))
        let board = try await view.stores.bedBoards.board(premisesID: scope.premises.id, nights: nights, by: scope.principal)
        let words = scope.wording, base = scope.base
        func link(_ first: CalendarDate, _ weeks: Int) -> String { "\(base)/beds?from=\(first)&weeks=\(weeks)" }

        var rooms = [Room]()
        var writer = CellWriter(days: board.nights.map(words.shortDate), base: base)
        for row in board.beds {
            let built = Row(label: row.label, cells: writer.cells(row.nights))
            if let last = rooms.last, last.name == row.room {
                rooms[rooms.count - 1] = Room(name: last.name, characteristics: last.characteristics, rows: last.rows + [built])
            } else {
                rooms.append(Room(name: row.room, characteristics: row.characteristics.joined(separator: ", "), rows: [built]))
            }
        }
        let summary = board.summary.map { night in
            Summary(free: night.freeBeds, unallocated: night.unallocated,
                    overbooked: night.overbooked ? "Overbooked" + (night.overbookedNeeds.isEmpty ? "" : ": short of \(night.overbookedNeeds.joined(separator: ", "))") : nil)
        }
        scope.chrome.printable = true
        let model = Model(
            premisesName: scope.premises.name,
            period: "\(words.date(nights.first)) to \(words.date(nights.end.adding(days: -1)))",
            nights: board.nights.map { Night(weekday: words.weekdayShort($0), date: words.shortDate($0), full: words.date($0), today: $0 == scope.today) },
            rooms: rooms, summary: summary, columns: board.nights.count + 1,
            previous: link(from.adding(days: -weeks * 7), weeks), next: link(from.adding(days: weeks * 7), weeks),
            choices: Self.weekChoices.map { Choice(weeks: $0, href: link(from, $0), current: $0 == weeks) },
            overbookedNights: board.summary.filter(\.overbooked).count, outOfService: "\(base)/out-of-service")
        return view.renderer.page("beds", title: "Bed board, \(scope.premises.name)", chrome: scope.chrome, view: model)
    }
}

/// Writes a bed's nights as table cells: each says in text who has the bed (initials shown, the
/// full name on hover and to assistive technology), or that it is free, out of service and why,
/// or not in use. Everything from the database is escaped; a night's date and a person's
/// markup are worked out once a page, not once a cell.
struct CellWriter {
    private let days: [String]
    private let base: String
    private var people: [UUID: (short: String, name: String, href: String)] = [:]

    init(days: [String], base: String) {
        self.days = days.map(HTML.escape)
        self.base = base
    }

    mutating func cells(_ nights: [BedBoard.Cell]) -> String {
        var html = ""
        html.reserveCapacity(nights.count * 200)
        for (index, cell) in nights.enumerated() {
            let day = index < days.count ? days[index] : ""
            switch cell.state {
            case .allocated:
                if let id = cell.placementID {
                    let person = person(id, cell.personName ?? "someone")
                    html += "<td class=\"cell cell--taken\" title=\"\(person.name), \(day)\"><a href=\"\(person.href)\">"
                        + Self.content(person.short, "\(person.name), \(day)") + "</a></td>"
                } else {
                    html += Self.cell("cell--taken", HTML.escape(Wording.initials(cell.personName ?? "someone")), "\(HTML.escape(cell.personName ?? "someone")), \(day)")
                }
            case .free:
                html += Self.cell("cell--free", "Free", "free, \(day)")
            case .outOfService:
                html += Self.cell("cell--out", "Out", "out of service (\(HTML.escape(cell.reason ?? "no reason given"))), \(day)")
            case .notInUse:
                html += Self.cell("cell--unused", "–", "not in use, \(day)")
            }
        }
        return html
    }

    private mutating func person(_ id: UUID, _ name: String) -> (short: String, name: String, href: String) {
        if let known = people[id] { return known }
        let person = (HTML.escape(Wording.initials(name)), HTML.escape(name), HTML.escape("\(base)/placements/\(id.uuidString.lowercased())"))
        people[id] = person
        return person
    }

    /// Both arguments already escaped.
    private static func cell(_ css: String, _ short: String, _ label: String) -> String {
        "<td class=\"cell \(css)\" title=\"\(label)\">" + content(short, label) + "</td>"
    }

    private static func content(_ short: String, _ label: String) -> String {
        "<span aria-hidden=\"true\">\(short)</span><span class=\"visually-hidden\">\(label)</span>"
    }
}
