import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func signIn(_ input: Operations.SignIn.Input) async throws -> Operations.SignIn.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the sign-in as JSON") }
        let signedIn = try await stores.sessions.signIn(username: body.username, password: body.password, requestID: RequestScope.requestID)
        return .ok(
            .init(
                body: .json(
                    .init(
                        token: signedIn.token, expiresAt: signedIn.expiresAt, staff: .init(signedIn.staff),
                        serviceId: try await stores.identity.id().lowercased))))
    }

    func signOut(_ input: Operations.SignOut.Input) async throws -> Operations.SignOut.Output {
        try await stores.sessions.signOut(RequestScope.caller())
        return .noContent(.init())
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
