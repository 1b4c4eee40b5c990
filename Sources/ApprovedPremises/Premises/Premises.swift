import Foundation

/// An Approved Premises: the minimum that staff belong to. Rooms and beds come with the
/// premises issue.
public struct Premises: Sendable, Equatable, Codable {
    public var id: UUID
    /// A short code, unique nationally (`MAN-01`).
    public var code: String
    public var name: String
    /// The probation region (`probation_regions.csv`).
    public var regionCode: String
    /// The AP type (`ap_types.csv`).
    public var apType: String
    /// `men` or `women`.
    public var gender: String
    /// The premises' local time zone (Europe/London).
    public var timeZone: String
    public var postcode: String?
    public var active: Bool
    public var version: Int
}

/// What an administrator gives to open a premises.
public struct NewPremises: Sendable {
    public var code: String
    public var name: String
    public var regionCode: String
    public var apType: String
    public var gender: String
    public var timeZone: String
    public var postcode: String?

    public init(code: String, name: String, regionCode: String, apType: String, gender: String,
                timeZone: String = "Europe/London", postcode: String? = nil) {
        self.code = code
        self.name = name
        self.regionCode = regionCode
        self.apType = apType
        self.gender = gender
        self.timeZone = timeZone
        self.postcode = postcode
    }

    func validate() throws {
        var validation = Validation()
        validation.require(!name.trimmingCharacters(in: .whitespaces).isEmpty, field: "name", rule: "required", "name is required")
        validation.require(code.range(of: "^[A-Z0-9][A-Z0-9-]{1,15}$", options: .regularExpression) != nil,
                           field: "code", rule: "format", "code must be 2-16 characters: capital letters, digits or '-'")
        validation.require(["men", "women"].contains(gender), field: "gender", rule: "oneOf", "gender must be men or women")
        validation.require(TimeZone(identifier: timeZone) != nil, field: "timeZone", rule: "format",
                           "timeZone must be an IANA time zone such as Europe/London")
        try validation.check()
    }
}
