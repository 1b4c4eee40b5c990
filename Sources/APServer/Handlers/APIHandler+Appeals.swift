import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func appealPlacement(_ input: Operations.AppealPlacement.Input) async throws -> Operations.AppealPlacement.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the appeal as JSON") }
        let appeal = try await stores.appeals.appeal(
            try Input.uuid(input.path.placementId, field: "placementId"), reason: body.reason, notes: body.notes,
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(appeal))))
    }

    func listAppeals(_ input: Operations.ListAppeals.Input) async throws -> Operations.ListAppeals.Output {
        let appeals = try await stores.appeals.list(
            status: input.query.status.map { PlacementAppeal.Status(rawValue: $0.rawValue) ?? .pending }, by: try RequestScope.caller())
        return .ok(.init(body: .json(appeals.map(Components.Schemas.PlacementAppeal.init))))
    }

    func getAppeal(_ input: Operations.GetAppeal.Input) async throws -> Operations.GetAppeal.Output {
        let appeal = try await stores.appeals.get(try Input.uuid(input.path.appealId, field: "appealId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(appeal))))
    }

    func decideAppeal(_ input: Operations.DecideAppeal.Input) async throws -> Operations.DecideAppeal.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the decision as JSON") }
        let appeal = try await stores.appeals.decide(
            try Input.uuid(input.path.appealId, field: "appealId"), accept: body.decision == .accept, notes: body.notes,
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(appeal))))
    }
}

extension Components.Schemas.PlacementAppeal {
    init(_ appeal: ApprovedPremises.PlacementAppeal) {
        self.init(
            id: appeal.id.lowercased, status: .init(appeal.status), placementId: appeal.placementID.lowercased, crn: appeal.crn,
            personName: appeal.personName, premisesId: appeal.premisesID.lowercased, premisesName: appeal.premisesName,
            expectedArrival: appeal.expectedArrival.description, reason: appeal.reason, reasonName: appeal.reasonName, notes: appeal.notes,
            appealedBy: appeal.appealedBy, appealedAt: appeal.appealedAt, decidedBy: appeal.decidedBy, decidedAt: appeal.decidedAt,
            decisionNotes: appeal.decisionNotes, referralId: appeal.referralID?.lowercased, version: appeal.version)
    }
}

extension Components.Schemas.PlacementAppeal.StatusPayload {
    /// The contract's value for `PlacementAppeal.Status`.
    init(_ value: ApprovedPremises.PlacementAppeal.Status) {
        switch value {
        case .pending: self = .pending
        case .accepted: self = .accepted
        case .rejected: self = .rejected
        }
    }
}
