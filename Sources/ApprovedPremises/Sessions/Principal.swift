import Foundation

/// The signed-in member of staff behind a request, and what they may reach.
public struct Principal: Sendable, Equatable {
    /// The member of staff.
    public var staffID: UUID
    /// Their sign-in name.
    public var username: String
    /// Their name as people see it.
    public var displayName: String
    /// What they do.
    public var role: Role
    /// The premises they work at, for AP staff.
    public var premisesID: UUID?
    /// The region they oversee, for regional managers; a practitioner's probation region.
    public var regionCode: String?
    /// The session the request came in on.
    public var sessionID: UUID
    /// When that session ends.
    public var expiresAt: Date
    /// The request's identifier, recorded with every audit row it writes.
    public var requestID: String?

    /// A value with each field given.
    public init(
        staffID: UUID, username: String, displayName: String, role: Role, premisesID: UUID?, regionCode: String?,
        sessionID: UUID, expiresAt: Date, requestID: String? = nil
    ) {
        self.staffID = staffID
        self.username = username
        self.displayName = displayName
        self.role = role
        self.premisesID = premisesID
        self.regionCode = regionCode
        self.sessionID = sessionID
        self.expiresAt = expiresAt
        self.requestID = requestID
    }

    /// Throws `forbidden` unless the caller holds one of `roles`.
    public func require(_ roles: Set<Role>, to action: String) throws {
        guard roles.contains(role) else {
            let allowed = Role.allCases.filter(roles.contains).map(\.title).joined(separator: ", ")
            throw DomainError(.forbidden, "\(role.aTitle) may not \(action); it needs one of: \(allowed)")
        }
    }

    /// Whether the caller may see the records of a premises in `regionCode`.
    public func canSee(premisesID: UUID, regionCode: String) -> Bool {
        switch role {
        case .administrator, .referralManager: true
        case .regionalManager: self.regionCode == regionCode
        case .residentialWorker, .keyWorker, .apManager: self.premisesID == premisesID
        case .probationPractitioner, .sarOfficer: false
        }
    }
}
