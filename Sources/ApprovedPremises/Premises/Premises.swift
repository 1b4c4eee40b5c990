import Foundation

/// An Approved Premises: what it is, where, whom it takes, and its house rules. Its rooms and
/// beds are in `Beds/`.
public struct Premises: Sendable, Equatable, Codable {
    /// The zone a premises is in unless it says otherwise, and the zone of national views
    /// (reports across regions, staff who work at no premises): the one place it is named.
    public static let defaultTimeZoneIdentifier = "Europe/London"
    /// `defaultTimeZoneIdentifier` as a zone.
    public static let defaultTimeZone = TimeZone(identifier: defaultTimeZoneIdentifier)!

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
    public var address: String?
    /// The premises' telephone number.
    public var telephone: String? = nil
    /// Premises characteristics (`premises_characteristics.csv`): what it offers and accepts.
    public var characteristics: [String]
    /// Local restrictions, in the AP's own words.
    public var localRestrictions: String?
    /// The premises' curfew, local wall-clock `HH:MM` to `HH:MM`.
    public var curfewStart: String
    public var curfewEnd: String
    /// When night checks run, and how often.
    public var nightCheckStart: String
    public var nightCheckEnd: String
    public var nightCheckIntervalMinutes: Int
    /// How often each resident's key-work session is due, in days.
    public var keyWorkIntervalDays: Int
    /// After how many days a laboratory result still awaited is listed as pending.
    public var labResultDays: Int
    /// False once archived.
    public var active: Bool
    public var version: Int
}

/// The fields of a premises that can change; nil leaves a field as it is.
public struct PremisesChanges: Sendable {
    public var name: String?
    public var address: String?
    public var postcode: String?
    public var telephone: String?
    public var localRestrictions: String?
    public var characteristics: [String]?
    public var curfewStart: String?
    public var curfewEnd: String?
    public var nightCheckStart: String?
    public var nightCheckEnd: String?
    public var nightCheckIntervalMinutes: Int?
    public var keyWorkIntervalDays: Int?
    public var labResultDays: Int?
    public var active: Bool?

    /// A value with each field given.
    public init(
        name: String? = nil, address: String? = nil, postcode: String? = nil, localRestrictions: String? = nil,
        characteristics: [String]? = nil, curfewStart: String? = nil, curfewEnd: String? = nil,
        nightCheckStart: String? = nil, nightCheckEnd: String? = nil, nightCheckIntervalMinutes: Int? = nil,
        keyWorkIntervalDays: Int? = nil, labResultDays: Int? = nil, active: Bool? = nil, telephone: String? = nil
    ) {
        self.telephone = telephone
        self.name = name
        self.address = address
        self.postcode = postcode
        self.localRestrictions = localRestrictions
        self.characteristics = characteristics
        self.curfewStart = curfewStart
        self.curfewEnd = curfewEnd
        self.nightCheckStart = nightCheckStart
        self.nightCheckEnd = nightCheckEnd
        self.nightCheckIntervalMinutes = nightCheckIntervalMinutes
        self.keyWorkIntervalDays = keyWorkIntervalDays
        self.labResultDays = labResultDays
        self.active = active
    }

    func validate() throws {
        var validation = Validation()
        if let name { validation.require(!name.isBlank, field: "name", rule: "required", "name must not be empty") }
        for (field, value) in [
            ("curfewStart", curfewStart), ("curfewEnd", curfewEnd), ("nightCheckStart", nightCheckStart), ("nightCheckEnd", nightCheckEnd),
        ] {
            if let value {
                validation.require(
                    value.wholeMatch(of: /([01][0-9]|2[0-3]):[0-5][0-9]/) != nil,
                    field: field, rule: "format", "\(field) must be a time written HH:MM, such as 23:00")
            }
        }
        if let minutes = nightCheckIntervalMinutes {
            validation.require(
                (15...240).contains(minutes), field: "nightCheckIntervalMinutes", rule: "range",
                "nightCheckIntervalMinutes must be between 15 and 240")
        }
        if let days = keyWorkIntervalDays {
            validation.require(
                (1...60).contains(days), field: "keyWorkIntervalDays", rule: "range", "keyWorkIntervalDays must be between 1 and 60")
        }
        if let days = labResultDays {
            validation.require((1...60).contains(days), field: "labResultDays", rule: "range", "labResultDays must be between 1 and 60")
        }
        try validation.check()
    }
}

extension PremisesChanges {
    /// The curfew and the night checks, once changed, each last some time: a window from 07:00
    /// to 07:00 would be no curfew at all, or one that never ends.
    func checkWindows(against current: Premises) throws {
        var validation = Validation()
        if (curfewStart ?? current.curfewStart) == (curfewEnd ?? current.curfewEnd) {
            validation.add(
                field: curfewEnd != nil ? "curfewEnd" : "curfewStart", rule: "window",
                "the curfew needs a length: curfewStart and curfewEnd must differ")
        }
        if (nightCheckStart ?? current.nightCheckStart) == (nightCheckEnd ?? current.nightCheckEnd) {
            validation.add(
                field: nightCheckEnd != nil ? "nightCheckEnd" : "nightCheckStart", rule: "window",
                "the night checks need a length: nightCheckStart and nightCheckEnd must differ")
        }
        try validation.check()
    }
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

    /// A value with each field given.
    public init(
        code: String, name: String, regionCode: String, apType: String, gender: String,
        timeZone: String = Premises.defaultTimeZoneIdentifier, postcode: String? = nil
    ) {
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
        validation.require(!name.isBlank, field: "name", rule: "required", "name is required")
        validation.require(
            code.wholeMatch(of: /[A-Z0-9][A-Z0-9-]{1,15}/) != nil,
            field: "code", rule: "format", "code must be 2-16 characters: capital letters, digits or '-'")
        validation.require(["men", "women"].contains(gender), field: "gender", rule: "oneOf", "gender must be men or women")
        validation.require(
            TimeZone(identifier: timeZone) != nil, field: "timeZone", rule: "timeZone",
            "timeZone must be an IANA time zone such as Europe/London")
        try validation.check()
    }
}
