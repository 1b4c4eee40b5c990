import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func requestTransfer(_ input: Operations.RequestTransfer.Input) async throws -> Operations.RequestTransfer.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the request as JSON") }
        let transfer = try await stores.transfers.request(
            .init(
                placementID: try Input.uuid(input.path.placementId, field: "placementId"), reason: body.reason,
                transferDate: try Input.date(body.transferDate, field: "transferDate"), notes: body.notes),
            by: try RequestScope.caller(), now: clock())
        return .created(.init(body: .json(.init(transfer))))
    }

    func makeEmergencyTransfer(_ input: Operations.MakeEmergencyTransfer.Input) async throws -> Operations.MakeEmergencyTransfer.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the transfer as JSON") }
        let transfer = try await stores.transfers.emergency(
            .init(
                placementID: try Input.uuid(input.path.placementId, field: "placementId"),
                toPremisesID: try Input.uuid(body.toPremisesId, field: "toPremisesId"), agreedBy: body.agreedBy, reason: body.reason,
                notes: body.notes, expectedDeparture: try Input.optionalDate(body.expectedDeparture, field: "expectedDeparture")),
            by: try RequestScope.caller(), now: clock())
        return .created(.init(body: .json(.init(transfer))))
    }

    func matchEmergencyTransfer(_ input: Operations.MatchEmergencyTransfer.Input) async throws
        -> Operations.MatchEmergencyTransfer.Output
    {
        let result = try await stores.transfers.emergencyMatch(
            try Input.uuid(input.path.placementId, field: "placementId"), until: try Input.optionalDate(input.query.until, field: "until"),
            by: try RequestScope.caller(), now: clock())
        return .ok(.init(body: .json(.init(result))))
    }

    func listTransfers(_ input: Operations.ListTransfers.Input) async throws -> Operations.ListTransfers.Output {
        let transfers = try await stores.transfers.list(
            status: input.query.status.map { Transfer.Status(rawValue: $0.rawValue) ?? .requested }, by: try RequestScope.caller())
        return .ok(.init(body: .json(transfers.map(Components.Schemas.Transfer.init))))
    }

    func getTransfer(_ input: Operations.GetTransfer.Input) async throws -> Operations.GetTransfer.Output {
        let transfer = try await stores.transfers.get(
            try Input.uuid(input.path.transferId, field: "transferId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(transfer))))
    }

    func matchTransfer(_ input: Operations.MatchTransfer.Input) async throws -> Operations.MatchTransfer.Output {
        let result = try await stores.transfers.match(
            try Input.uuid(input.path.transferId, field: "transferId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(result))))
    }

    func bookTransfer(_ input: Operations.BookTransfer.Input) async throws -> Operations.BookTransfer.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the booking as JSON") }
        let transfer = try await stores.transfers.book(
            try Input.uuid(input.path.transferId, field: "transferId"), premisesID: try Input.uuid(body.premisesId, field: "premisesId"),
            bedID: try body.bedId.map { try Input.uuid($0, field: "bedId") },
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller(), now: clock())
        return .ok(.init(body: .json(.init(transfer))))
    }

    func refuseTransfer(_ input: Operations.RefuseTransfer.Input) async throws -> Operations.RefuseTransfer.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the refusal as JSON") }
        let transfer = try await stores.transfers.refuse(
            try Input.uuid(input.path.transferId, field: "transferId"), reason: body.reason,
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(transfer))))
    }
}

extension Components.Schemas.Transfer {
    init(_ transfer: ApprovedPremises.Transfer) {
        self.init(
            id: transfer.id.lowercased, kind: .init(transfer.kind), status: .init(transfer.status),
            placementId: transfer.placementID.lowercased, crn: transfer.crn, personName: transfer.personName,
            fromPremisesId: transfer.fromPremisesID.lowercased, fromPremisesName: transfer.fromPremisesName, reason: transfer.reason,
            reasonName: transfer.reasonName, transferDate: transfer.transferDate.description, notes: transfer.notes,
            expectedDeparture: transfer.expectedDeparture.description, requestedBy: transfer.requestedBy, requestedAt: transfer.requestedAt,
            toPremisesId: transfer.toPremisesID?.lowercased, toPremisesName: transfer.toPremisesName,
            toPlacementId: transfer.toPlacementID?.lowercased, agreedBy: transfer.agreedBy, decidedBy: transfer.decidedBy,
            decidedAt: transfer.decidedAt, refusalReason: transfer.refusalReason, referralId: transfer.referralID?.lowercased,
            version: transfer.version)
    }
}

extension Components.Schemas.Transfer.KindPayload {
    /// The contract's value for `Transfer.Kind`.
    init(_ value: ApprovedPremises.Transfer.Kind) {
        switch value {
        case .planned: self = .planned
        case .emergency: self = .emergency
        }
    }
}

extension Components.Schemas.Transfer.StatusPayload {
    /// The contract's value for `Transfer.Status`.
    init(_ value: ApprovedPremises.Transfer.Status) {
        switch value {
        case .requested: self = .requested
        case .booked: self = .booked
        case .refused: self = .refused
        case .completed: self = .completed
        case .cancelled: self = .cancelled
        }
    }
}
