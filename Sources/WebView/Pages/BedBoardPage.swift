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

    struct Choice: Sendable {
        let weeks: Int
        let href: String
        let current: Bool
    }

    /// Initials on the board and the name they stand for.
    struct Key: Sendable {
        let initials: String
        let name: String
    }

    struct Model: Sendable {
        let premisesName: String
        let period: String
        /// The board's tables, at most four weeks each (`tables`): a longer board is two or
        /// three tables, so that every night is on paper with the bed column and the night
        /// headers beside it. Written in Swift: a 12-week board has thousands of cells.
        let tables: String
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
        let words = scope.wording
        let base = scope.base
        func link(_ first: CalendarDate, _ weeks: Int) -> String { "\(base)/beds?from=\(first)&weeks=\(weeks)" }

        let characteristics = try await view.names.characteristics()
        var writer = CellWriter(
            days: board.nights.map(words.shortDate), base: base, reasons: try await view.names.names("out-of-service-reasons"))
        var tables = ""
        tables.reserveCapacity(board.beds.count * board.nights.count * 200 + 20_000)
        for first in stride(from: 0, to: board.nights.count, by: Self.nightsPerPart) {
            let range = first..<min(board.nights.count, first + Self.nightsPerPart)
            let id = "board-\(first / Self.nightsPerPart + 1)"
            let caption = "Beds by night, \(words.date(board.nights[range.first!])) to \(words.date(board.nights[range.last!]))"
            tables += "<div class=\"board-part board-scroll\" role=\"region\" aria-labelledby=\"\(id)-caption\" tabindex=\"0\">"
            tables +=
                "<table class=\"table board\"><caption class=\"table__caption\" id=\"\(id)-caption\">\(HTML.escape(caption))</caption>"
            tables += "<thead><tr><th scope=\"col\" class=\"board__bed\">Bed</th>"
            for night in board.nights[range] {
                tables +=
                    "<th scope=\"col\" class=\"board__night\(night == scope.today ? " board__night--today" : "")\" title=\"\(words.date(night))\">"
                    + "<span class=\"board__weekday\">\(words.weekdayShort(night))</span> \(words.shortDate(night))</th>"
            }
            tables += "</tr></thead>"
            var room: String?
            for row in board.beds {
                if row.room != room {
                    if room != nil { tables += "</tbody>" }
                    room = row.room
                    let features = row.characteristics.map { ReferenceNames.words($0, in: characteristics) }.joined(separator: ", ")
                    tables +=
                        "<tbody><tr class=\"board__room\"><th scope=\"colgroup\" colspan=\"\(range.count + 1)\">\(HTML.escape(row.room))"
                        + (features.isEmpty ? "" : ": " + HTML.escape(features)) + "</th></tr>"
                }
                tables += "<tr><th scope=\"row\" class=\"board__bed\">\(HTML.escape(row.label))</th>"
                tables += writer.cells(Array(row.nights[range]), from: first)
                tables += "</tr>"
            }
            if room != nil { tables += "</tbody>" }
            let nights = board.summary[range]
            tables += "<tfoot><tr><th scope=\"row\">Free beds</th>" + nights.map { "<td>\($0.freeBeds)</td>" }.joined() + "</tr>"
            tables += "<tr><th scope=\"row\">Booked, no bed</th>" + nights.map { "<td>\($0.unallocated)</td>" }.joined() + "</tr>"
            tables +=
                "<tr><th scope=\"row\">Overbooked</th>"
                + nights.map { night in
                    guard night.overbooked else { return "<td><span class=\"hint\">No</span></td>" }
                    let short =
                        night.overbookedNeeds.isEmpty
                        ? "" : ": short of \(ReferenceNames.list(night.overbookedNeeds, in: characteristics).lowercased())"
                    return "<td><strong class=\"tag tag--red\">Overbooked\(HTML.escape(short))</strong></td>"
                }.joined() + "</tr></tfoot></table></div>"
        }
        scope.chrome.printable = true
        let overbooked = board.summary.filter(\.overbooked).count
        let model = Model(
            premisesName: scope.premises.name,
            period: "\(words.date(nights.first)) to \(words.date(nights.end.adding(days: -1)))",
            tables: tables,
            previous: link(from.adding(days: -weeks * 7), weeks), next: link(from.adding(days: weeks * 7), weeks),
            choices: Self.weekChoices.map { Choice(weeks: $0, href: link(from, $0), current: $0 == weeks) },
            overbooked: overbooked == 0 ? nil : "Overbooked on \(overbooked) night\(overbooked == 1 ? "" : "s")",
            outOfService: "\(base)/out-of-service",
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
                    html +=
                        "<td class=\"cell cell--taken\" title=\"\(person.name), \(day)\"><a href=\"\(person.href)\">"
                        + Self.content(person.short, "\(person.name), \(day)") + "</a></td>"
                } else {
                    html += Self.cell(
                        "cell--taken", HTML.escape(Wording.initials(cell.personName ?? "someone")),
                        "\(HTML.escape(cell.personName ?? "someone")), \(day)")
                }
            case .free:
                html += Self.cell("cell--free", "Free", "free, \(day)")
            case .outOfService:
                html += Self.cell(
                    "cell--out", "Out",
                    "out of service (\(HTML.escape(cell.reason.map { reasons[$0] ?? $0 } ?? "no reason given"))), \(day)")
            case .notInUse:
                html += Self.cell("cell--unused", "–", "not in use, \(day)")
            }
        }
        return html
    }

    private mutating func person(_ id: UUID, _ name: String) -> (short: String, name: String, href: String) {
        if let known = people[id] { return known }
        let person = (
            HTML.escape(Wording.initials(name)), HTML.escape(name), HTML.escape("\(base)/placements/\(id.uuidString.lowercased())")
        )
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
