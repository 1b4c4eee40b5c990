import Foundation
import Postgres

/// Who may do what at a premises: the role must be allowed, and AP staff must work there
/// (regional managers oversee their region, read-only).
public enum PremisesAccess {
    /// The premises' time zone and region, after checking the caller may `action` there with
    /// one of `roles`. Locks the premises row when `lock` is set, so that bookings into one
    /// premises take turns (the capacity check reads what the others wrote).
    @discardableResult
    public static func require(
        _ principal: Principal, _ roles: Set<Role>, to action: String, premisesID: UUID,
        on connection: PostgresConnection, lock: Bool = false
    ) async throws -> (timeZone: TimeZone, regionCode: String, name: String) {
        try principal.require(roles, to: action)
        let lockClause: SQL = lock ? "FOR UPDATE" : ""
        guard
            let row = try await connection.first(
                "SELECT name, region_code, time_zone FROM premises WHERE id = \(premisesID) \(lockClause)", reusingPlan: true)
        else {
            throw DomainError(.notFound, "there is no premises \(premisesID.uuidString.lowercased())")
        }
        let name: String = try row.decode("name")
        let region: String = try row.decode("region_code")
        guard principal.canSee(premisesID: premisesID, regionCode: region) else {
            // Not a 403 naming the premises: that would tell the caller where a person lives.
            throw Self.notYours
        }
        let timeZone = TimeZone(identifier: try row.decode("time_zone")) ?? Premises.defaultTimeZone
        return (timeZone, region, name)
    }

    /// Locks a premises the caller has already been allowed to act at (by a rule of its own,
    /// such as an emergency transfer's agreement), for the capacity check.
    @discardableResult
    static func lock(_ premisesID: UUID, on connection: PostgresConnection) async throws
        -> (timeZone: TimeZone, regionCode: String, name: String)
    {
        guard let row = try await connection.first("SELECT name, region_code, time_zone FROM premises WHERE id = \(premisesID) FOR UPDATE")
        else {
            throw DomainError.invalid(field: "premisesId", rule: "unknown", "premisesId is not a known premises")
        }
        return (
            TimeZone(identifier: try row.decode("time_zone")) ?? Premises.defaultTimeZone, try row.decode("region_code"),
            try row.decode("name")
        )
    }

    /// Checks the caller may `action` with one of `roles` at a premises that exists (its id was
    /// just read from a row that references it), asking the database only when the answer
    /// depends on its region: a regional manager's. Staff of the premises itself and those who
    /// see every premises are answered at once; the night shift's sign-outs and sign-ins save a
    /// statement each.
    public static func require(
        _ principal: Principal, _ roles: Set<Role>, to action: String, existingPremises premisesID: UUID,
        on connection: PostgresConnection
    ) async throws {
        try principal.require(roles, to: action)
        switch principal.role {
        case .administrator, .referralManager:
            return
        case .residentialWorker, .keyWorker, .apManager:
            guard principal.premisesID == premisesID else { throw Self.notYours }
        case .regionalManager:
            try await require(principal, roles, to: action, premisesID: premisesID, on: connection)
        case .probationPractitioner, .sarOfficer:
            throw Self.notYours
        }
    }

    /// The answer for a record of a premises the caller may not see: as if there were none.
    public static let notYours = DomainError(.notFound, "there is no such record, or it is not one you may see")
}
