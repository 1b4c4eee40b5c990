import ApprovedPremises
import Foundation
import Hummingbird

/// `/premises/{code}/placements?tab=upcoming|current|departed&sort=&order=&keyWorker=&page=`:
/// the premises' placements in sortable, paged tables with their status in words.
struct PlacementListPage: Sendable {
    let view: WebView
    static let pageSize = 25
    static let tabs = [("upcoming", "Upcoming"), ("current", "Current"), ("departed", "Departed")]
    static let sorts = [("person", "Person"), ("arrival", "Arrival"), ("departure", "Departure"), ("bed", "Bed")]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/premises/:code/placements") { request, context in try await render(request, context) }
    }

    struct Link: Sendable {
        let href: String
        let text: String
        let current: Bool
    }
    struct Header: Sendable {
        let text: String
        let href: String
        let ariaSort: String
        let arrow: String
    }
    struct Line: Sendable {
        let href: String
        let person: String
        let crn: String
        let arrival: String
        let departure: String
        let bed: String
        let keyWorker: String
        let status: String
        let statusClass: String
    }
    struct Worker: Sendable {
        let id: String
        let name: String
        let selected: Bool
    }
    struct Model: Sendable {
        let tabs: [Link]
        let tabName: String
        let headers: [Header]
        let lines: [Line]
        let workers: [Worker]
        let tab: String
        let sort: String
        let order: String
        let pages: [Link]
        let shown: String
    }

    func render<Context: RequestContext>(_ request: Request, _ context: Context) async throws -> Response {
        let scope = try await view.premisesScope(context, current: "placements")
        let tab = request.query("tab") ?? "current"
        guard let tabName = Self.tabs.first(where: { $0.0 == tab })?.1 else {
            throw PageError.badRequest("The placements are shown as upcoming, current or departed; not \(tab).")
        }
        let sort = request.query("sort") ?? (tab == "departed" ? "departure" : "arrival")
        guard Self.sorts.contains(where: { $0.0 == sort }) else {
            throw PageError.badRequest("Placements sort by person, arrival, departure or bed; not \(sort).")
        }
        let order = request.query("order") == "descending" ? "descending" : "ascending"
        let keyWorker = request.query("keyWorker").flatMap(UUID.init(uuidString:))
        let page = max(1, request.query("page").flatMap { Int($0) } ?? 1)

        let stores = view.stores
        let today = scope.today
        let words = scope.wording
        let all = try await stores.placements.list(
            premisesID: scope.premises.id,
            nights: Nights(first: today.adding(days: -366), end: today.adding(days: 366)), by: scope.principal)
        let stays = try await stores.placements.bedStays(
            premisesID: scope.premises.id, current: today.adding(days: -366), by: scope.principal)
        // Staff names only for those who may list the premises' staff (its own staff); others see the key worker's name on the placement.
        let staff =
            scope.may(StaffStore.colleagues)
            ? try await stores.staff.listAtPremises(scope.premises.id, by: scope.principal, page: try PageRequest(limit: 200)).items : []
        let names = Dictionary(staff.map { ($0.id, $0.displayName) }, uniquingKeysWith: { a, _ in a })
        func bed(_ placement: Placement) -> String? {
            let night = max(today, placement.arrivalDate ?? placement.expectedArrival)
            return stays.first { $0.placementID == placement.id && ($0.nights?.contains(night) ?? false) }?.bedLabel
                ?? stays.first { $0.placementID == placement.id }?.bedLabel
        }
        var chosen = all.filter { placement in
            switch tab {
            case "upcoming": placement.status == .upcoming
            case "current": placement.status == .arrived
            default: [.departed, .nonArrived, .cancelled].contains(placement.status)
            }
        }
        if let keyWorker { chosen = chosen.filter { $0.keyWorkerID == keyWorker } }
        chosen.sort { a, b in
            let ascending: Bool =
                switch sort {
                case "person": (a.personName, a.id.uuidString) < (b.personName, b.id.uuidString)
                case "departure":
                    ((a.departureDate ?? a.expectedDeparture), a.personName) < ((b.departureDate ?? b.expectedDeparture), b.personName)
                case "bed": ((bed(a) ?? "~"), a.personName) < ((bed(b) ?? "~"), b.personName)
                default: ((a.arrivalDate ?? a.expectedArrival), a.personName) < ((b.arrivalDate ?? b.expectedArrival), b.personName)
                }
            return order == "ascending" ? ascending : !ascending
        }
        let pageCount = max(1, (chosen.count + Self.pageSize - 1) / Self.pageSize)
        let shownPage = min(page, pageCount)
        let slice = chosen.dropFirst((shownPage - 1) * Self.pageSize).prefix(Self.pageSize)

        var filter = keyWorker.map { "&keyWorker=\($0.uuidString.lowercased())" } ?? ""
        func link(tab: String, sort: String, order: String, page: Int = 1) -> String {
            "\(scope.base)/placements?tab=\(tab)&sort=\(sort)&order=\(order)\(filter)" + (page > 1 ? "&page=\(page)" : "")
        }
        let lines = slice.map { placement -> Line in
            let (status, css) = Self.status(placement, bed: bed(placement), today: today)
            return Line(
                href: "\(scope.base)/placements/\(placement.id.uuidString.lowercased())", person: placement.personName, crn: placement.crn,
                arrival: words.date(placement.arrivalDate ?? placement.expectedArrival),
                departure: words.date(placement.departureDate ?? placement.expectedDeparture),
                bed: bed(placement) ?? "None", keyWorker: placement.keyWorkerID.flatMap { names[$0] } ?? "None",
                status: status, statusClass: css)
        }
        let headers = Self.sorts.map { key, text in
            let current = key == sort
            return Header(
                text: text, href: link(tab: tab, sort: key, order: current && order == "ascending" ? "descending" : "ascending"),
                ariaSort: current ? order : "none", arrow: current ? (order == "ascending" ? "▲" : "▼") : "")
        }
        filter = keyWorker.map { "&keyWorker=\($0.uuidString.lowercased())" } ?? ""
        let model = Model(
            tabs: Self.tabs.map {
                Link(
                    href: link(tab: $0.0, sort: $0.0 == "departed" ? "departure" : "arrival", order: "ascending"), text: $0.1,
                    current: $0.0 == tab)
            },
            tabName: tabName, headers: headers, lines: Array(lines),
            workers: staff.filter { $0.role == .keyWorker || $0.role == .apManager }.map {
                Worker(id: $0.id.uuidString.lowercased(), name: $0.displayName, selected: $0.id == keyWorker)
            },
            tab: tab, sort: sort, order: order,
            pages: pageCount == 1
                ? []
                : (1...pageCount).map {
                    Link(href: link(tab: tab, sort: sort, order: order, page: $0), text: "\($0)", current: $0 == shownPage)
                },
            shown: chosen.isEmpty
                ? "No placements"
                : "Showing \((shownPage - 1) * Self.pageSize + 1) to \((shownPage - 1) * Self.pageSize + slice.count) of \(chosen.count)")
        return view.renderer.page("placements", title: "\(tabName) placements, \(scope.premises.name)", chrome: scope.chrome, view: model)
    }

    /// The placement's status in words, and the tag's colour.
    static func status(_ placement: Placement, bed: String?, today: CalendarDate) -> (String, String) {
        switch placement.status {
        case .upcoming:
            if bed == nil { return ("No bed yet", "tag--red") }
            if placement.expectedArrival == today { return ("Arriving today", "tag--blue") }
            if placement.expectedArrival < today { return ("Arrival overdue", "tag--red") }
            return ("Upcoming", "tag--grey")
        case .arrived:
            if placement.expectedDeparture < today { return ("Overdue departure", "tag--red") }
            if placement.expectedDeparture == today { return ("Departing today", "tag--blue") }
            return bed == nil ? ("No bed yet", "tag--red") : ("Resident", "tag--green")
        case .departed: return ("Departed", "tag--grey")
        case .nonArrived: return ("Did not arrive", "tag--grey")
        case .cancelled: return ("Cancelled", "tag--grey")
        }
    }
}
