import Foundation

/// What a practitioner has answered so far in a referral they are writing: every field of
/// `ReferralDetails` that they give (the referrer's own come from their account), each optional
/// until the referral is submitted. Dates are text as sent (`YYYY-MM-DD`), so that a date that
/// cannot be true is named by its field.
public struct ReferralAnswers: Sendable, Equatable, Codable {
    public var crn, nomsNumber, personName, dateOfBirth, gender, pncNumber: String?
    public var releaseType, expectedRelease, expectedArrival, licenceEnd: String?
    public var lengthOfStayDays: Int?
    public var roshOverall, roshChildren, roshPublic, roshKnownAdult, roshStaff, mappaCategory, mappaLevel: String?
    public var riskToStaff, riskToResidents: String?
    public var offenceFlags, roomNeeds, premisesNeeds: [String]?
    public var apType, healthNeeds, mentalHealth, substanceMisuse, servicesInvolved: String?
    public var homeDistrict: String?
    public var radiusMiles: Int?
    public var exclusionZones, preferredAreas: String?
    public var licenceConditions, licenceCurfewStart, licenceCurfewEnd: String?
    public var moveOnPlan, otherInformation: String?

    /// No answers.
    public init() {}
}

/// A referral being written, saved page by page (`referral_draft`, migration 0022).
public struct ReferralDraft: Sendable, Equatable, Codable {
    /// The pages of the apply journey, in order: each saves its own fields, and is saved only
    /// when the intake rules of its fields hold.
    public enum Section: String, Sendable, CaseIterable, Codable {
        case person
        case sentence
        case risk
        case offences
        case needs
        case location
        case licence
        case moveOn = "move-on"

        /// The fields the page asks for, as the API names them.
        public var fields: [String] {
            switch self {
            case .person: ["crn", "nomsNumber", "personName", "dateOfBirth", "gender", "pncNumber"]
            case .sentence: ["releaseType", "expectedRelease", "expectedArrival", "licenceEnd", "lengthOfStayDays"]
            case .risk:
                [
                    "roshOverall", "roshChildren", "roshPublic", "roshKnownAdult", "roshStaff", "mappaCategory", "mappaLevel",
                    "riskToStaff", "riskToResidents",
                ]
            case .offences: ["offenceFlags"]
            case .needs: ["roomNeeds", "premisesNeeds", "apType", "healthNeeds", "mentalHealth", "substanceMisuse", "servicesInvolved"]
            case .location: ["homeDistrict", "radiusMiles", "exclusionZones", "preferredAreas"]
            case .licence: ["licenceConditions", "licenceCurfewStart", "licenceCurfewEnd"]
            case .moveOn: ["moveOnPlan", "otherInformation"]
            }
        }

        /// The fields a referral cannot be without.
        public var required: [String] {
            switch self {
            case .person: ["crn", "personName", "dateOfBirth", "gender"]
            case .sentence: ["releaseType", "expectedArrival"]
            case .risk: ["roshOverall"]
            case .location: ["homeDistrict"]
            case .moveOn: ["moveOnPlan"]
            case .offences, .needs, .licence: []
            }
        }

        /// The page's title, as the task list shows it.
        public var title: String {
            switch self {
            case .person: "The person"
            case .sentence: "Sentence and release"
            case .risk: "Risk"
            case .offences: "Offences that decide the premises"
            case .needs: "Needs"
            case .location: "Location"
            case .licence: "Licence conditions and curfew"
            case .moveOn: "First move-on plan"
            }
        }

        /// The section a field is asked on.
        public static func asking(_ field: String) -> Section? {
            allCases.first { $0.fields.contains(field) }
        }
    }

    public var id: UUID
    public var ownerID: UUID
    public var answers: ReferralAnswers
    /// The pages saved with their rules holding, in the journey's order.
    public var sectionsSaved: [Section]
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    /// Whether every page is saved: the draft can be checked and submitted.
    public var isComplete: Bool { Set(sectionsSaved) == Set(Section.allCases) }
}

extension ReferralAnswers {
    /// The answers of one page only (the others left out), from answers sent for it.
    func only(_ section: ReferralDraft.Section) throws -> [String: Any] {
        try dictionary().filter { section.fields.contains($0.key) }
    }

    /// These answers with one page's replaced by `page`'s (a field left out of the page is removed).
    public func replacing(_ section: ReferralDraft.Section, with page: ReferralAnswers) throws -> ReferralAnswers {
        var all = try dictionary()
        for field in section.fields { all[field] = nil }
        all.merge(try page.only(section)) { _, new in new }
        return try JSONDecoder().decode(ReferralAnswers.self, from: try JSONSerialization.data(withJSONObject: all))
    }

    /// The referral these answers make, written by `referrer`: each answer that is missing is
    /// filled with a value that breaks no rule (so that the rules judge only what was given),
    /// and the problems of the answers that could not be read at all (a date that is no date,
    /// a required answer left blank) are said beside it.
    func details(referrer: Staff, today: CalendarDate) -> (ReferralDetails, [FieldProblem]) {
        var problems = [FieldProblem]()
        func text(_ value: String?) -> String? {
            guard let value, !value.isBlank else { return nil }
            return value
        }
        func date(_ value: String?, _ field: String) -> CalendarDate? {
            guard let value = text(value) else { return nil }
            guard let date = CalendarDate(value.trimmingCharacters(in: .whitespaces)) else {
                problems.append(FieldProblem(field: field, rule: "date", message: "\(field) must be a real date, written YYYY-MM-DD"))
                return nil
            }
            return date
        }
        let object = (try? dictionary()) ?? [:]
        for section in ReferralDraft.Section.allCases {
            for field in section.required where !Self.given(object[field]) {
                problems.append(FieldProblem(field: field, rule: "needed", message: "\(field) is needed: \(section.title) asks for it"))
            }
        }
        var details = ReferralDetails(
            crn: text(crn) ?? "X000000", nomsNumber: text(nomsNumber), personName: text(personName) ?? "Not given",
            dateOfBirth: date(dateOfBirth, "dateOfBirth") ?? today.adding(days: -365 * 40), gender: text(gender) ?? "man",
            pncNumber: text(pncNumber), referrerName: referrer.displayName, referrerEmail: referrer.email ?? "",
            referrerTeam: referrer.team, referrerRegion: referrer.regionCode, releaseType: text(releaseType) ?? "licence",
            expectedRelease: date(expectedRelease, "expectedRelease"), expectedArrival: date(expectedArrival, "expectedArrival") ?? today,
            lengthOfStayDays: lengthOfStayDays, roshOverall: text(roshOverall) ?? "low", roshChildren: text(roshChildren),
            roshPublic: text(roshPublic), roshKnownAdult: text(roshKnownAdult), roshStaff: text(roshStaff),
            mappaCategory: text(mappaCategory), mappaLevel: text(mappaLevel), offenceFlags: offenceFlags ?? [],
            roomNeeds: roomNeeds ?? [], premisesNeeds: premisesNeeds ?? [], apType: text(apType) ?? "NORMAL",
            homeDistrict: text(homeDistrict) ?? "M1", radiusMiles: radiusMiles, exclusionZones: text(exclusionZones),
            preferredAreas: text(preferredAreas), licenceConditions: text(licenceConditions),
            licenceCurfewStart: text(licenceCurfewStart), licenceCurfewEnd: text(licenceCurfewEnd),
            substanceMisuse: text(substanceMisuse), mentalHealth: text(mentalHealth), healthNeeds: text(healthNeeds),
            servicesInvolved: text(servicesInvolved), riskToStaff: text(riskToStaff), riskToResidents: text(riskToResidents),
            otherInformation: text(otherInformation), moveOnPlan: text(moveOnPlan))
        details.licenceEnd = date(licenceEnd, "licenceEnd")
        return (details, problems)
    }

    /// The answers by field name (a field not answered is left out).
    func dictionary() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: try JSONEncoder().encode(self)) as? [String: Any] ?? [:]
    }

    /// Whether an answer is there and not blank.
    static func given(_ value: Any?) -> Bool {
        guard let value else { return false }
        if let text = value as? String { return !text.isBlank }
        return true
    }
}
