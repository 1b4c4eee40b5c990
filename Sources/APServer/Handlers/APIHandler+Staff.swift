import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listStaff(_ input: Operations.ListStaff.Input) async throws -> Operations.ListStaff.Output {
        let caller = try RequestScope.caller()
        let page = try await stores.staff.list(
            by: caller, premisesID: try Input.optionalUUID(input.query.premisesId, field: "premisesId"),
            page: try Input.page(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.Staff.init), nextCursor: page.nextCursor))))
    }

    func createStaff(_ input: Operations.CreateStaff.Input) async throws -> Operations.CreateStaff.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the account as JSON") }
        let created = try await stores.staff.create(
            NewStaff(
                username: body.username, displayName: body.displayName, email: body.email, role: body.role.domain,
                premisesID: try Input.optionalUUID(body.premisesId, field: "premisesId"), regionCode: body.regionCode,
                team: body.team, password: body.password),
            by: try RequestScope.caller())
        return .created(.init(headers: .init(eTag: etag(created.version)), body: .json(.init(created))))
    }

    func getStaff(_ input: Operations.GetStaff.Input) async throws -> Operations.GetStaff.Output {
        let found = try await stores.staff.get(try Input.uuid(input.path.staffId, field: "staffId"), by: try RequestScope.caller())
        return .ok(.init(headers: .init(eTag: etag(found.version)), body: .json(.init(found))))
    }

    func updateStaff(_ input: Operations.UpdateStaff.Input) async throws -> Operations.UpdateStaff.Output {
        let caller = try RequestScope.caller()
        let id = try Input.uuid(input.path.staffId, field: "staffId")
        let version = try Input.expectedVersion(ifMatch: input.headers.ifMatch)
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the changes as JSON") }
        var changes = StaffChanges(
            displayName: body.displayName, email: body.email, role: body.role?.domain, team: body.team, active: body.active)
        if let premises = body.premisesId {
            changes.premisesID = .some(premises.isEmpty ? nil : try Input.uuid(premises, field: "premisesId"))
        }
        if let region = body.regionCode {
            changes.regionCode = .some(region.isEmpty ? nil : region)
        }
        let updated = try await stores.staff.update(id, expectedVersion: version, changes: changes, by: caller)
        return .ok(.init(headers: .init(eTag: etag(updated.version)), body: .json(.init(updated))))
    }

    func resetStaffPassword(_ input: Operations.ResetStaffPassword.Input) async throws -> Operations.ResetStaffPassword.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the password as JSON") }
        try await stores.staff.resetPassword(
            try Input.uuid(input.path.staffId, field: "staffId"), to: body.password, by: try RequestScope.caller())
        return .noContent(.init())
    }

    func listStaffSessions(_ input: Operations.ListStaffSessions.Input) async throws -> Operations.ListStaffSessions.Output {
        let staffID = try Input.uuid(input.path.staffId, field: "staffId")
        return .ok(.init(body: .json(try await sessionList(of: staffID, by: try RequestScope.caller()))))
    }
    func endStaffSessions(_ input: Operations.EndStaffSessions.Input) async throws -> Operations.EndStaffSessions.Output {
        let staffID = try Input.uuid(input.path.staffId, field: "staffId")
        let ended = try await stores.sessions.endSessions(of: staffID, by: try RequestScope.caller(), reason: "ended by an administrator")
        return .ok(.init(body: .json(.init(ended: ended))))
    }
    func resetSecondFactor(_ input: Operations.ResetSecondFactor.Input) async throws -> Operations.ResetSecondFactor.Output {
        try await stores.sessions.resetSecondFactor(
            of: try Input.uuid(input.path.staffId, field: "staffId"), by: try RequestScope.caller())
        return .noContent(.init())
    }
}
