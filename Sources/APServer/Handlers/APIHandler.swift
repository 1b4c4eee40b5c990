import APIContract
import ApprovedPremises
import Foundation
import Postgres

/// The API's operations: each reads its input, calls the domain, and shapes the answer.
/// Errors are thrown as `DomainError` and answered by `ProblemMiddleware`.
struct APIHandler: APIProtocol {
    /// The primary's pool, for readiness.
    let pool: PostgresPool
    /// Every store, built once with the router.
    let stores: Stores
    /// What the night's record takes for now (`ServerConfiguration.clock`).
    let clock: ServiceClock
}

/// What the service takes for now.
public typealias ServiceClock = @Sendable () -> Date

/// Reading identifiers and versions from the request.
enum Input {
    /// A UUID from a path or field; a malformed one is a 400 naming the field.
    static func uuid(_ text: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw DomainError.invalid(field: field, rule: "format", "\(field) must be a UUID such as 0b6ecd1c-4a5e-4f0e-9d1e-2f8f7f3c1a2b")
        }
        return id
    }

    static func optionalUUID(_ text: String?, field: String) throws -> UUID? {
        try text.map { try uuid($0, field: field) }
    }

    /// The version an `If-Match` header names; 428 when there is none.
    static func expectedVersion(ifMatch: String?) throws -> Int {
        guard let ifMatch, !ifMatch.isEmpty else {
            throw DomainError(.preconditionRequired, "send If-Match with the ETag you read, so that nobody else's change is overwritten")
        }
        let text = ifMatch.replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard let version = Int(text) else {
            throw DomainError(.preconditionFailed, "If-Match must be an ETag this service gave out, such as \"3\"")
        }
        return version
    }

    /// A calendar date from a field; a malformed one is a 400 naming the field.
    static func date(_ text: String, field: String) throws -> CalendarDate {
        try CalendarDate.parse(text, field: field)
    }

    static func optionalDate(_ text: String?, field: String) throws -> CalendarDate? {
        try text.map { try date($0, field: field) }
    }

    /// The version an optional `If-Match` names, when sent.
    static func optionalVersion(ifMatch: String?) throws -> Int? {
        guard let ifMatch, !ifMatch.isEmpty else { return nil }
        return try expectedVersion(ifMatch: ifMatch)
    }

    static func page(limit: Int?, cursor: String?) throws -> PageRequest {
        try PageRequest(limit: limit, cursor: cursor)
    }
}

/// The ETag of a record at a version.
func etag(_ version: Int) -> String { "\"\(version)\"" }

extension Components.Schemas.Staff {
    init(_ staff: ApprovedPremises.Staff) {
        self.init(
            id: staff.id.uuidString.lowercased(), username: staff.username, displayName: staff.displayName,
            email: staff.email, role: .init(staff.role), premisesId: staff.premisesID?.uuidString.lowercased(),
            regionCode: staff.regionCode, team: staff.team, active: staff.active, version: staff.version)
    }
}

extension Components.Schemas.Premises {
    init(_ premises: ApprovedPremises.Premises) {
        self.init(
            id: premises.id.uuidString.lowercased(), code: premises.code, name: premises.name, regionCode: premises.regionCode,
            apType: premises.apType, gender: .init(rawValue: premises.gender) ?? .men, timeZone: premises.timeZone,
            postcode: premises.postcode, address: premises.address, telephone: premises.telephone,
            characteristics: premises.characteristics,
            localRestrictions: premises.localRestrictions, curfewStart: premises.curfewStart, curfewEnd: premises.curfewEnd,
            nightCheckStart: premises.nightCheckStart, nightCheckEnd: premises.nightCheckEnd,
            nightCheckIntervalMinutes: premises.nightCheckIntervalMinutes,
            keyWorkIntervalDays: premises.keyWorkIntervalDays, labResultDays: premises.labResultDays, active: premises.active,
            version: premises.version)
    }
}
