import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func getMoveOnPlan(_ input: Operations.GetMoveOnPlan.Input) async throws -> Operations.GetMoveOnPlan.Output {
        let plan = try await stores.moveOn.plan(try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(plan))))
    }

    func addMoveOnPathway(_ input: Operations.AddMoveOnPathway.Input) async throws -> Operations.AddMoveOnPathway.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the pathway as JSON") }
        let plan = try await stores.moveOn.addPathway(
            try Input.uuid(input.path.placementId, field: "placementId"), kind: body.kind.rawValue,
            detail: body.detail, by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(plan))))
    }

    func updateMoveOnPathway(_ input: Operations.UpdateMoveOnPathway.Input) async throws -> Operations.UpdateMoveOnPathway.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the update as JSON") }
        let plan = try await stores.moveOn.updatePathway(
            try Input.uuid(input.path.pathwayId, field: "pathwayId"), status: body.status.rawValue,
            on: try Input.optionalDate(body.on, field: "on"),
            note: body.note, by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(plan))))
    }

    func setMoveOnAddress(_ input: Operations.SetMoveOnAddress.Input) async throws -> Operations.SetMoveOnAddress.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the address as JSON") }
        let plan = try await stores.moveOn.setAddress(
            try Input.uuid(input.path.placementId, field: "placementId"), address: body.address,
            confirmedOn: try Input.optionalDate(body.confirmedOn, field: "confirmedOn"), by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(plan))))
    }

    func listMoveOnFlags(_ input: Operations.ListMoveOnFlags.Input) async throws -> Operations.ListMoveOnFlags.Output {
        let flags = try await stores.moveOn.flags(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            keyWorkerID: try Input.optionalUUID(input.query.keyWorkerId, field: "keyWorkerId"), by: try RequestScope.caller())
        return .ok(
            .init(
                body: .json(
                    flags.map {
                        .init(
                            placementId: $0.placementID.lowercased, personName: $0.personName, keyWorker: $0.keyWorker,
                            targetDate: $0.targetDate.description,
                            daysLeft: $0.daysLeft, pathways: $0.pathways)
                    })))
    }
}

extension Components.Schemas.MoveOnPlan {
    init(_ plan: ApprovedPremises.MoveOnPlan) throws {
        self.init(
            placementId: plan.placementID.lowercased, personName: plan.personName, openedAt: plan.openedAt,
            targetDate: plan.targetDate.description,
            address: plan.address, addressConfirmedOn: plan.addressConfirmedOn?.description, closedAt: plan.closedAt,
            moveOnCategory: plan.moveOnCategory,
            pathways: try plan.pathways.map { pathway in
                .init(
                    id: pathway.id.lowercased, kind: try contractValue(pathway.kind.rawValue, field: "kind"), detail: pathway.detail,
                    status: try contractValue(pathway.status.rawValue, field: "status"),
                    updates: try pathway.updates.map {
                        .init(
                            status: try contractValue($0.status.rawValue, field: "status"), on: $0.on.description, note: $0.note, by: $0.by)
                    })
            })
    }
}
