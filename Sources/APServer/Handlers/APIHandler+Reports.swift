import APIContract
import ApprovedPremises
import Foundation
import OpenAPIRuntime

/// The query every report takes; the three report operations' generated queries all have it.
protocol ReportQuery {
    var premisesId: String? { get }
    var region: String? { get }
    var from: String { get }
    var to: String { get }
    var period: Components.Parameters.ReportPeriod? { get }
}

extension Operations.GetOccupancyReport.Input.Query: ReportQuery {}
extension Operations.GetMoveOnReport.Input.Query: ReportQuery {}
extension Operations.GetOperationsReport.Input.Query: ReportQuery {}

extension APIHandler {
    /// The scope a report's query names: a premises, else a region, else the country.
    static func scope(premisesId: String?, region: String?) throws -> ReportScope {
        if let id = try Input.optionalUUID(premisesId, field: "premisesId") { return .premises(id) }
        if let region, !region.isEmpty { return .region(region.uppercased()) }
        return .country
    }

    /// What every report's query asks: the scope, the days from `from` up to `to`, and the period.
    static func reportRequest(_ query: some ReportQuery) throws -> (ReportScope, CalendarDate, CalendarDate, ReportPeriod) {
        (
            try scope(premisesId: query.premisesId, region: query.region), try Input.date(query.from, field: "from"),
            try Input.date(query.to, field: "to"), try period(query.period?.rawValue, default: .month)
        )
    }

    static func period(_ text: String?, default fallback: ReportPeriod) throws -> ReportPeriod {
        guard let text else { return fallback }
        guard let period = ReportPeriod(rawValue: text) else {
            throw DomainError.invalid(
                field: "period", rule: "oneOf", "period must be one of " + ReportPeriod.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return period
    }

    func getOccupancyReport(_ input: Operations.GetOccupancyReport.Input) async throws -> Operations.GetOccupancyReport.Output {
        let (scope, from, to, period) = try Self.reportRequest(input.query)
        let report = try await stores.reports.occupancy(scope, from: from, to: to, period: period, by: try RequestScope.caller())
        if input.query.format == .csv { return .ok(.init(body: .csv(HTTPBody(ReportCSV.occupancy(report))))) }
        return try .ok(.init(body: .json(.init(report))))
    }

    func getOccupancyBoard(_ input: Operations.GetOccupancyBoard.Input) async throws -> Operations.GetOccupancyBoard.Output {
        let from = try Input.date(input.query.from, field: "from")
        let nights = input.query.nights ?? 28
        guard (1...ReportStore.boardMaximumNights).contains(nights) else {
            throw DomainError.invalid(field: "nights", rule: "range", "nights must be between 1 and \(ReportStore.boardMaximumNights)")
        }
        let scope: ReportScope = try Self.scope(premisesId: nil, region: input.query.region)
        let board = try await stores.reports.occupancyBoard(
            scope, nights: Nights(first: from, end: from.adding(days: nights)), by: try RequestScope.caller())
        return .ok(
            .init(
                body: .json(
                    .init(
                        scope: board.scope, from: board.nights.first.description, to: board.nights.end.description,
                        premises: board.premises.map {
                            .init(
                                premisesId: $0.premisesID.lowercased, code: $0.code, name: $0.name, regionCode: $0.regionCode,
                                usableBeds: $0.nights.map(\.usableBeds), booked: $0.nights.map(\.booked), free: $0.nights.map(\.free))
                        },
                        totals: .init(
                            usableBeds: board.totals.map(\.usableBeds), booked: board.totals.map(\.booked), free: board.totals.map(\.free)))
                )))
    }

    func getMoveOnReport(_ input: Operations.GetMoveOnReport.Input) async throws -> Operations.GetMoveOnReport.Output {
        let (scope, from, to, period) = try Self.reportRequest(input.query)
        let report = try await stores.reports.moveOn(scope, from: from, to: to, period: period, by: try RequestScope.caller())
        if input.query.format == .csv { return .ok(.init(body: .csv(HTTPBody(ReportCSV.moveOn(report))))) }
        return try .ok(.init(body: .json(.init(report))))
    }

    func getOperationsReport(_ input: Operations.GetOperationsReport.Input) async throws -> Operations.GetOperationsReport.Output {
        let (scope, from, to, period) = try Self.reportRequest(input.query)
        let report = try await stores.reports.operations(scope, from: from, to: to, period: period, by: try RequestScope.caller())
        if input.query.format == .csv { return .ok(.init(body: .csv(HTTPBody(ReportCSV.operations(report))))) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        scope: report.scope, from: report.from.description, to: report.to.description,
                        period: try contractValue(report.period.rawValue, field: "period"),
                        rows: report.rows.map {
                            .init(
                                from: $0.from.description, to: $0.to.description, residentNights: $0.residentNights,
                                curfewBreaches: $0.curfewBreaches,
                                breachesPer100ResidentNights: $0.breachesPer100ResidentNights, breachesByState: .init($0.breachesByState),
                                breachesByOutcome: .init($0.breachesByOutcome), testsTaken: $0.testsTaken, testsMissed: $0.testsMissed,
                                missedByReason: .init($0.missedByReason), testResults: .init($0.testResults),
                                keyWorkSessions: $0.keyWorkSessions,
                                sessionsPerResidentWeek: $0.sessionsPerResidentWeek, sessionsHeldLate: $0.sessionsHeldLate,
                                referralsReceived: $0.referralsReceived, medianDaysToDecision: $0.medianDaysToDecision,
                                medianDaysToArrival: $0.medianDaysToArrival, referralsByStatus: .init($0.referralsByStatus))
                        }))))
    }
}

extension Components.Schemas.Counts {
    init(_ counts: [String: Int]) {
        self.init(additionalProperties: counts)
    }
}

extension Components.Schemas.OccupancyRow {
    init(_ row: OccupancyReport.Row) {
        self.init(
            from: row.from.description, to: row.to.description, beds: row.beds, bedNights: row.bedNights,
            outOfServiceBedNights: row.outOfServiceBedNights, outOfServiceByReason: .init(row.outOfServiceByReason),
            usableBedNights: row.usableBedNights, occupiedBedNights: row.occupiedBedNights, vacantBedNights: row.vacantBedNights,
            occupancyRate: row.occupancyRate, overbookedNights: row.overbookedNights,
            overbookedForNeedsNights: row.overbookedForNeedsNights, fullNights: row.fullNights)
    }
}

extension Components.Schemas.OccupancyReport {
    init(_ report: ApprovedPremises.OccupancyReport) throws {
        self.init(
            scope: report.scope, from: report.from.description, to: report.to.description,
            period: try contractValue(report.period.rawValue, field: "period"),
            rows: report.rows.map(Components.Schemas.OccupancyRow.init), total: .init(report.total),
            forecast: report.forecast.map {
                .init(
                    from: $0.from.description, to: $0.to.description, usableBedNights: $0.usableBedNights,
                    bookedBedNights: $0.bookedBedNights,
                    freeBedNights: $0.freeBedNights, fullNights: $0.fullNights, departures: $0.departures)
            })
    }
}

extension Components.Schemas.MoveOnReport {
    init(_ report: ApprovedPremises.MoveOnReport) throws {
        self.init(
            scope: report.scope, from: report.from.description, to: report.to.description,
            period: try contractValue(report.period.rawValue, field: "period"),
            rows: report.rows.map {
                .init(
                    from: $0.from.description, to: $0.to.description, departures: $0.departures, byReason: .init($0.byReason),
                    byMoveOnCategory: .init($0.byMoveOnCategory), byOutcome: .init($0.byOutcome), settledShare: $0.settledShare,
                    averageStayDays: $0.averageStayDays, medianStayDays: $0.medianStayDays, leftEarly: $0.leftEarly,
                    leftEarlyShare: $0.leftEarlyShare, recalls: $0.recalls, recallsWithin28Days: $0.recallsWithin28Days,
                    recallsWithin28DaysShare: $0.recallsWithin28DaysShare, nonArrivals: $0.nonArrivals,
                    nonArrivalsByReason: .init($0.nonArrivalsByReason), transfersOut: .init($0.transfersOut),
                    transfersIn: .init($0.transfersIn))
            })
    }
}
