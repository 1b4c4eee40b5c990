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

    /// Up to four weeks of the board as one table: a longer board is two or three tables, so
    /// that every night is on paper with the bed column and the night headers beside it.
    struct Part: Sendable {
        let id: String
        let caption: String
        let nights: [Night]
        let rooms: [Room]
        let summary: [Summary]
        let columns: Int
    }

    /// Initials on the board and the name they stand for.
    struct Key: Sendable { let initials: String; let name: String }

    struct Model: Sendable {
        let premisesName: String
        let period: String
        let parts: [Part]
        let previous: String
        let next: String
        let choices: [Choice]
        /// "Overbooked on 3 nights", or nil when no night is.
        let overbooked: String?
        let outOfService: String
        let key: [Key]
    }

    /// The most nights one table of the board holds (one A4 landscape page wide).
    static let nightsPerPart = 28

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

        let characteristics = try await view.names.characteristics()
        var writer = CellWriter(days: board.nights.map(words.shortDate), base: base, reasons: try await view.names.names("out-of-service-reasons"))
        let summary = board.summary.map { night in
            Summary(free: night.freeBeds, unallocated: night.unallocated,
                    overbooked: night.overbooked ? "Overbooked" + (night.overbookedNeeds.isEmpty ? "" : ": short of \(ReferenceNames.list(night.overbookedNeeds, in: characteristics).lowercased())") : nil)
        }
        let nightsShown = board.nights.map { Night(weekday: words.weekdayShort($0), date: words.shortDate($0), full: words.date($0), today: $0 == scope.today) }
        var parts = [Part]()
        for first in stride(from: 0, to: board.nights.count, by: Self.nightsPerPart) {
            let range = first..<min(board.nights.count, first + Self.nightsPerPart)
            var rooms = [Room]()
            for row in board.beds {
                let built = Row(label: row.label, cells: writer.cells(Array(row.nights[range]), from: first))
                if let last = rooms.last, last.name == row.room {
                    rooms[rooms.count - 1] = Room(name: last.name, characteristics: last.characteristics, rows: last.rows + [built])
                } else {
                    rooms.append(Room(name: row.room, characteristics: row.characteristics.map { ReferenceNames.words($0, in: characteristics) }.joined(separator: ", "),
                                      rows: [built]))
                }
            }
            let span = "\(words.date(board.nights[range.first!])) to \(words.date(board.nights[range.last!]))"
            parts.append(Part(id: "board-\(parts.count + 1)", caption: "Beds by night, \(span)", nights: Array(nightsShown[range]), rooms: rooms,
                              summary: Array(summary[range]), columns: range.count + 1))
        }
        scope.chrome.printable = true
        let overbooked = board.summary.filter(\.overbooked).count
        let model = Model(
            premisesName: scope.premises.name,
            period: "\(words.date(nights.first)) to \(words.date(nights.end.adding(days: -1)))",
            parts: parts,
            previous: link(from.adding(days: -weeks * 7), weeks), next: link(from.adding(days: weeks * 7), weeks),
            choices: Self.weekChoices.map { Choice(weeks: $0, href: link(from, $0), current: $0 == weeks) },
            overbooked: overbooked == 0 ? nil : "Overbooked on \(overbooked) night\(overbooked == 1 ? "" : "s")", outOfService: "\(base)/out-of-service",
            key: writer.key.map { Key(initials: $0.initials, name: $0.name) })
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
    private let reasons: [String: String]

    init(days: [String], base: String, reasons: [String: String] = [:]) {
        self.days = days.map(HTML.escape)
        self.base = base
        self.reasons = reasons
    }

    /// People in the order they first appear, with their initials (the key printed under the board).
    private(set) var key: [(initials: String, name: String)] = []

    /// The cells of a bed's nights; `from`: the index of the first of them in the board's nights.
    mutating func cells(_ nights: [BedBoard.Cell], from offset: Int = 0) -> String {
        var html = ""
        html.reserveCapacity(nights.count * 200)
        for (index, cell) in nights.enumerated() {
            let day = offset + index < days.count ? days[offset + index] : ""
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
                html += Self.cell("cell--out", "Out", "out of service (\(HTML.escape(cell.reason.map { reasons[$0] ?? $0 } ?? "no reason given"))), \(day)")
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
        key.append((Wording.initials(name), name))
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
