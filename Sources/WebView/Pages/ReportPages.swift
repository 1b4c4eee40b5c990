import ApprovedPremises
import Foundation
import Hummingbird

/// `/reports/occupancy`, `/reports/move-on`, `/reports/operations` (`?scope=&from=&to=&period=`):
/// the reports of `ap report` and `GET /reports/…` on a page, from the same store calls: charts
/// drawn as SVG with their figures in a table beside them, a CSV download of the same figures
/// (`&format=csv`, the API's CSV), a layout that prints, and `/reports/definitions` one link
/// from every figure. The scopes offered are those the caller may see.
struct ReportPages: Sendable {
    let view: WebView
    static let reports = [("occupancy", "Occupancy"), ("move-on", "Move-on"), ("operations", "Operations")]

    func register<Context: RequestContext>(on router: Router<Context>) {
        for (report, _) in Self.reports {
            router.get("/reports/\(report)") { request, _ in try await render(report, request) }
        }
        router.get("/reports/definitions") { _, _ in
            let principal = try WebScope.caller()
            var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "reports")
            chrome.back = .init(href: "/reports/occupancy", text: "Back to the reports", current: false)
            return view.renderer.page("definitions", title: "What the figures mean", chrome: chrome, view: [String]())
        }
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
        let heading: String
        let scope: String
        let range: String
        let tabs: [Link]
        let report: String
        let scopes: [Choice]
        let from: DateFilter
        let to: DateFilter
        let periods: [Choice]
        let csv: String
        let sections: [ReportSection]
    }

    /// What a report page asks for.
    struct Asked: Sendable {
        let scope: ReportScope
        let scopeValue: String
        let from: CalendarDate
        let to: CalendarDate
        let period: ReportPeriod

        var query: String { "scope=\(scopeValue.urlQueryValue)&from=\(from)&to=\(to)&period=\(period.rawValue)" }
    }

    private func render(_ report: String, _ request: Request) async throws -> Response {
        let principal = try WebScope.caller()
        let scopes = try await choices(principal)
        let asked = try await ask(request, principal, scopes: scopes)
        let words = Wording(timeZone: Premises.defaultTimeZone)
        let sections = ReportSections(words: words, period: asked.period)
        let csv = request.query("format") == "csv"
        let name: String
        let built: [ReportSection]
        let text: String
        switch report {
        case "occupancy":
            let figures = try await view.stores.reports.occupancy(
                asked.scope, from: asked.from, to: asked.to, period: asked.period, by: principal)
            (name, built, text) = (figures.scope, sections.occupancy(figures), ReportCSV.occupancy(figures))
        case "move-on":
            let figures = try await view.stores.reports.moveOn(
                asked.scope, from: asked.from, to: asked.to, period: asked.period, by: principal)
            (name, built, text) = (figures.scope, sections.moveOn(figures), ReportCSV.moveOn(figures))
        default:
            let figures = try await view.stores.reports.operations(
                asked.scope, from: asked.from, to: asked.to, period: asked.period, by: principal)
            (name, built, text) = (figures.scope, sections.operations(figures), ReportCSV.operations(figures))
        }
        if csv {
            let file = "\(report)-\(asked.scopeValue)-\(asked.from)-to-\(asked.to)-by-\(asked.period.rawValue).csv"
                .replacingOccurrences(of: "[^A-Za-z0-9._-]", with: "-", options: .regularExpression)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(file)\"",
                    .cacheControl: "no-store",
                ],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        let title = Self.reports.first { $0.0 == report }?.1 ?? report
        let model = Model(
            heading: "\(title) report", scope: name,
            range: "\(words.date(asked.from)) to \(words.date(asked.to.adding(days: -1))), by \(asked.period.rawValue)",
            tabs: Self.reports.map { Link(href: "/reports/\($0.0)?\(asked.query)", text: $0.1, current: $0.0 == report) },
            report: "/reports/\(report)",
            scopes: scopes.map { Choice(value: $0.value, text: $0.text, selected: $0.value == asked.scopeValue) },
            from: DateFilter("from", "From", asked.from), to: DateFilter("to", "To (the day after the last)", asked.to),
            periods: ReportPeriod.allCases.map { Choice(value: $0.rawValue, text: $0.rawValue.capitalized, selected: $0 == asked.period) },
            csv: "/reports/\(report)?\(asked.query)&format=csv", sections: built)
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "reports")
        chrome.printable = true
        return view.renderer.page("report", title: "\(title) report, \(name)", chrome: chrome, view: model)
    }

    /// The scope, range and period asked for: by default the caller's widest scope, the twelve
    /// months to the first of next month, by month (as `ap report`).
    private func ask(_ request: Request, _ principal: Principal, scopes: [(value: String, text: String, scope: ReportScope)]) async throws
        -> Asked
    {
        let value = request.query("scope") ?? scopes.first?.value ?? "country"
        guard let chosen = scopes.first(where: { $0.value == value }) else {
            throw PageError.forbidden("You may not see reports for \(value); choose a scope from the list.")
        }
        let today = CalendarDate.today(in: Premises.defaultTimeZone)
        let (year, month, _) = today.parts
        let next = month == 12 ? CalendarDate(year: year + 1, month: 1, day: 1) : CalendarDate(year: year, month: month + 1, day: 1)
        let to = try DateInput.query(request, "to", name: "the day after the last") ?? next!
        let from = try DateInput.query(request, "from", name: "the first day") ?? CalendarDate(year: year - 1, month: month, day: 1)!
        let period =
            try request.query("period").map { text in
                guard let period = ReportPeriod(rawValue: text) else {
                    throw PageError.badRequest("A report is by day, week, month, quarter or year; not \(text).")
                }
                return period
            } ?? .month
        return Asked(scope: chosen.scope, scopeValue: chosen.value, from: from, to: to, period: period)
    }

    /// The scopes the caller may see, widest first: the country and every region for national
    /// roles, a regional manager's region, then each premises they may see.
    private func choices(_ principal: Principal) async throws -> [(value: String, text: String, scope: ReportScope)] {
        var scopes = [(value: String, text: String, scope: ReportScope)]()
        let regions = try await view.stores.reference.entries(of: "regions")
        switch principal.role {
        case .administrator, .referralManager:
            scopes.append(("country", "England and Wales", .country))
            scopes += regions.map { ("region-\($0.code)", "Region: \($0.name)", .region($0.code)) }
        case .regionalManager:
            if let code = principal.regionCode, let region = regions.first(where: { $0.code == code }) {
                scopes.append(("region-\(code)", "Region: \(region.name)", .region(code)))
            }
        default:
            break
        }
        var cursor: String? = nil
        repeat {
            let page = try await view.stores.premises.list(by: principal, page: try PageRequest(limit: 200, cursor: cursor))
            scopes += page.items.filter(\.active).map { ("premises-\($0.code)", "Premises: \($0.name)", .premises($0.id)) }
            cursor = page.nextCursor
        } while cursor != nil && scopes.count < 2000
        return scopes
    }
}
