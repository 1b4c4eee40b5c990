import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listPlacements(_ input: Operations.ListPlacements.Input) async throws -> Operations.ListPlacements.Output {
        let nights = Nights(first: try Input.date(input.query.from, field: "from"), end: try Input.date(input.query.to, field: "to"))
        guard nights.count > 0, nights.count <= 366 else {
            throw DomainError.invalid(field: "to", rule: "span", "to must be after from, and at most a year later")
        }
        let found = try await stores.placements.list(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), nights: nights,
            by: try RequestScope.caller())
        return .ok(.init(body: .json(found.map(Components.Schemas.Placement.init))))
    }

    func bookPlacement(_ input: Operations.BookPlacement.Input) async throws -> Operations.BookPlacement.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the placement as JSON") }
        let placement = try await stores.placements.book(
            NewPlacement(
                premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), crn: body.crn, personName: body.personName,
                expectedArrival: try Input.date(body.expectedArrival, field: "expectedArrival"),
                expectedDeparture: try Input.optionalDate(body.expectedDeparture, field: "expectedDeparture"),
                needs: body.needs ?? [], overbookingReason: body.overbookingReason,
                bedID: try Input.optionalUUID(body.bedId, field: "bedId")),
            by: try RequestScope.caller())
        return .created(.init(headers: .init(eTag: etag(placement.version)), body: .json(.init(placement))))
    }

    func getPlacement(_ input: Operations.GetPlacement.Input) async throws -> Operations.GetPlacement.Output {
        let placement = try await stores.placements.get(
            try Input.uuid(input.path.placementId, field: "placementId"), by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(placement.version)), body: .json(.init(placement))))
    }

    func allocateBed(_ input: Operations.AllocateBed.Input) async throws -> Operations.AllocateBed.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the bed as JSON") }
        let caller = try RequestScope.caller()
        let id = try Input.uuid(input.path.placementId, field: "placementId")
        try await stores.placements.allocate(
            id, bedID: try Input.uuid(body.bedId, field: "bedId"),
            from: try Input.optionalDate(body.from, field: "from"), by: caller)
        return .ok(.init(body: .json(.init(try await stores.placements.get(id, by: caller)))))
    }

    func recordArrival(_ input: Operations.RecordArrival.Input) async throws -> Operations.RecordArrival.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the arrival as JSON") }
        let placement = try await stores.placements.arrive(
            try Input.uuid(input.path.placementId, field: "placementId"), at: body.arrivedAt ?? Date(),
            keyWorkerID: try Input.optionalUUID(body.keyWorkerId, field: "keyWorkerId"), earlyReason: body.earlyArrivalReason,
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(placement.version)), body: .json(.init(placement))))
    }

    func recordNonArrival(_ input: Operations.RecordNonArrival.Input) async throws -> Operations.RecordNonArrival.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the non-arrival as JSON") }
        let placement = try await stores.placements.recordNonArrival(
            try Input.uuid(input.path.placementId, field: "placementId"), reason: body.reason, notes: body.notes,
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(placement.version)), body: .json(.init(placement))))
    }

    func recordDeparture(_ input: Operations.RecordDeparture.Input) async throws -> Operations.RecordDeparture.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the departure as JSON") }
        let placement = try await stores.placements.depart(
            try Input.uuid(input.path.placementId, field: "placementId"),
            PlacementStore.Departure(
                departedAt: body.departedAt ?? Date(), reason: body.reason, moveOnCategory: body.moveOnCategory,
                notes: body.notes, transferredTo: body.transferredTo),
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(placement.version)), body: .json(.init(placement))))
    }

    func cancelPlacement(_ input: Operations.CancelPlacement.Input) async throws -> Operations.CancelPlacement.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the cancellation as JSON") }
        let placement = try await stores.placements.cancel(
            try Input.uuid(input.path.placementId, field: "placementId"), reason: body.reason, notes: body.notes,
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(placement.version)), body: .json(.init(placement))))
    }

    func changePlacementDates(_ input: Operations.ChangePlacementDates.Input) async throws -> Operations.ChangePlacementDates.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the dates as JSON") }
        let version = try Input.expectedVersion(ifMatch: input.headers.ifMatch)
        let placement = try await stores.placements.changeDates(
            try Input.uuid(input.path.placementId, field: "placementId"),
            arrival: try Input.optionalDate(body.expectedArrival, field: "expectedArrival"),
            departure: try Input.optionalDate(body.expectedDeparture, field: "expectedDeparture"),
            expectedVersion: version, by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(placement.version)), body: .json(.init(placement))))
    }

    func getPlacementProfile(_ input: Operations.GetPlacementProfile.Input) async throws -> Operations.GetPlacementProfile.Output {
        guard
            let referral = try await stores.referrals.profile(
                placementID: try Input.uuid(input.path.placementId, field: "placementId"),
                by: try RequestScope.caller())
        else {
            throw DomainError(.notFound, "this placement was booked without a referral, so there is no profile to show")
        }
        return try .ok(.init(body: .json(.init(referral))))
    }
}

extension Components.Schemas.Placement {
    init(_ placement: ApprovedPremises.Placement) {
        self.init(
            id: placement.id.lowercased, premisesId: placement.premisesID.lowercased, crn: placement.crn, personName: placement.personName,
            expectedArrival: placement.expectedArrival.description, expectedDeparture: placement.expectedDeparture.description,
            needs: placement.needs, status: .init(placement.status), overbookingReason: placement.overbookingReason,
            arrivedAt: placement.arrivedAt, arrivalDate: placement.arrivalDate?.description,
            earlyArrivalReason: placement.earlyArrivalReason, keyWorkerId: placement.keyWorkerID?.lowercased,
            nonArrivalReason: placement.nonArrivalReason, departedAt: placement.departedAt,
            departureDate: placement.departureDate?.description,
            departureReason: placement.departureReason, moveOnCategory: placement.moveOnCategory, transferredTo: placement.transferredTo,
            cancellationReason: placement.cancellationReason, version: placement.version)
    }
}
