import Foundation

/// A member of staff's account, as others see it (never the password hash).
public struct Staff: Sendable, Equatable, Codable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var email: String?
    public var role: Role
    /// The premises AP staff work at.
    public var premisesID: UUID?
    /// The region a regional manager oversees, or a probation practitioner works in.
    public var regionCode: String?
    /// A probation practitioner's team, in their own words.
    public var team: String? = nil
    /// Inactive accounts cannot sign in.
    public var active: Bool
    /// Goes up by one with every change: the ETag of the record.
    public var version: Int
}

/// What an administrator gives to open an account.
public struct NewStaff: Sendable {
    public var username: String
    public var displayName: String
    public var email: String?
    public var role: Role
    public var premisesID: UUID?
    public var regionCode: String?
    public var team: String?
    public var password: String

    /// A value with each field given.
    public init(
        username: String, displayName: String, email: String? = nil, role: Role,
        premisesID: UUID? = nil, regionCode: String? = nil, team: String? = nil, password: String
    ) {
        self.username = username
        self.displayName = displayName
        self.email = email
        self.role = role
        self.premisesID = premisesID
        self.regionCode = regionCode
        self.team = team
        self.password = password
    }
}

/// The fields of an account that can change; nil leaves a field as it is.
public struct StaffChanges: Sendable {
    public var displayName: String?
    public var email: String?
    public var role: Role?
    public var premisesID: UUID??
    public var regionCode: String??
    /// A practitioner's team; "" removes it.
    public var team: String?
    public var active: Bool?

    /// A value with each field given.
    public init(
        displayName: String? = nil, email: String? = nil, role: Role? = nil,
        premisesID: UUID?? = nil, regionCode: String?? = nil, team: String? = nil, active: Bool? = nil
    ) {
        self.displayName = displayName
        self.email = email
        self.role = role
        self.premisesID = premisesID
        self.regionCode = regionCode
        self.team = team
        self.active = active
    }
}

/// The rules an account must keep, checked before the database does.
enum StaffRules {
    static func validateUsername(_ username: String, into validation: inout Validation) {
        validation.require(
            username.wholeMatch(of: /[a-z0-9][a-z0-9._-]{1,39}/) != nil,
            field: "username", rule: "format",
            "username must be 2-40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
    }

    static func validateScope(
        role: Role, premisesID: UUID?, regionCode: String?, email: String?, team: String?, into validation: inout Validation
    ) {
        if role == .probationPractitioner {
            validation.require(
                regionCode != nil, field: "regionCode", rule: "needed",
                "a probation practitioner needs a regionCode: their probation region")
            validation.require(
                email != nil, field: "email", rule: "needed", "a probation practitioner needs an email: they are told by e-mail")
            validation.require(
                premisesID == nil, field: "premisesId", rule: "forbidden", "a probation practitioner belongs to a region, not a premises")
            validation.require(
                (team ?? "").unicodeScalars.count <= 120, field: "team", rule: "length", "team must be at most 120 characters")
            return
        }
        validation.require(team == nil, field: "team", rule: "forbidden", "only a probation practitioner has a team")
        if role.isPremisesStaff {
            validation.require(premisesID != nil, field: "premisesId", rule: "needed", "\(role.aTitle) needs a premisesId")
            validation.require(
                regionCode == nil, field: "regionCode", rule: "forbidden", "\(role.aTitle) belongs to a premises, not a region")
        } else if role == .regionalManager {
            validation.require(regionCode != nil, field: "regionCode", rule: "needed", "a regional manager needs a regionCode")
            validation.require(
                premisesID == nil, field: "premisesId", rule: "forbidden", "a regional manager belongs to a region, not a premises")
        } else {
            validation.require(
                premisesID == nil, field: "premisesId", rule: "forbidden", "\(role.aTitle) works nationally: give no premisesId")
            validation.require(
                regionCode == nil, field: "regionCode", rule: "forbidden", "\(role.aTitle) works nationally: give no regionCode")
        }
    }

    static func validateDisplayName(_ name: String, into validation: inout Validation) {
        validation.require(
            !name.isBlank, field: "displayName", rule: "required",
            "displayName is required")
        validation.require(
            name.unicodeScalars.count <= 120, field: "displayName", rule: "length", "displayName must be at most 120 characters")
    }

    static func validateEmail(_ email: String?, into validation: inout Validation) {
        guard let email else { return }
        validation.require(
            EmailText.looksValid(email),
            field: "email", rule: "format", "email must look like name@example.org")
    }
}
