import APIContract
import ApprovedPremises
import Foundation
import OpenAPIRuntime

extension APIHandler {
    func getResidentRecord(_ input: Operations.GetResidentRecord.Input) async throws -> Operations.GetResidentRecord.Output {
        let (placement, entries) = try await stores.residentRecords.timeline(
            try Input.uuid(input.path.placementId, field: "placementId"),
            by: try RequestScope.caller())
        return .ok(
            .init(
                body: .json(
                    .init(
                        placementId: placement.id.lowercased, personName: placement.personName, crn: placement.crn,
                        status: try contractValue(placement.status.rawValue, field: "status"),
                        entries: try entries.map {
                            .init(kind: try contractValue($0.kind, field: "kind"), at: $0.at, title: $0.title, detail: $0.detail)
                        }))))
    }

    func getDepartureSummary(_ input: Operations.GetDepartureSummary.Input) async throws -> Operations.GetDepartureSummary.Output {
        let summary = try await stores.residentRecords.summary(
            try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(summary))))
    }

    func getDepartureSummaryText(_ input: Operations.GetDepartureSummaryText.Input) async throws
        -> Operations.GetDepartureSummaryText.Output
    {
        let summary = try await stores.residentRecords.summary(
            try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(body: .plainText(HTTPBody(summary.text))))
    }
}

extension Components.Schemas.DepartureSummary {
    init(_ summary: ApprovedPremises.DepartureSummary) {
        self.init(
            placementId: summary.placementID.lowercased, personName: summary.personName, crn: summary.crn,
            premisesName: summary.premisesName,
            arrivalDate: summary.arrivalDate?.description, departureDate: summary.departureDate?.description,
            departureReason: summary.departureReason, moveOnCategory: summary.moveOnCategory, address: summary.address,
            keyWorker: summary.keyWorker, risk: summary.risk, keyWorkSessions: summary.keyWorkSessions, lastSessions: summary.lastSessions,
            openActions: summary.openActions, testsTaken: summary.testsTaken, testsMissed: summary.testsMissed,
            positiveOrRefused: summary.positiveOrRefused, curfewBreaches: summary.curfewBreaches,
            breachesEscalated: summary.breachesEscalated,
            breaches: summary.breaches, missedTests: summary.missedTests, licenceConditions: summary.licenceConditions,
            substanceMisuse: summary.substanceMisuse, mentalHealth: summary.mentalHealth, incidents: summary.incidents,
            moveOnPathways: summary.moveOnPathways)
    }
}
