import ApprovedPremises
import Foundation

/// A report as the page shows it: sections, each a chart with the same figures in a table
/// beside it, every column heading linking to its definition.
struct ReportSection: Sendable {
    struct Header: Sendable {
        let text: String
        let href: String?
    }
    struct Row: Sendable {
        let head: String
        let cells: [String]
    }

    let id: String
    let heading: String
    let chart: Chart?
    let caption: String
    let headers: [Header]
    let rows: [Row]
}

/// Builds each report's sections from the figures the API answers with (the same store call).
struct ReportSections {
    let words: Wording
    let period: ReportPeriod

    static let outcomes = ["settled", "unsettled", "homeless", "custody", "other", "unknown"]

    // MARK: Occupancy

    func occupancy(_ report: OccupancyReport) -> [ReportSection] {
        let labels = report.rows.map { label($0.from) }
        let forecastLabels = report.forecast.map { "w/c \(words.shortDate($0.from))" }
        let forecastRates = report.forecast.map { week in
            week.usableBedNights > 0 ? Double(week.bookedBedNights) / Double(week.usableBedNights) : nil
        }
        let rate = Chart.lines(
            id: "chart-occupancy-rate", title: "Occupancy rate, \(report.scope), with the 12-week forecast",
            description: "Occupancy rate by \(period.rawValue), \(range(report.from, report.to)): "
                + zip(labels, report.rows).map { "\($0) \(Figures.percent($1.occupancyRate))" }.joined(separator: ", ")
                + ". Forecast, booked share of usable bed-nights by week: "
                + zip(forecastLabels, forecastRates).map { "\($0) \(Figures.percent($1))" }.joined(separator: ", ") + ".",
            labels: labels + forecastLabels,
            series: [
                .init(
                    name: "Occupancy rate", values: report.rows.map(\.occupancyRate) + forecastRates.map { _ in nil },
                    colour: Chart.palette[0]),
                .init(name: "Forecast", values: report.rows.map { _ in nil } + forecastRates, colour: Chart.palette[1], dashed: true),
            ],
            maximum: max(1, (report.rows.compactMap(\.occupancyRate) + forecastRates.compactMap { $0 }).max() ?? 1),
            format: { Figures.percent($0, places: 0) })
        let nights = Chart.bars(
            id: "chart-bed-nights", title: "Usable and occupied bed-nights, \(report.scope)",
            description: "Usable and occupied bed-nights by \(period.rawValue), \(range(report.from, report.to)): "
                + zip(labels, report.rows).map { "\($0) \($1.usableBedNights) usable, \($1.occupiedBedNights) occupied" }.joined(
                    separator: "; ") + ".",
            labels: labels,
            series: [
                .init(name: "Usable", values: report.rows.map { Double($0.usableBedNights) }, colour: Chart.palette[0]),
                .init(name: "Occupied", values: report.rows.map { Double($0.occupiedBedNights) }, colour: Chart.palette[2]),
            ],
            stacked: false, format: { Figures.number($0) })
        let headers = [
            h("Period"), h("Beds", "bed-night"), h("Usable bed-nights", "usable"), h("Occupied bed-nights", "occupied"),
            h("Vacant bed-nights", "vacant"), h("Occupancy rate", "occupancy-rate"), h("Overbooked nights", "overbooked"),
            h("Full nights", "full"),
        ]
        func cells(_ row: OccupancyReport.Row) -> [String] {
            [
                "\(row.beds)", "\(row.usableBedNights)", "\(row.occupiedBedNights)", "\(row.vacantBedNights)",
                Figures.percent(row.occupancyRate),
                "\(row.overbookedNights)", "\(row.fullNights)",
            ]
        }
        return [
            ReportSection(
                id: "occupancy-rate", heading: "Occupancy rate", chart: rate, caption: "Occupancy by \(period.rawValue)",
                headers: headers,
                rows: zip(labels, report.rows).map { .init(head: $0, cells: cells($1)) }
                    + [.init(head: "Total", cells: cells(report.total))]),
            ReportSection(
                id: "bed-nights", heading: "Usable and occupied bed-nights", chart: nights, caption: "Bed-nights by \(period.rawValue)",
                headers: [h("Period"), h("Usable bed-nights", "usable"), h("Occupied bed-nights", "occupied")],
                rows: zip(labels, report.rows).map { .init(head: $0, cells: ["\($1.usableBedNights)", "\($1.occupiedBedNights)"]) }),
            ReportSection(
                id: "forecast", heading: "The next 12 weeks", chart: nil, caption: "Forecast by week",
                headers: [
                    h("Week"), h("Usable bed-nights", "forecast"), h("Booked bed-nights", "forecast"), h("Free bed-nights", "forecast"),
                    h("Full premises-nights", "full"), h("Expected departures", "forecast"),
                ],
                rows: zip(forecastLabels, report.forecast).map {
                    .init(
                        head: $0,
                        cells: [
                            "\($1.usableBedNights)", "\($1.bookedBedNights)", "\($1.freeBedNights)", "\($1.fullNights)", "\($1.departures)",
                        ])
                }),
        ]
    }

    // MARK: Move-on

    func moveOn(_ report: MoveOnReport) -> [ReportSection] {
        let labels = report.rows.map { label($0.from) }
        let outcomes = Chart.bars(
            id: "chart-move-on", title: "Move-on outcomes, \(report.scope)",
            description: "Departures by accommodation outcome and \(period.rawValue), \(range(report.from, report.to)): "
                + zip(labels, report.rows).map { label, row in
                    "\(label): " + Self.outcomes.map { "\(row.byOutcome[$0] ?? 0) \($0)" }.joined(separator: ", ")
                }.joined(separator: "; ") + ".",
            labels: labels,
            series: Self.outcomes.enumerated().map { index, outcome in
                .init(
                    name: outcome.capitalized, values: report.rows.map { Double($0.byOutcome[outcome] ?? 0) }, colour: Chart.palette[index])
            },
            stacked: true, format: { Figures.number($0) })
        let recalls = Chart.bars(
            id: "chart-recalls", title: "Recalls, and those within 28 days, \(report.scope)",
            description: "Recalls by \(period.rawValue), \(range(report.from, report.to)): "
                + zip(labels, report.rows).map {
                    "\($0) \($1.recalls) recalls, \($1.recallsWithin28Days) within 28 days (\(Figures.percent($1.recallsWithin28DaysShare)))"
                }
                .joined(separator: "; ") + ".",
            labels: labels,
            series: [
                .init(name: "Within 28 days", values: report.rows.map { Double($0.recallsWithin28Days) }, colour: Chart.palette[3]),
                .init(name: "Later", values: report.rows.map { Double($0.recalls - $0.recallsWithin28Days) }, colour: Chart.palette[4]),
            ],
            stacked: true, format: { Figures.number($0) })
        return [
            ReportSection(
                id: "move-on", heading: "Move-on outcomes", chart: outcomes, caption: "Departures by outcome and \(period.rawValue)",
                headers: [h("Period"), h("Departures", "move-on")] + Self.outcomes.map { h($0.capitalized, "move-on") }
                    + [h("Settled share", "move-on"), h("Average stay (days)", "length-of-stay"), h("Left early", "left-early")],
                rows: zip(labels, report.rows).map { label, row in
                    .init(
                        head: label,
                        cells: ["\(row.departures)"] + Self.outcomes.map { "\(row.byOutcome[$0] ?? 0)" }
                            + [Figures.percent(row.settledShare), Figures.decimal(row.averageStayDays), "\(row.leftEarly)"])
                }),
            ReportSection(
                id: "recalls", heading: "Recalls", chart: recalls, caption: "Recalls by \(period.rawValue)",
                headers: [
                    h("Period"), h("Recalls", "recall"), h("Within 28 days", "recall"), h("Share within 28 days", "recall"),
                    h("Non-arrivals", "non-arrival"), h("Transfers out", "transfers"), h("Transfers in", "transfers"),
                ],
                rows: zip(labels, report.rows).map {
                    .init(
                        head: $0,
                        cells: [
                            "\($1.recalls)", "\($1.recallsWithin28Days)", Figures.percent($1.recallsWithin28DaysShare), "\($1.nonArrivals)",
                            Self.transfers($1.transfersOut), Self.transfers($1.transfersIn),
                        ])
                }),
        ]
    }

    /// Transfers as a cell: the total, then planned and emergency.
    static func transfers(_ counts: [String: Int]) -> String {
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return "0" }
        return "\(total) (\(counts["planned"] ?? 0) planned, \(counts["emergency"] ?? 0) emergency)"
    }

    // MARK: Operations

    func operations(_ report: OperationsReport) -> [ReportSection] {
        let labels = report.rows.map { label($0.from) }
        let breaches = Chart.bars(
            id: "chart-breaches", title: "Curfew breaches per 100 resident-nights, \(report.scope)",
            description: "Curfew breaches per 100 resident-nights by \(period.rawValue), \(range(report.from, report.to)): "
                + zip(labels, report.rows).map {
                    "\($0) \(Figures.decimal($1.breachesPer100ResidentNights, places: 2)) (\($1.curfewBreaches) breaches in \($1.residentNights) resident-nights)"
                }
                .joined(separator: "; ") + ".",
            labels: labels,
            series: [
                .init(
                    name: "Breaches per 100 resident-nights", values: report.rows.map(\.breachesPer100ResidentNights),
                    colour: Chart.palette[3])
            ],
            stacked: false, format: { Figures.decimal($0, places: 1) })
        return [
            ReportSection(
                id: "breaches", heading: "Curfew breaches", chart: breaches, caption: "Breaches by \(period.rawValue)",
                headers: [
                    h("Period"), h("Resident-nights", "resident-nights"), h("Curfew breaches", "breaches"),
                    h("Per 100 resident-nights", "breaches"),
                ],
                rows: zip(labels, report.rows).map {
                    .init(
                        head: $0,
                        cells: [
                            "\($1.residentNights)", "\($1.curfewBreaches)", Figures.decimal($1.breachesPer100ResidentNights, places: 2),
                        ])
                }),
            ReportSection(
                id: "work", heading: "Tests, key work and referrals", chart: nil,
                caption: "Tests, key work and referrals by \(period.rawValue)",
                headers: [
                    h("Period"), h("Tests taken", "tests"), h("Tests missed", "tests"), h("Key-work sessions", "key-work"),
                    h("Sessions per resident-week", "key-work"), h("Held late", "key-work"), h("Referrals received", "referrals"),
                    h("Median days to decision", "referrals"), h("Median days to arrival", "referrals"),
                ],
                rows: zip(labels, report.rows).map { label, row in
                    .init(
                        head: label,
                        cells: [
                            "\(row.testsTaken)", "\(row.testsMissed)", "\(row.keyWorkSessions)",
                            Figures.decimal(row.sessionsPerResidentWeek, places: 2), "\(row.sessionsHeldLate)",
                            "\(row.referralsReceived)", Figures.decimal(row.medianDaysToDecision), Figures.decimal(row.medianDaysToArrival),
                        ])
                }),
        ]
    }

    // MARK: Words

    private func h(_ text: String, _ definition: String? = nil) -> ReportSection.Header {
        .init(text: text, href: definition.map { "/reports/definitions#\($0)" })
    }

    /// A period by its first day: `3 Dec 2026`, `w/c 30 Nov 2026`, `Dec 2026`, `Oct–Dec 2026`, `2026`.
    func label(_ first: CalendarDate) -> String {
        let (year, month, _) = first.parts
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        switch period {
        case .day: return "\(words.shortDate(first)) \(year)"
        case .week: return "w/c \(words.shortDate(first)) \(year)"
        case .month: return "\(months[month - 1]) \(year)"
        case .quarter:
            let start = (month - 1) / 3 * 3
            return "\(months[start])–\(months[start + 2]) \(year)"
        case .year: return "\(year)"
        }
    }

    private func range(_ from: CalendarDate, _ to: CalendarDate) -> String {
        "\(words.date(from)) to \(words.date(to.adding(days: -1)))"
    }
}

/// Figures as the tables and charts write them.
enum Figures {
    /// A share as a percentage with one decimal place (`91.2%`); `–` when there is no figure.
    static func percent(_ value: Double?, places: Int = 1) -> String {
        value.map { String(format: "%.\(places)f%%", $0 * 100) } ?? "–"
    }

    /// A figure with `places` decimal places; `–` when there is none.
    static func decimal(_ value: Double?, places: Int = 1) -> String {
        value.map { String(format: "%.\(places)f", $0) } ?? "–"
    }

    /// A whole number for an axis.
    static func number(_ value: Double) -> String {
        value >= 10_000 ? String(format: "%.0fk", value / 1000) : String(format: "%.0f", value)
    }
}
