import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listPremises(_ input: Operations.ListPremises.Input) async throws -> Operations.ListPremises.Output {
        let page = try await stores.premises.list(
            by: try RequestScope.caller(), page: try Input.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.Premises.init), nextCursor: page.nextCursor))))
    }

    func createPremises(_ input: Operations.CreatePremises.Input) async throws -> Operations.CreatePremises.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the premises as JSON") }
        let created = try await stores.premises.create(
            NewPremises(
                code: body.code, name: body.name, regionCode: body.regionCode, apType: body.apType,
                gender: body.gender.rawValue, timeZone: body.timeZone ?? Premises.defaultTimeZoneIdentifier, postcode: body.postcode),
            by: try RequestScope.caller())
        return .created(.init(body: .json(.init(created))))
    }

    func getPremises(_ input: Operations.GetPremises.Input) async throws -> Operations.GetPremises.Output {
        let found = try await stores.premises.get(try Input.uuid(input.path.premisesId, field: "premisesId"), by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(found.version)), body: .json(.init(found))))
    }

    func updatePremises(_ input: Operations.UpdatePremises.Input) async throws -> Operations.UpdatePremises.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the changes as JSON") }
        let version = try Input.expectedVersion(ifMatch: input.headers.ifMatch)
        let updated = try await stores.premises.update(
            try Input.uuid(input.path.premisesId, field: "premisesId"), expectedVersion: version,
            changes: PremisesChanges(
                name: body.name, address: body.address, postcode: body.postcode, localRestrictions: body.localRestrictions,
                characteristics: body.characteristics, curfewStart: body.curfewStart, curfewEnd: body.curfewEnd,
                nightCheckStart: body.nightCheckStart, nightCheckEnd: body.nightCheckEnd,
                nightCheckIntervalMinutes: body.nightCheckIntervalMinutes,
                keyWorkIntervalDays: body.keyWorkIntervalDays, labResultDays: body.labResultDays, active: body.active,
                telephone: body.telephone),
            by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(updated.version)), body: .json(.init(updated))))
    }

    func listPremisesStaff(_ input: Operations.ListPremisesStaff.Input) async throws -> Operations.ListPremisesStaff.Output {
        let caller = try RequestScope.caller()
        let found = try await stores.premises.get(try Input.uuid(input.path.premisesId, field: "premisesId"), by: caller)
        let page = try await stores.staff.listAtPremises(
            found.id, by: caller, page: try Input.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.Staff.init), nextCursor: page.nextCursor))))
    }

    func setPremisesSecondFactor(_ input: Operations.SetPremisesSecondFactor.Input) async throws
        -> Operations.SetPremisesSecondFactor.Output
    {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the setting as JSON") }
        let required = try await stores.sessions.setSecondFactorForAllStaff(
            body.secondFactorForAllStaff, premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(secondFactorForAllStaff: required))))
    }
}
