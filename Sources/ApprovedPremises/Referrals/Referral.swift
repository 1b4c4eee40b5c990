import Foundation
import Postgres

/// What a probation practitioner tells the AP about a person, once: who they are, the risks,
/// the needs, the licence and the services already involved.
public struct ReferralDetails: Sendable, Equatable, Codable {
    public var crn: String
    public var nomsNumber: String?
    public var personName: String
    public var dateOfBirth: CalendarDate
    /// `man` or `woman`: decides men's or women's APs.
    public var gender: String
    public var pncNumber: String?
    public var referrerName: String
    public var referrerEmail: String
    public var referrerTeam: String?
    public var referrerRegion: String?
    /// `release_types.csv`
    public var releaseType: String
    public var expectedRelease: CalendarDate?
    public var expectedArrival: CalendarDate
    /// When the licence (or post-sentence supervision) ends, when known.
    public var licenceEnd: CalendarDate? = nil
    /// Nil for the AP type's default.
    public var lengthOfStayDays: Int?
    /// Risk of serious harm: low, medium, high, very_high.
    public var roshOverall: String
    public var roshChildren: String?
    public var roshPublic: String?
    public var roshKnownAdult: String?
    public var roshStaff: String?
    public var mappaCategory: String?
    public var mappaLevel: String?
    /// `Referral.offenceFlags` codes.
    public var offenceFlags: [String]
    /// Room characteristics one bed must have (`matched_on_bookings`).
    public var roomNeeds: [String]
    /// Premises characteristics the AP must have.
    public var premisesNeeds: [String]
    /// `ap_types.csv`
    public var apType: String
    /// The home or resettlement postcode district (outcode), such as M14.
    public var homeDistrict: String
    public var radiusMiles: Int?
    public var exclusionZones: String?
    /// Areas the person would do well in, in the practitioner's words.
    public var preferredAreas: String? = nil
    public var licenceConditions: String?
    /// The licence curfew, HH:MM to HH:MM, when there is one.
    public var licenceCurfewStart: String?
    public var licenceCurfewEnd: String?
    public var substanceMisuse: String?
    public var mentalHealth: String?
    /// Physical health and the care it needs.
    public var healthNeeds: String? = nil
    public var servicesInvolved: String?
    public var riskToStaff: String?
    public var riskToResidents: String?
    public var otherInformation: String?
    /// The first move-on plan: where the person might live after the AP, and what is under way.
    public var moveOnPlan: String? = nil

    /// A value with each field given.
    public init(
        crn: String, nomsNumber: String? = nil, personName: String, dateOfBirth: CalendarDate, gender: String, pncNumber: String? = nil,
        referrerName: String, referrerEmail: String, referrerTeam: String? = nil, referrerRegion: String? = nil,
        releaseType: String, expectedRelease: CalendarDate? = nil, expectedArrival: CalendarDate, lengthOfStayDays: Int? = nil,
        roshOverall: String, roshChildren: String? = nil, roshPublic: String? = nil, roshKnownAdult: String? = nil,
        roshStaff: String? = nil,
        mappaCategory: String? = nil, mappaLevel: String? = nil, offenceFlags: [String] = [], roomNeeds: [String] = [],
        premisesNeeds: [String] = [], apType: String = "NORMAL", homeDistrict: String, radiusMiles: Int? = nil,
        exclusionZones: String? = nil, preferredAreas: String? = nil, licenceConditions: String? = nil, licenceCurfewStart: String? = nil,
        licenceCurfewEnd: String? = nil, substanceMisuse: String? = nil, mentalHealth: String? = nil, healthNeeds: String? = nil,
        servicesInvolved: String? = nil, riskToStaff: String? = nil, riskToResidents: String? = nil, otherInformation: String? = nil,
        moveOnPlan: String? = nil
    ) {
        self.crn = crn
        self.nomsNumber = nomsNumber
        self.personName = personName
        self.dateOfBirth = dateOfBirth
        self.gender = gender
        self.pncNumber = pncNumber
        self.referrerName = referrerName
        self.referrerEmail = referrerEmail
        self.referrerTeam = referrerTeam
        self.referrerRegion = referrerRegion
        self.releaseType = releaseType
        self.expectedRelease = expectedRelease
        self.expectedArrival = expectedArrival
        self.lengthOfStayDays = lengthOfStayDays
        self.roshOverall = roshOverall
        self.roshChildren = roshChildren
        self.roshPublic = roshPublic
        self.roshKnownAdult = roshKnownAdult
        self.roshStaff = roshStaff
        self.mappaCategory = mappaCategory
        self.mappaLevel = mappaLevel
        self.offenceFlags = offenceFlags
        self.roomNeeds = roomNeeds
        self.premisesNeeds = premisesNeeds
        self.apType = apType
        self.homeDistrict = homeDistrict
        self.radiusMiles = radiusMiles
        self.exclusionZones = exclusionZones
        self.preferredAreas = preferredAreas
        self.licenceConditions = licenceConditions
        self.licenceCurfewStart = licenceCurfewStart
        self.licenceCurfewEnd = licenceCurfewEnd
        self.substanceMisuse = substanceMisuse
        self.mentalHealth = mentalHealth
        self.healthNeeds = healthNeeds
        self.servicesInvolved = servicesInvolved
        self.riskToStaff = riskToStaff
        self.riskToResidents = riskToResidents
        self.otherInformation = otherInformation
        self.moveOnPlan = moveOnPlan
    }
}

/// A referral and where it stands.
public struct Referral: Sendable, Equatable, Codable {
    /// Where a referral stands in the queue.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case submitted
        case awaitingInformation = "awaiting_information"
        case readyToMatch = "ready_to_match"
        case unableToMatch = "unable_to_match"
        case rejected, booked, withdrawn
    }

    public var id: UUID
    public var details: ReferralDetails
    public var status: Status
    public var placementID: UUID?
    /// The premises it was offered to, first offer first: their AP managers may see it.
    public var offeredTo: [UUID] = []
    /// The probation practitioner whose referral it is, when they have an account.
    public var ownerID: UUID? = nil
    /// Why it was withdrawn (`withdrawal_reason`), once it was.
    public var withdrawalReason: String? = nil
    /// Where it stands as its practitioner follows it: the status, with a booking told apart by
    /// what became of the stay, and a referral ready to match by whether it was offered.
    public var stage: Stage = .submitted
    public var version: Int
    public var createdAt: Date

    /// The referral as `principal` may read it: an AP manager learns only of the offer to their
    /// own premises, not which other APs were asked.
    func shown(to principal: Principal) -> Referral {
        guard !ReferralStore.intake.contains(principal.role) else { return self }
        var shown = self
        shown.offeredTo = offeredTo.filter { $0 == principal.premisesID }
        return shown
    }

    /// The offence flags a referral can carry.
    public static let offenceFlags: Set<String> = [
        "sexualOffencesAgainstAdults", "sexualOffencesAgainstChildren", "nonSexualOffencesAgainstChildren",
        "arson", "hateCrime", "terrorism", "domesticAbuse",
    ]

    /// The premises characteristic a premises needs to take a person with a flag.
    public static let acceptanceFor: [String: String] = [
        "sexualOffencesAgainstAdults": "acceptsSexOffenders",
        "sexualOffencesAgainstChildren": "acceptsChildSexOffenders",
        "nonSexualOffencesAgainstChildren": "acceptsNonSexualChildOffenders",
        "hateCrime": "acceptsHateCrimeOffenders",
    ]

    /// The room characteristic a bed needs for a person with a flag.
    public static let roomFor: [String: String] = ["arson": "isArsonSuitable"]

    /// Every room characteristic one bed must have: those asked for, and those the offences need.
    public var requiredRoomCharacteristics: Set<String> {
        Set(details.roomNeeds).union(details.offenceFlags.compactMap { Self.roomFor[$0] })
    }

    /// Every premises characteristic the AP must have: those asked for, and acceptance of each offence.
    public var requiredPremisesCharacteristics: Set<String> {
        Set(details.premisesNeeds).union(details.offenceFlags.compactMap { Self.acceptanceFor[$0] })
    }
}

extension Referral {
    /// Where a referral stands as its practitioner follows it.
    public enum Stage: String, Sendable, Codable, CaseIterable {
        case submitted
        case informationRequested = "information_requested"
        case accepted, offered, booked, arrived
        case notArrived = "not_arrived"
        case departed, rejected, withdrawn
        case unableToMatch = "unable_to_match"
    }
}

/// One entry of a referral's timeline.
public struct ReferralEvent: Sendable, Equatable, Codable {
    public var kind: String
    public var note: String?
    public var placementID: UUID?
    public var staffName: String?
    public var at: Date
}

extension ReferralDetails {
    static let riskLevels: Set<String> = ["low", "medium", "high", "very_high"]

    /// Trims and upper-cases what has a canonical form.
    func normalised() -> ReferralDetails {
        var copy = self
        copy.crn = crn.trimmingCharacters(in: .whitespaces).uppercased()
        copy.nomsNumber = nomsNumber?.trimmingCharacters(in: .whitespaces).uppercased()
        copy.homeDistrict = homeDistrict.trimmingCharacters(in: .whitespaces).uppercased()
        copy.offenceFlags = Array(Set(offenceFlags)).sorted()
        copy.roomNeeds = Array(Set(roomNeeds)).sorted()
        copy.premisesNeeds = Array(Set(premisesNeeds)).sorted()
        return copy
    }

    /// Every rule a person can break in the form, named by field.
    func validate(today: CalendarDate) throws {
        var v = Validation()
        v.require(
            crn.wholeMatch(of: /[A-Z][0-9]{6}/) != nil, field: "crn", rule: "format",
            "crn must be a letter and six digits, such as X123456")
        if let noms = nomsNumber {
            v.require(
                noms.wholeMatch(of: /[A-Z][0-9]{4}[A-Z]{2}/) != nil, field: "nomsNumber", rule: "format",
                "nomsNumber must look like A1234BC")
        }
        v.require(!personName.isBlank, field: "personName", rule: "required", "personName is required")
        v.require(
            dateOfBirth.adding(days: 365 * 18) <= today && dateOfBirth.adding(days: 365 * 100) > today, field: "dateOfBirth", rule: "age",
            "dateOfBirth must make the person 18 to 100 years old")
        v.require(["man", "woman"].contains(gender), field: "gender", rule: "oneOf", "gender must be man or woman")
        v.require(
            EmailText.looksValid(referrerEmail), field: "referrerEmail",
            rule: "format", "referrerEmail must look like name@example.org")
        v.require(!referrerName.isBlank, field: "referrerName", rule: "required", "referrerName is required")
        if let release = expectedRelease {
            v.require(
                release <= expectedArrival, field: "expectedArrival", rule: "order", "expectedArrival must be on or after expectedRelease")
        }
        if let end = licenceEnd {
            v.require(end >= expectedArrival, field: "licenceEnd", rule: "order", "licenceEnd must be on or after expectedArrival")
        }
        if let days = lengthOfStayDays {
            v.require((1...730).contains(days), field: "lengthOfStayDays", rule: "range", "lengthOfStayDays must be between 1 and 730")
        }
        for (field, level) in [
            ("roshOverall", Optional(roshOverall)), ("roshChildren", roshChildren), ("roshPublic", roshPublic),
            ("roshKnownAdult", roshKnownAdult), ("roshStaff", roshStaff),
        ] {
            if let level {
                v.require(Self.riskLevels.contains(level), field: field, rule: "oneOf", "\(field) must be low, medium, high or very_high")
            }
        }
        if let category = mappaCategory {
            v.require(["1", "2", "3", "4"].contains(category), field: "mappaCategory", rule: "oneOf", "mappaCategory must be 1, 2, 3 or 4")
        }
        if let level = mappaLevel {
            v.require(["1", "2", "3"].contains(level), field: "mappaLevel", rule: "oneOf", "mappaLevel must be 1, 2 or 3")
        }
        let unknownFlags = offenceFlags.filter { !Referral.offenceFlags.contains($0) }
        v.require(
            unknownFlags.isEmpty, field: "offenceFlags", rule: "oneOf",
            "offenceFlags may hold only \(Referral.offenceFlags.sorted().joined(separator: ", ")); not \(DomainError.quoting(unknownFlags.joined(separator: ", ")))"
        )
        v.require(
            (licenceCurfewStart == nil) == (licenceCurfewEnd == nil), field: "licenceCurfewEnd", rule: "pair",
            "a licence curfew needs both licenceCurfewStart and licenceCurfewEnd")
        for (field, value) in [("licenceCurfewStart", licenceCurfewStart), ("licenceCurfewEnd", licenceCurfewEnd)] {
            if let value {
                v.require(
                    value.wholeMatch(of: /([01][0-9]|2[0-3]):[0-5][0-9]/) != nil, field: field, rule: "format",
                    "\(field) must be a time written HH:MM, such as 19:00")
            }
        }
        if let radius = radiusMiles {
            v.require((1...1000).contains(radius), field: "radiusMiles", rule: "range", "radiusMiles must be between 1 and 1000")
        }
        try v.check()
    }
}
