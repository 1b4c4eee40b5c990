import APClient
import ArgumentParser
import Foundation
import OpenAPIRuntime

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reports: occupancy and move-on outcomes for a premises, a region or the country, as a table, --csv or --json.",
        discussion: "Example:  ap report occupancy --region NW --from 2026-01-01 --to 2027-01-01 --by month --csv > nw.csv",
        subcommands: [OccupancyCommand.self, MoveOnReportCommand.self, OperationsReportCommand.self])
}

/// The scope, range, grouping and output of a report.
struct ReportOptions: ParsableArguments {
    @OptionGroup var service: ServiceOptions
    @Option(help: "One premises (code or id).") var premises: String?
    @Option(help: "A probation region's code (NW, YH...).") var region: String?
    @Flag(help: "The whole country.") var national = false
    @Option(help: "The first day (YYYY-MM-DD); the first of the month a year ago when left out.") var from: String?
    @Option(help: "The day after the last (YYYY-MM-DD); the first of next month when left out.") var to: String?
    @Option(help: "The period each row covers.") var by: Components.Parameters.ReportPeriod = .month
    @Flag(help: "Print CSV (a header row, ISO dates, one unit per column).") var csv = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        guard [premises != nil, region != nil, national].filter({ $0 }).count <= 1 else {
            throw ValidationError("give one of --premises, --region or --national")
        }
        guard !(csv && json) else { throw ValidationError("give --csv or --json, not both") }
    }

    /// The scope as the API takes it (your own premises or region when none is given), and the
    /// time zone its dates are in.
    func scope(_ client: Client) async throws -> (premisesId: String?, region: String?, local: LocalTime) {
        if let premises {
            let found = try await client.premises(codeOrID: premises)
            return (found.id, nil, try PremisesContext(id: found.id, timeZone: found.timeZone).local)
        }
        let me = try await client.getMe().ok.body.json
        let local = LocalTime(timeZone: TimeZone(identifier: me.timeZone) ?? .current)
        if let region { return (nil, region.uppercased(), local) }
        if national { return (nil, nil, local) }
        return (me.staff.premisesId, me.staff.regionCode, local)
    }

    /// The range: given, or the last twelve whole months and this one.
    func range(_ local: LocalTime) throws -> (from: String, to: String) {
        (
            try from.map { try local.date($0, option: "--from") } ?? local.firstOfMonth(monthsFromNow: -12),
            try to.map { try local.date($0, option: "--to") } ?? local.firstOfMonth(monthsFromNow: 1)
        )
    }

    /// A share as a percentage.
    func percent(_ share: Double?) -> String { share.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }

    /// What every report's query takes: the scope, the range, the grouping and the format.
    struct Request {
        var premisesId: String?
        var region: String?
        var from: String
        var to: String
        var period: Components.Parameters.ReportPeriod
        var format: Components.Parameters.ReportFormat?
    }

    /// The query every report takes.
    func request(_ client: Client) async throws -> Request {
        let scope = try await scope(client)
        let (from, to) = try range(scope.local)
        return Request(premisesId: scope.premisesId, region: scope.region, from: from, to: to, period: by, format: csv ? .csv : nil)
    }

    /// Fetches a report and prints it: CSV as it came with --csv, JSON with --json, else the
    /// table `printTable` makes of it.
    func show<Report: Encodable>(
        _ fetch: (Client, Request) async throws -> (report: Report?, csv: HTTPBody?),
        printTable: (Report) -> Void
    ) async throws {
        let (client, _) = try await service.session()
        let answer = try await fetch(client, try await request(client))
        if let csv = answer.csv {
            try await Self.printCSV(csv)
            return
        }
        guard let report = answer.report else { throw CLIError("the service sent neither JSON nor CSV") }
        if json {
            try Terminal.printJSON(report)
            return
        }
        printTable(report)
    }

    /// Prints a CSV answer as it came.
    static func printCSV(_ body: HTTPBody) async throws {
        print(try await String(collecting: body, upTo: 64 << 20), terminator: "")
    }
}

struct OccupancyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "occupancy",
        abstract: "Beds, out-of-service, usable, occupied and vacant bed-nights, occupancy and overbooked nights; and the next 12 weeks.",
        discussion: "Example:  ap report occupancy --premises DEMO-ELM --from 2026-10-01 --to 2027-01-01 --by week")

    @OptionGroup var options: ReportOptions

    func run() async throws {
        try await options.show(
            { client, request in
                switch try await client.getOccupancyReport(
                    query: .init(
                        premisesId: request.premisesId, region: request.region, from: request.from, to: request.to,
                        period: request.period, format: request.format)
                ).ok.body {
                case .json(let report): (report, nil)
                case .csv(let csv): (nil, csv)
                }
            },
            printTable: { report in
                print("Occupancy, \(report.scope), \(report.from) to \(report.to) (by \(report.period.rawValue))")
                func line(_ row: Components.Schemas.OccupancyRow, _ label: String) -> [String] {
                    [
                        label, "\(row.beds)", "\(row.bedNights)", "\(row.outOfServiceBedNights)", "\(row.usableBedNights)",
                        "\(row.occupiedBedNights)",
                        "\(row.vacantBedNights)", options.percent(row.occupancyRate), "\(row.overbookedNights)",
                    ]
                }
                Terminal.printTable(
                    ["FROM", "BEDS", "BED-NIGHTS", "OUT OF SERVICE", "USABLE", "OCCUPIED", "VACANT", "OCCUPANCY", "OVERBOOKED"],
                    report.rows.map { line($0, $0.from) } + [line(report.total, "total")])
                print("\nThe next 12 weeks, from bookings and expected departures:")
                Terminal.printTable(
                    ["WEEK FROM", "USABLE", "BOOKED", "FREE", "FULL NIGHTS", "BEDS FALLING FREE"],
                    report.forecast.map {
                        [
                            $0.from, "\($0.usableBedNights)", "\($0.bookedBedNights)", "\($0.freeBedNights)", "\($0.fullNights)",
                            "\($0.departures)",
                        ]
                    })
            })
    }
}

struct MoveOnReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move-on",
        abstract:
            "Departures by reason and move-on category, settled/unsettled/homeless/custody, stays, early leavers, recalls, non-arrivals.",
        discussion: "Example:  ap report move-on --national --from 2026-01-01 --to 2027-01-01 --by quarter")

    @OptionGroup var options: ReportOptions

    func run() async throws {
        try await options.show(
            { client, request in
                switch try await client.getMoveOnReport(
                    query: .init(
                        premisesId: request.premisesId, region: request.region, from: request.from, to: request.to,
                        period: request.period, format: request.format)
                ).ok.body {
                case .json(let report): (report, nil)
                case .csv(let csv): (nil, csv)
                }
            },
            printTable: { report in
                print("Move-on outcomes, \(report.scope), departures \(report.from) to \(report.to) (by \(report.period.rawValue))")
                Terminal.printTable(
                    [
                        "FROM", "LEFT", "SETTLED", "UNSETTLED", "HOMELESS", "CUSTODY", "AVG STAY", "MEDIAN", "EARLY", "RECALLS",
                        "IN 28 DAYS", "NON-ARRIVALS", "TRANSFERS OUT", "IN",
                    ],
                    report.rows.map { row in
                        let outcome = row.byOutcome.additionalProperties
                        return [
                            row.from, "\(row.departures)", options.percent(row.settledShare), "\(outcome["unsettled"] ?? 0)",
                            "\(outcome["homeless"] ?? 0)",
                            "\(outcome["custody"] ?? 0)", row.averageStayDays.map { String(format: "%.0f d", $0) } ?? "-",
                            row.medianStayDays.map { String(format: "%.0f d", $0) } ?? "-", options.percent(row.leftEarlyShare),
                            "\(row.recalls)",
                            options.percent(row.recallsWithin28DaysShare), "\(row.nonArrivals)",
                            "\(row.transfersOut.additionalProperties.values.reduce(0, +))",
                            "\(row.transfersIn.additionalProperties.values.reduce(0, +))",
                        ]
                    })
                let reasons = report.rows.reduce(into: [String: Int]()) { total, row in
                    row.byReason.additionalProperties.forEach { total[$0.key, default: 0] += $0.value }
                }
                if !reasons.isEmpty {
                    print("\nDepartures by reason:")
                    Terminal.printTable(
                        ["REASON", "DEPARTURES"],
                        reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [$0.key, "\($0.value)"] })
                }
            })
    }
}

struct OperationsReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operations",
        abstract: "Curfew breaches per 100 resident-nights and how they ended, tests, key work per resident-week, the referral pipeline.",
        discussion: "Example:  ap report operations --premises DEMO-ELM --by month")

    @OptionGroup var options: ReportOptions

    func run() async throws {
        try await options.show(
            { client, request in
                switch try await client.getOperationsReport(
                    query: .init(
                        premisesId: request.premisesId, region: request.region, from: request.from, to: request.to,
                        period: request.period, format: request.format)
                ).ok.body {
                case .json(let report): (report, nil)
                case .csv(let csv): (nil, csv)
                }
            },
            printTable: { report in
                print("Operations, \(report.scope), \(report.from) to \(report.to) (by \(report.period.rawValue))")
                func number(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
                Terminal.printTable(
                    [
                        "FROM", "RESIDENT-NIGHTS", "BREACHES", "PER 100", "ESCALATED", "TESTS", "MISSED", "POSITIVE", "SESSIONS",
                        "PER RES-WEEK",
                        "LATE", "REFERRALS", "DAYS TO DECIDE",
                    ],
                    report.rows.map { row in
                        let positive = row.testResults.additionalProperties.filter {
                            $0.key.hasSuffix(": positive") || $0.key.hasSuffix(": refused")
                        }.values.reduce(0, +)
                        return [
                            row.from, "\(row.residentNights)", "\(row.curfewBreaches)", number(row.breachesPer100ResidentNights, "%.2f"),
                            "\(row.breachesByState.additionalProperties["escalated"] ?? 0)", "\(row.testsTaken)", "\(row.testsMissed)",
                            "\(positive)",
                            "\(row.keyWorkSessions)", number(row.sessionsPerResidentWeek, "%.2f"), "\(row.sessionsHeldLate)",
                            "\(row.referralsReceived)",
                            number(row.medianDaysToDecision, "%.1f"),
                        ]
                    })
            })
    }
}
