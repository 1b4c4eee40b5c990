import ApprovedPremises
import Foundation
import Hummingbird

/// `/occupancy?region=&from=&weeks=`: premises down the side, nights across, each cell the free
/// beds in text (full or overbooked in words) linking to that premises' bed board from that
/// night; totals per night. A regional manager sees their region; referral managers and
/// administrators the country or any region.
struct OccupancyBoardPage: Sendable {
    let view: WebView
    static let weekChoices = [1, 2, 4, 8, 12]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/occupancy") { request, _ in try await render(request) }
    }

    struct Group: Sendable {
        let name: String
        let rows: [Row]
    }
    struct Row: Sendable {
        let name: String
        let href: String
        /// The row's cells as markup (`OccupancyCells`): a national board has thousands.
        let cells: String
    }
    struct Night: Sendable { let weekday: String; let date: String; let full: String; let today: Bool }
    struct Total: Sendable { let free: Int; let overbooked: String?; let full: Int }
    /// Up to four weeks as one table (one A4 landscape page wide; see `BedBoardPage.Part`).
    struct Part: Sendable {
        let id: String
        let caption: String
        let nights: [Night]
        let groups: [Group]
        let totals: [Total]
        let columns: Int
    }
    struct Choice: Sendable { let value: String; let text: String; let selected: Bool }
    struct Link: Sendable { let href: String; let text: String; let current: Bool }
    struct Model: Sendable {
        let scope: String
        let period: String
        let parts: [Part]
        let regions: [Choice]
        let from: DateFilter
        let weeks: [Choice]
        let previous: String
        let next: String
        let premisesCount: Int
    }

    private func render(_ request: Request) async throws -> Response {
        let principal = try WebScope.caller()
        let regions = try await view.stores.reference.entries(of: "regions")
        let names = Dictionary(regions.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        let national = principal.role == .administrator || principal.role == .referralManager
        let region = request.query("region")?.uppercased() ?? (national ? nil : principal.regionCode)
        if let region, names[region] == nil { throw PageError.badRequest("\(region) is not a probation region.") }
        let zone = Premises.defaultTimeZone, today = CalendarDate.today(in: zone), words = Wording(timeZone: zone)
        let from = try DateInput.query(request, "from", name: "the first night") ?? today
        let weeks = request.query("weeks").flatMap { Int($0) } ?? 4
        guard Self.weekChoices.contains(weeks) else {
            throw PageError.badRequest("The occupancy board shows 1, 2, 4, 8 or 12 weeks; not \(request.query("weeks") ?? "").")
        }
        let nights = Nights(first: from, end: from.adding(days: weeks * 7))
        let board = try await view.stores.reports.occupancyBoard(region.map { .region($0) } ?? .country, nights: nights, by: principal)

        let writer = OccupancyCells(nights: nights)
        let all = nights.all
        let shown = all.map { Night(weekday: words.weekdayShort($0), date: words.shortDate($0), full: words.date($0), today: $0 == today) }
        let totals = (0..<nights.count).map { night in
            let over = board.premises.filter { $0.nights[night].overbooked }.count
            return Total(free: board.totals[night].free, overbooked: over == 0 ? nil : "\(over)", full: board.premises.filter { $0.nights[night].full }.count)
        }
        var parts = [Part]()
        for first in stride(from: 0, to: all.count, by: BedBoardPage.nightsPerPart) {
            let range = first..<min(all.count, first + BedBoardPage.nightsPerPart)
            var groups = [Group]()
            for row in board.premises {
                let base = "/premises/\(row.code.urlPathSegment)"
                let built = Row(name: row.name, href: base, cells: writer.cells(Array(row.nights[range]), beds: base + "/beds", from: first))
                let group = names[row.regionCode] ?? row.regionCode
                if let last = groups.last, last.name == group {
                    groups[groups.count - 1] = Group(name: group, rows: last.rows + [built])
                } else {
                    groups.append(Group(name: group, rows: [built]))
                }
            }
            parts.append(Part(id: "occupancy-\(parts.count + 1)", caption: "Free beds by premises and night, \(words.date(all[range.first!])) to \(words.date(all[range.last!]))",
                              nights: Array(shown[range]), groups: groups, totals: Array(totals[range]), columns: range.count + 1))
        }
        func link(_ first: CalendarDate, _ weeks: Int) -> String {
            "/occupancy?" + (region.map { "region=\($0)&" } ?? "") + "from=\(first)&weeks=\(weeks)"
        }
        let model = Model(
            scope: board.scope, period: "\(words.date(nights.first)) to \(words.date(nights.end.adding(days: -1)))",
            parts: parts,
            regions: national ? [Choice(value: "", text: "England and Wales", selected: region == nil)]
                + regions.map { Choice(value: $0.code, text: $0.name, selected: $0.code == region) } : [],
            from: DateFilter("from", "From", from), weeks: Self.weekChoices.map { Choice(value: "\($0)", text: $0 == 1 ? "1 week" : "\($0) weeks", selected: $0 == weeks) },
            previous: link(from.adding(days: -weeks * 7), weeks), next: link(from.adding(days: weeks * 7), weeks),
            premisesCount: board.premises.count)
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "occupancy")
        chrome.printable = true
        return view.renderer.page("occupancy", title: "Occupancy, \(board.scope)", chrome: chrome, view: model)
    }
}

/// Writes a premises' nights as table cells: the free beds as a number, "Full" or "Over by N"
/// in words, each linking to the premises' bed board from that night. The row and column headers
/// name the premises and the night (the link's context), so a cell says only what is free. A
/// national board has thousands of cells: each night's link is written once and the cells are
/// appended into one string.
struct OccupancyCells {
    /// Per night: the end of the link, `?from=DATE">` (the bed board's two weeks from that night).
    private let links: [String]

    init(nights: Nights) {
        links = nights.all.map { "?from=\($0)\">" }
    }

    /// `from`: the index of the first of `nights` in the board's nights.
    func cells(_ nights: [OccupancyBoard.Cell], beds: String, from offset: Int = 0) -> String {
        let open = "<a href=\"" + HTML.escape(beds)
        var html = ""
        html.reserveCapacity(nights.count * (110 + open.utf8.count))
        for (position, cell) in nights.enumerated() where offset + position < links.count {
            let index = offset + position
            if cell.overbooked {
                html += "<td class=\"cell cell--over\">"; html += open; html += links[index]
                html += "Over by "; html += String(cell.booked - cell.usableBeds)
            } else if cell.usableBeds == 0 {
                html += "<td class=\"cell cell--unused\">"; html += open; html += links[index]; html += "No beds"
            } else if cell.full {
                html += "<td class=\"cell cell--full\">"; html += open; html += links[index]; html += "Full"
            } else {
                html += "<td class=\"cell cell--free\">"; html += open; html += links[index]; html += String(cell.free)
                html += cell.free == 1 ? "<span class=\"visually-hidden\"> bed free</span>" : "<span class=\"visually-hidden\"> beds free</span>"
            }
            html += "</a></td>"
        }
        return html
    }
}
