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

    struct Cell: Sendable {
        let short: String
        let label: String
        let css: String
        let href: String?
    }

    struct Row: Sendable {
        let label: String
        let cells: [Cell]
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
        let from = try request.query("from").map { try CalendarDate.parse($0, field: "from") } ?? scope.today
        let weeks = request.query("weeks").flatMap { Int($0) } ?? 2
        guard Self.weekChoices.contains(weeks) else {
            throw PageError.badRequest("The bed board shows 2, 4, 8 or 12 weeks; not \(request.query("weeks") ?? "").")
        }
        let nights = Nights(first: from, end: from.adding(days: weeks * 7))
        let board = try await view.stores.bedBoards.board(premisesID: scope.premises.id, nights: nights, by: scope.principal)
        let words = scope.wording, base = scope.base
        func link(_ first: CalendarDate, _ weeks: Int) -> String { "\(base)/beds?from=\(first)&weeks=\(weeks)" }

        var rooms = [Room]()
        for row in board.beds {
            let cells = zip(board.nights, row.nights).map { night, cell -> Cell in
                let day = words.shortDate(night)
                switch cell.state {
                case .allocated:
                    let name = cell.personName ?? "someone"
                    return Cell(short: Wording.initials(name), label: "\(name), \(day)", css: "cell--taken",
                                href: cell.placementID.map { "\(base)/placements/\($0.uuidString.lowercased())" })
                case .free:
                    return Cell(short: "Free", label: "free, \(day)", css: "cell--free", href: nil)
                case .outOfService:
                    return Cell(short: "Out", label: "out of service (\(cell.reason ?? "no reason given")), \(day)", css: "cell--out", href: nil)
                case .notInUse:
                    return Cell(short: "–", label: "not in use, \(day)", css: "cell--unused", href: nil)
                }
            }
            let built = Row(label: row.label, cells: cells)
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
