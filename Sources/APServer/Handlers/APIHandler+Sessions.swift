import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func signIn(_ input: Operations.SignIn.Input) async throws -> Operations.SignIn.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the sign-in as JSON") }
        let client: SessionClient = RequestScope.userAgent?.hasPrefix("ap/") == true ? .ap : .api
        let signedIn = try await stores.sessions.signIn(
            username: body.username, password: body.password, code: body.code, client: client, requestID: RequestScope.requestID)
        return .ok(
            .init(
                body: .json(
                    .init(
                        token: signedIn.token, expiresAt: signedIn.expiresAt, staff: .init(signedIn.staff),
                        serviceId: try await stores.identity.id().lowercased, recoveryCodes: signedIn.recoveryCodes))))
    }

    func enrolSecondFactor(_ input: Operations.EnrolSecondFactor.Input) async throws -> Operations.EnrolSecondFactor.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the username and password as JSON") }
        let enrolment = try await stores.sessions.enrol(username: body.username, password: body.password)
        return .ok(.init(body: .json(.init(secret: enrolment.secret, uri: enrolment.uri))))
    }

    func signOut(_ input: Operations.SignOut.Input) async throws -> Operations.SignOut.Output {
        try await stores.sessions.signOut(RequestScope.caller())
        return .noContent(.init())
    }

    func listMySessions(_ input: Operations.ListMySessions.Input) async throws -> Operations.ListMySessions.Output {
        let caller = try RequestScope.caller()
        return .ok(.init(body: .json(try await sessionList(of: caller.staffID, by: caller))))
    }

    func endMyOtherSessions(_ input: Operations.EndMyOtherSessions.Input) async throws -> Operations.EndMyOtherSessions.Output {
        let caller = try RequestScope.caller()
        return .ok(.init(body: .json(.init(ended: try await stores.sessions.endSessions(of: caller.staffID, by: caller)))))
    }

    func endSession(_ input: Operations.EndSession.Input) async throws -> Operations.EndSession.Output {
        try await stores.sessions.end(session: try Input.uuid(input.path.sessionId, field: "sessionId"), by: try RequestScope.caller())
        return .noContent(.init())
    }

    func changePassword(_ input: Operations.ChangePassword.Input) async throws -> Operations.ChangePassword.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the passwords as JSON") }
        try await stores.sessions.changePassword(by: try RequestScope.caller(), current: body.currentPassword, new: body.newPassword)
        return .noContent(.init())
    }

    func sessionList(of staffID: UUID, by caller: Principal) async throws -> Components.Schemas.SessionList {
        let sessions = try await stores.sessions.sessions(of: staffID, by: caller)
        return .init(
            items: sessions.map {
                .init(
                    id: $0.id.uuidString.lowercased(), client: .init(rawValue: $0.client.rawValue) ?? .api, startedAt: $0.startedAt,
                    lastUsedAt: $0.lastUsedAt, expiresAt: $0.expiresAt, current: $0.current)
            },
            idleMinutes: Int(stores.sessions.times.idle.components.seconds / 60),
            lifetimeHours: Int(stores.sessions.times.lifetime.components.seconds / 3600))
    }

    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let caller = try RequestScope.caller()
        let me = try await stores.staff.get(caller.staffID, by: caller)
        // The caller's times are their premises' times; national staff have the default zone.
        var timeZone = Premises.defaultTimeZoneIdentifier
        if let premisesID = me.premisesID { timeZone = try await stores.premises.get(premisesID, by: caller).timeZone }
        return .ok(
            .init(
                body: .json(
                    .init(
                        staff: .init(me), sessionExpiresAt: caller.expiresAt,
                        serviceId: try await stores.identity.id().lowercased, timeZone: timeZone))))
    }
}
