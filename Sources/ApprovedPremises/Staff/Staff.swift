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
    /// The region a regional manager oversees.
    public var regionCode: String?
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
    public var password: String

    /// A value with each field given.
    public init(
        username: String, displayName: String, email: String? = nil, role: Role,
        premisesID: UUID? = nil, regionCode: String? = nil, password: String
    ) {
        self.username = username
        self.displayName = displayName
        self.email = email
        self.role = role
        self.premisesID = premisesID
        self.regionCode = regionCode
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
    public var active: Bool?

    /// A value with each field given.
    public init(
        displayName: String? = nil, email: String? = nil, role: Role? = nil,
        premisesID: UUID?? = nil, regionCode: String?? = nil, active: Bool? = nil
    ) {
        self.displayName = displayName
        self.email = email
        self.role = role
        self.premisesID = premisesID
        self.regionCode = regionCode
        self.active = active
    }
}

/// The rules an account must keep, checked before the database does.
enum StaffRules {
    static let minimumPasswordLength = 10

    static func validateUsername(_ username: String, into validation: inout Validation) {
        validation.require(
            username.wholeMatch(of: /[a-z0-9][a-z0-9._-]{1,39}/) != nil,
            field: "username", rule: "format",
            "username must be 2-40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
    }

    static func validatePassword(_ password: String, into validation: inout Validation) {
        validation.require(
            password.unicodeScalars.count >= minimumPasswordLength, field: "password", rule: "length",
            "password must be at least \(minimumPasswordLength) characters")
        validation.require(
            password.unicodeScalars.count <= 72, field: "password", rule: "length",
            "password must be at most 72 characters")
    }

    static func validateScope(role: Role, premisesID: UUID?, regionCode: String?, into validation: inout Validation) {
        if role.isPremisesStaff {
            validation.require(premisesID != nil, field: "premisesId", rule: "required", "\(role.aTitle) needs a premisesId")
            validation.require(
                regionCode == nil, field: "regionCode", rule: "forbidden", "\(role.aTitle) belongs to a premises, not a region")
        } else if role.isRegional {
            validation.require(regionCode != nil, field: "regionCode", rule: "required", "a regional manager needs a regionCode")
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
