import Foundation

/// Reports as CSV that opens cleanly in a spreadsheet: a header row, ISO dates, one unit per
/// column, rates as fractions (0.35), empty cells where a figure has no value.
public enum ReportCSV {
    static func field(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
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
        keys.map { prefix + $0.lowercased().replacingOccurrences(of: #"[^a-z0-9]+"#, with: "_", options: .regularExpression).trimmingCharacters(in: CharacterSet(charactersIn: "_")) }
    }

    public static func occupancy(_ report: OccupancyReport) -> String {
        let reasons = Set(report.rows.flatMap(\.outOfServiceByReason.keys)).sorted()
        let header = ["from", "to", "beds", "bed_nights", "out_of_service_bed_nights"] + columns("out_of_service_", reasons)
            + ["usable_bed_nights", "occupied_bed_nights", "vacant_bed_nights", "occupancy_rate", "overbooked_nights", "full_nights"]
        return lines(header, report.rows.map { row in
            [row.from.description, row.to.description, "\(row.beds)", "\(row.bedNights)", "\(row.outOfServiceBedNights)"]
                + reasons.map { "\(row.outOfServiceByReason[$0] ?? 0)" }
                + ["\(row.usableBedNights)", "\(row.occupiedBedNights)", "\(row.vacantBedNights)", number(row.occupancyRate),
                   "\(row.overbookedNights)", "\(row.fullNights)"]
        })
    }

    public static func moveOn(_ report: MoveOnReport) -> String {
        let reasons = Set(report.rows.flatMap(\.byReason.keys)).sorted()
        let categories = Set(report.rows.flatMap(\.byMoveOnCategory.keys)).sorted()
        let outcomes = ["settled", "unsettled", "homeless", "custody", "other", "unknown"]
        let nonArrivals = Set(report.rows.flatMap(\.nonArrivalsByReason.keys)).sorted()
        let header = ["from", "to", "departures"] + outcomes + ["settled_share", "average_stay_days", "median_stay_days", "left_early", "left_early_share",
                                                             "recalls", "recalls_within_28_days", "recalls_within_28_days_share", "non_arrivals"]
            + columns("reason_", reasons) + columns("category_", categories) + columns("non_arrival_", nonArrivals)
        return lines(header, report.rows.map { row in
            [row.from.description, row.to.description, "\(row.departures)"] + outcomes.map { "\(row.byOutcome[$0] ?? 0)" }
                + [number(row.settledShare), number(row.averageStayDays), number(row.medianStayDays), "\(row.leftEarly)", number(row.leftEarlyShare),
                   "\(row.recalls)", "\(row.recallsWithin28Days)", number(row.recallsWithin28DaysShare), "\(row.nonArrivals)"]
                + reasons.map { "\(row.byReason[$0] ?? 0)" } + categories.map { "\(row.byMoveOnCategory[$0] ?? 0)" }
                + nonArrivals.map { "\(row.nonArrivalsByReason[$0] ?? 0)" }
        })
    }
}
