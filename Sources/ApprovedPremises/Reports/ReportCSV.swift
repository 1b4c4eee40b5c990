import Foundation

/// Reports as CSV that opens cleanly in a spreadsheet: a header row, ISO dates, one unit per
/// column, rates as fractions (0.35), empty cells where a figure has no value.
public enum ReportCSV {
    static func field(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    static func number(_ value: Double?) -> String {
        guard let value else { return "" }
        return String(format: "%.4f", value).replacingOccurrences(of: #"\.?0+$"#, with: "", options: .regularExpression)
    }

    static func lines(_ header: [String], _ rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Column names for a set of keys: `prefix` and the key, lower case, words joined by `_`.
    static func columns(_ prefix: String, _ keys: [String]) -> [String] {
        keys.map {
            prefix
                + $0.lowercased().replacingOccurrences(of: #"[^a-z0-9]+"#, with: "_", options: .regularExpression).trimmingCharacters(
                    in: CharacterSet(charactersIn: "_"))
        }
    }

    /// The occupancy report as CSV.
    public static func occupancy(_ report: OccupancyReport) -> String {
        let reasons = Set(report.rows.flatMap(\.outOfServiceByReason.keys)).sorted()
        let header =
            ["from", "to", "beds", "bed_nights", "out_of_service_bed_nights"] + columns("out_of_service_", reasons)
            + [
                "usable_bed_nights", "occupied_bed_nights", "vacant_bed_nights", "occupancy_rate", "overbooked_nights",
                "overbooked_for_needs_nights", "full_nights",
            ]
        return lines(
            header,
            report.rows.map { row in
                [row.from.description, row.to.description, "\(row.beds)", "\(row.bedNights)", "\(row.outOfServiceBedNights)"]
                    + reasons.map { "\(row.outOfServiceByReason[$0] ?? 0)" }
                    + [
                        "\(row.usableBedNights)", "\(row.occupiedBedNights)", "\(row.vacantBedNights)", number(row.occupancyRate),
                        "\(row.overbookedNights)", "\(row.overbookedForNeedsNights)", "\(row.fullNights)",
                    ]
            })
    }

    /// The move-on report as CSV.
    public static func moveOn(_ report: MoveOnReport) -> String {
        let reasons = Set(report.rows.flatMap(\.byReason.keys)).sorted()
        let categories = Set(report.rows.flatMap(\.byMoveOnCategory.keys)).sorted()
        let outcomes = ["settled", "unsettled", "homeless", "custody", "other", "unknown"]
        let nonArrivals = Set(report.rows.flatMap(\.nonArrivalsByReason.keys)).sorted()
        let header =
            ["from", "to", "departures"] + outcomes + [
                "settled_share", "average_stay_days", "median_stay_days", "left_early", "left_early_share",
                "recalls", "recalls_within_28_days", "recalls_within_28_days_share", "non_arrivals",
                "transfers_out_planned", "transfers_out_emergency", "transfers_in_planned", "transfers_in_emergency",
            ]
            + columns("reason_", reasons) + columns("category_", categories) + columns("non_arrival_", nonArrivals)
        return lines(
            header,
            report.rows.map { row in
                [row.from.description, row.to.description, "\(row.departures)"] + outcomes.map { "\(row.byOutcome[$0] ?? 0)" }
                    + [
                        number(row.settledShare), number(row.averageStayDays), number(row.medianStayDays), "\(row.leftEarly)",
                        number(row.leftEarlyShare),
                        "\(row.recalls)", "\(row.recallsWithin28Days)", number(row.recallsWithin28DaysShare), "\(row.nonArrivals)",
                        "\(row.transfersOut["planned"] ?? 0)", "\(row.transfersOut["emergency"] ?? 0)",
                        "\(row.transfersIn["planned"] ?? 0)", "\(row.transfersIn["emergency"] ?? 0)",
                    ]
                    + reasons.map { "\(row.byReason[$0] ?? 0)" } + categories.map { "\(row.byMoveOnCategory[$0] ?? 0)" }
                    + nonArrivals.map { "\(row.nonArrivalsByReason[$0] ?? 0)" }
            })
    }

    /// The operations report as CSV.
    public static func operations(_ report: OperationsReport) -> String {
        func keys(_ pick: (OperationsReport.Row) -> [String: Int]) -> [String] { Set(report.rows.flatMap { pick($0).keys }).sorted() }
        let states = ["open", "escalated", "closed"]
        let outcomes = keys(\.breachesByOutcome)
        let missed = keys(\.missedByReason)
        let results = keys(\.testResults)
        let statuses = keys(\.referralsByStatus)
        let header =
            ["from", "to", "resident_nights", "curfew_breaches", "breaches_per_100_resident_nights"] + columns("breaches_", states)
            + columns("breach_outcome_", outcomes) + ["tests_taken", "tests_missed"] + columns("missed_", missed)
            + columns("result_", results)
            + [
                "key_work_sessions", "sessions_per_resident_week", "sessions_held_late", "referrals_received", "median_days_to_decision",
                "median_days_to_arrival",
            ] + columns("referral_status_", statuses)
        return lines(
            header,
            report.rows.map { row in
                [
                    row.from.description, row.to.description, "\(row.residentNights)", "\(row.curfewBreaches)",
                    number(row.breachesPer100ResidentNights),
                ]
                    + states.map { "\(row.breachesByState[$0] ?? 0)" } + outcomes.map { "\(row.breachesByOutcome[$0] ?? 0)" }
                    + ["\(row.testsTaken)", "\(row.testsMissed)"] + missed.map { "\(row.missedByReason[$0] ?? 0)" }
                    + results.map { "\(row.testResults[$0] ?? 0)" }
                    + [
                        "\(row.keyWorkSessions)", number(row.sessionsPerResidentWeek), "\(row.sessionsHeldLate)",
                        "\(row.referralsReceived)",
                        number(row.medianDaysToDecision), number(row.medianDaysToArrival),
                    ] + statuses.map { "\(row.referralsByStatus[$0] ?? 0)" }
            })
    }
}
