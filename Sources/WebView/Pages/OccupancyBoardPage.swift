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

    struct Choice: Sendable {
        let value: String
        let text: String
        let selected: Bool
    }
    struct Link: Sendable {
        let href: String
        let text: String
        let current: Bool
    }
    struct Model: Sendable {
        let scope: String
        let period: String
        /// The board's tables, at most four weeks each, written in Swift (`tables`; see `BedBoardPage.Model.tables`).
        let tables: String
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
        let zone = Premises.defaultTimeZone
        let today = CalendarDate.today(in: zone)
        let words = Wording(timeZone: zone)
        let from = try DateInput.query(request, "from", name: "the first night") ?? today
        let weeks = request.query("weeks").flatMap { Int($0) } ?? 4
        guard Self.weekChoices.contains(weeks) else {
            throw PageError.badRequest("The occupancy board shows 1, 2, 4, 8 or 12 weeks; not \(request.query("weeks") ?? "").")
        }
        let nights = Nights(first: from, end: from.adding(days: weeks * 7))
        let board = try await view.stores.reports.occupancyBoard(region.map { .region($0) } ?? .country, nights: nights, by: principal)

        let tables = Self.tables(board, nights: nights, today: today, words: words, regions: names)
        func link(_ first: CalendarDate, _ weeks: Int) -> String {
            "/occupancy?" + (region.map { "region=\($0)&" } ?? "") + "from=\(first)&weeks=\(weeks)"
        }
        let model = Model(
            scope: board.scope, period: "\(words.date(nights.first)) to \(words.date(nights.end.adding(days: -1)))",
            tables: tables,
            regions: national
                ? [Choice(value: "", text: "England and Wales", selected: region == nil)]
                    + regions.map { Choice(value: $0.code, text: $0.name, selected: $0.code == region) } : [],
            from: DateFilter("from", "From", from),
            weeks: Self.weekChoices.map { Choice(value: "\($0)", text: $0 == 1 ? "1 week" : "\($0) weeks", selected: $0 == weeks) },
            previous: link(from.adding(days: -weeks * 7), weeks), next: link(from.adding(days: weeks * 7), weeks),
            premisesCount: board.premises.count)
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "occupancy")
        chrome.printable = true
        return view.renderer.page("occupancy", title: "Occupancy, \(board.scope)", chrome: chrome, view: model)
    }
}

extension OccupancyBoardPage {
    /// The board as tables of at most four weeks: premises grouped by region down the side, the
    /// nights across, free, full and overbooked totals per night (none flagged when there are none).
    static func tables(_ board: OccupancyBoard, nights: Nights, today: CalendarDate, words: Wording, regions: [String: String]) -> String {
        let writer = OccupancyCells(nights: nights)
        let all = nights.all
        var html = ""
        html.reserveCapacity(board.premises.count * all.count * 120 + 20_000)
        for first in stride(from: 0, to: all.count, by: BedBoardPage.nightsPerPart) {
            let range = first..<min(all.count, first + BedBoardPage.nightsPerPart)
            let id = "occupancy-\(first / BedBoardPage.nightsPerPart + 1)"
            html +=
                "<div class=\"board-part board-scroll\" role=\"region\" aria-labelledby=\"\(id)-caption\" tabindex=\"0\"><table class=\"table board\">"
            html +=
                "<caption class=\"table__caption\" id=\"\(id)-caption\">Free beds by premises and night, \(words.date(all[range.first!])) to \(words.date(all[range.last!]))</caption>"
            html += "<thead><tr><th scope=\"col\" class=\"board__bed\">Premises</th>"
            for night in all[range] {
                html +=
                    "<th scope=\"col\" class=\"board__night\(night == today ? " board__night--today" : "")\" title=\"\(words.date(night))\">"
                    + "<span class=\"board__weekday\">\(words.weekdayShort(night))</span> \(words.shortDate(night))</th>"
            }
            html += "</tr></thead>"
            var region: String?
            for row in board.premises {
                if row.regionCode != region {
                    if region != nil { html += "</tbody>" }
                    region = row.regionCode
                    html +=
                        "<tbody><tr class=\"board__room\"><th scope=\"colgroup\" colspan=\"\(range.count + 1)\">\(HTML.escape(regions[row.regionCode] ?? row.regionCode))</th></tr>"
                }
                let base = "/premises/\(row.code.urlPathSegment)"
                html += "<tr><th scope=\"row\" class=\"board__bed\"><a href=\"\(HTML.escape(base))\">\(HTML.escape(row.name))</a></th>"
                html += writer.cells(Array(row.nights[range]), beds: base + "/beds", from: first)
                html += "</tr>"
            }
            if region != nil { html += "</tbody>" }
            html += "<tfoot><tr><th scope=\"row\">Free beds</th>" + range.map { "<td>\(board.totals[$0].free)</td>" }.joined() + "</tr>"
            html +=
                "<tr><th scope=\"row\">Premises full</th>"
                + range.map { night in "<td>\(board.premises.filter { $0.nights[night].full }.count)</td>" }.joined() + "</tr>"
            html +=
                "<tr><th scope=\"row\">Premises overbooked</th>"
                + range.map { night in
                    let over = board.premises.filter { $0.nights[night].overbooked }.count
                    return over == 0 ? "<td>None</td>" : "<td><strong class=\"tag tag--red\">\(over)</strong></td>"
                }.joined() + "</tr></tfoot></table></div>"
        }
        return html
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
                html += "<td class=\"cell cell--over\">"
                html += open
                html += links[index]
                html += "Over by "
                html += String(cell.booked - cell.usableBeds)
            } else if cell.usableBeds == 0 {
                html += "<td class=\"cell cell--unused\">"
                html += open
                html += links[index]
                html += "No beds"
            } else if cell.full {
                html += "<td class=\"cell cell--full\">"
                html += open
                html += links[index]
                html += "Full"
            } else {
                html += "<td class=\"cell cell--free\">"
                html += open
                html += links[index]
                html += String(cell.free)
                html +=
                    cell.free == 1
                    ? "<span class=\"visually-hidden\"> bed free</span>" : "<span class=\"visually-hidden\"> beds free</span>"
            }
            html += "</a></td>"
        }
        return html
    }
}
