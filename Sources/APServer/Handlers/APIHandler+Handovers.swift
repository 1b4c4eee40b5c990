import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func writeHandover(_ input: Operations.WriteHandover.Input) async throws -> Operations.WriteHandover.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the handover as JSON") }
        let watch = try (body.watch ?? []).enumerated().map { index, item in
            Handover.Watch(placementID: try Input.uuid(item.placementId, field: "watch[\(index)].placementId"), why: item.why)
        }
        let premisesID = try Input.uuid(input.path.premisesId, field: "premisesId")
        let handover = try await stores.handovers.write(
            premisesID: premisesID, shift: body.shift.rawValue, notes: body.notes,
            watch: watch, tasks: body.tasks ?? [], by: try RequestScope.caller())
        // Each handover also signs where the premises' logs stand (as committed so far): a failure
        // to write the checkpoint is the checkpoint job's to report, never the handover's.
        _ = try? await stores.logChains.checkpoint(premisesID: premisesID)
        return try .created(.init(body: .json(.init(handover))))
    }

    func getLatestHandover(_ input: Operations.GetLatestHandover.Input) async throws -> Operations.GetLatestHandover.Output {
        guard
            let handover = try await stores.handovers.latest(
                premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), by: try RequestScope.caller())
        else {
            throw DomainError(.notFound, "no handover has been written here yet")
        }
        return try .ok(.init(body: .json(.init(handover))))
    }

    func listPendingHandovers(_ input: Operations.ListPendingHandovers.Input) async throws -> Operations.ListPendingHandovers.Output {
        let pending = try await stores.handovers.pending(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), by: try RequestScope.caller())
        return try .ok(.init(body: .json(pending.map(Components.Schemas.Handover.init))))
    }

    func acknowledgeHandover(_ input: Operations.AcknowledgeHandover.Input) async throws -> Operations.AcknowledgeHandover.Output {
        let handover = try await stores.handovers.acknowledge(
            try Input.uuid(input.path.handoverId, field: "handoverId"), by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(handover))))
    }
}

extension Components.Schemas.Handover {
    init(_ handover: ApprovedPremises.Handover) throws {
        self.init(
            id: handover.id.lowercased, premisesId: handover.premisesID.lowercased,
            shift: try contractValue(handover.shift, field: "shift"), notes: handover.notes,
            watch: handover.watch.map { .init(placementId: $0.placementID.lowercased, personName: $0.personName, why: $0.why) },
            tasks: handover.tasks, writtenBy: handover.writtenBy, writtenAt: handover.writtenAt,
            acknowledgements: handover.acknowledgements.map { .init(staffName: $0.staffName, at: $0.at) })
    }
}
