import Foundation
import Postgres

/// What a report covers: one premises, a probation region, or the country.
public enum ReportScope: Sendable, Equatable {
    case premises(UUID)
    case region(String)
    case country

    /// The premises of the scope, as a condition on `premises pr`.
    public var condition: SQL {
        switch self {
        case .premises(let id): "pr.id = \(id)"
        case .region(let code): "pr.region_code = \(code)"
        case .country: "true"
        }
    }

    /// Refuses a caller who may not see the scope: AP staff see their premises, regional
    /// managers their region (and its premises), national roles everything.
    func authorise(_ principal: Principal, on connection: PostgresConnection) async throws -> String {
        switch self {
        case .premises(let id):
            return try await PremisesAccess.require(principal, Set(Role.allCases), to: "see reports", premisesID: id, on: connection).name
        case .region(let code):
            guard let row = try await connection.first("SELECT name FROM probation_region WHERE code = \(code)") else {
                throw DomainError.invalid(
                    field: "region", rule: "unknown", "region is not a known probation region (probation_regions.csv)")
            }
            let allowed =
                principal.role == .administrator || principal.role == .referralManager
                || (principal.role == .regionalManager && principal.regionCode == code)
            guard allowed else {
                throw DomainError(.forbidden, "you may not see reports for the \(try row.decode("name", as: String.self)) region")
            }
            return try row.decode("name")
        case .country:
            try principal.require([.administrator, .referralManager], to: "see national reports")
            return "England and Wales"
        }
    }
}

/// How a report's figures are grouped in time.
public enum ReportPeriod: String, Sendable, CaseIterable, Codable {
    case day, week, month, quarter, year

    var interval: SQL {
        switch self {
        case .day: "interval '1 day'"
        case .week: "interval '1 week'"
        case .month: "interval '1 month'"
        case .quarter: "interval '3 months'"
        case .year: "interval '1 year'"
        }
    }

    /// The PostgreSQL `date_trunc` field (weeks start on Monday).
    public var field: String { rawValue }

    /// The periods from `from` up to `to` as rows `(first, stop, span)`: each period's first day
    /// and the day after its last, the first and last cut to the range.
    public func series(from: CalendarDate, to: CalendarDate) -> SQL {
        """
        SELECT first, stop, daterange(first, stop, '[)') AS span FROM (
            SELECT greatest(p::date, \(from)::date) AS first, least((p + \(interval))::date, \(to)::date) AS stop
            FROM generate_series(date_trunc(\(field), \(from)::date::timestamp), (\(to)::date - 1)::timestamp, \(interval)) AS p
        ) periods
        """
    }
}
