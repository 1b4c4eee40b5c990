import ApprovedPremises
import Foundation

/// The questions of each section of the apply journey, and the answers a posted section gives.
/// The form's field ids are the API's field names, so a problem the store names (its intake
/// rules, applied to the section's fields) lands on its question; the page itself only reads
/// dates (three boxes) and whole numbers, and checks nothing else.
enum ApplySections {
    /// The vocabularies the questions offer.
    struct Choices: Sendable {
        let releaseTypes: [ReferenceEntry]
        let apTypes: [ReferenceEntry]
        let roomNeeds: [ReferenceEntry]
        let premisesNeeds: [ReferenceEntry]

        /// The four lists, read side by side.
        static func read(_ view: WebView) async throws -> Choices {
            let reference = view.stores.reference
            async let releaseTypes = reference.entries(of: "release-types")
            async let apTypes = reference.entries(of: "ap-types")
            async let rooms = reference.entries(of: "room-characteristics")
            async let premises = reference.entries(of: "premises-characteristics")
            return Choices(
                releaseTypes: try await releaseTypes, apTypes: try await apTypes,
                roomNeeds: try await rooms.filter { $0.detail == "matchedOnBookings" }, premisesNeeds: try await premises)
        }
    }

    static let riskLevels = [("low", "Low"), ("medium", "Medium"), ("high", "High"), ("very_high", "Very high")]

    /// The offences that decide which premises may take the person.
    static let offences = [
        ("sexualOffencesAgainstAdults", "Sexual offences against adults"),
        ("sexualOffencesAgainstChildren", "Sexual offences against children"),
        ("nonSexualOffencesAgainstChildren", "Non-sexual offences against children"), ("arson", "Arson"),
        ("hateCrime", "Hate crime"), ("terrorism", "Terrorism"), ("domesticAbuse", "Domestic abuse"),
    ]

    /// The section's questions, showing `answers` (saved, or as posted when shown again).
    static func fields(_ section: ReferralDraft.Section, _ answers: ReferralAnswers, posted: FormFields?, choices: Choices)
        -> [FormModel.Field]
    {
        func options(_ pairs: [(String, String)], _ chosen: [String]) -> [FormModel.Option] {
            pairs.map { .init(value: $0.0, text: $0.1, hint: nil, checked: chosen.contains($0.0)) }
        }
        func entries(_ list: [ReferenceEntry]) -> [(String, String)] { list.map { ($0.code, $0.name) } }
        func date(_ id: String, _ label: String, name: String? = nil, hint: String, _ value: String?) -> FormModel.Field {
            .date(id, label, name: name, hint: hint, value: value.flatMap(CalendarDate.init), posted: posted)
        }
        let a = answers
        switch section {
        case .person:
            return [
                .input(
                    "crn", "CRN", name: "the CRN", hint: "The case reference number from NDelius: a letter and six digits, such as X123456",
                    value: a.crn),
                .input("personName", "Full name", value: a.personName),
                date("dateOfBirth", "Date of birth", hint: "For example, 27 3 1985", a.dateOfBirth),
                .radios(
                    "gender", "Gender", hint: "This decides whether a men's or a women's AP",
                    options: options([("man", "Man"), ("woman", "Woman")], [a.gender].compactMap { $0 })),
                .input(
                    "nomsNumber", "Prison number (optional)", name: "the prison number", hint: "The NOMS number, such as A1234BC",
                    value: a.nomsNumber),
                .input("pncNumber", "PNC number (optional)", name: "the PNC number", value: a.pncNumber),
            ]
        case .sentence:
            return [
                .radios("releaseType", "Release type", options: options(entries(choices.releaseTypes), [a.releaseType].compactMap { $0 })),
                date(
                    "expectedRelease", "Release date (optional)", name: "the release date",
                    hint: "Leave blank if they are not in custody. For example, 14 2 2027", a.expectedRelease),
                date(
                    "expectedArrival", "Date they should arrive at the AP", name: "the date they should arrive",
                    hint: "On or after the release date", a.expectedArrival),
                date(
                    "licenceEnd", "Licence end date (optional)", name: "the licence end date", hint: "On or after the date they arrive",
                    a.licenceEnd),
                .input(
                    "lengthOfStayDays", "Length of stay in nights (optional)", name: "the length of stay",
                    hint: "Leave blank for the usual stay of the type of AP (12 weeks for most)", value: a.lengthOfStayDays.map(String.init)
                ),
            ]
        case .risk:
            func level(_ id: String, _ label: String, _ value: String?) -> FormModel.Field {
                .select(id, label, value: value, choices: riskLevels)
            }
            return [
                .radios(
                    "roshOverall", "Overall risk of serious harm (RoSH)", name: "the overall risk of serious harm",
                    options: options(riskLevels, [a.roshOverall].compactMap { $0 })),
                level("roshChildren", "Risk to children (optional)", a.roshChildren),
                level("roshPublic", "Risk to the public (optional)", a.roshPublic),
                level("roshKnownAdult", "Risk to a known adult (optional)", a.roshKnownAdult),
                level("roshStaff", "Risk to staff (optional)", a.roshStaff),
                .select(
                    "mappaCategory", "MAPPA category (optional)", name: "the MAPPA category", value: a.mappaCategory,
                    choices: ["1", "2", "3", "4"].map { ($0, "Category \($0)") }),
                .select(
                    "mappaLevel", "MAPPA level (optional)", name: "the MAPPA level", value: a.mappaLevel,
                    choices: ["1", "2", "3"].map { ($0, "Level \($0)") }),
                .textarea(
                    "riskToStaff", "Risks to staff (optional)", name: "the risks to staff",
                    hint: "What staff should know and do to stay safe", value: a.riskToStaff),
                .textarea(
                    "riskToResidents", "Risks to other residents (optional)", name: "the risks to other residents", value: a.riskToResidents
                ),
            ]
        case .offences:
            return [
                .checkboxes(
                    "offenceFlags", "Has the person committed any of these offences?", name: "the offences",
                    hint: "Tick each that applies; leave all unticked if none does. Some premises cannot take some offences.",
                    options: options(offences, a.offenceFlags ?? []))
            ]
        case .needs:
            return [
                .checkboxes(
                    "roomNeeds", "Room and accessibility needs", name: "the room needs",
                    hint: "What one bed must have. Leave all unticked if none.",
                    options: options(entries(choices.roomNeeds), a.roomNeeds ?? [])),
                .checkboxes(
                    "premisesNeeds", "What the premises must offer", name: "the premises needs", hint: "Leave all unticked if none.",
                    options: options(entries(choices.premisesNeeds), a.premisesNeeds ?? [])),
                .select(
                    "apType", "Type of AP (optional)", name: "the type of AP", hint: "Leave as it is for a standard AP", value: a.apType,
                    choices: entries(choices.apTypes)),
                .textarea(
                    "healthNeeds", "Physical health (optional)", name: "the physical health needs",
                    hint: "Conditions, medication and care the AP should know of", value: a.healthNeeds),
                .textarea("mentalHealth", "Mental health (optional)", name: "the mental health needs", value: a.mentalHealth),
                .textarea("substanceMisuse", "Substance misuse (optional)", name: "the substance misuse", value: a.substanceMisuse),
                .textarea(
                    "servicesInvolved", "Services already involved (optional)", name: "the services involved", value: a.servicesInvolved),
            ]
        case .location:
            return [
                .input(
                    "homeDistrict", "Home postcode district", name: "the home postcode district",
                    hint: "The first part of the postcode of home or where they will resettle, such as M14", value: a.homeDistrict),
                .input(
                    "radiusMiles", "How far from there, in miles (optional)", name: "how far from there", hint: "Leave blank for anywhere",
                    value: a.radiusMiles.map(String.init)),
                .textarea(
                    "exclusionZones", "Exclusion zones (optional)", name: "the exclusion zones",
                    hint: "Places the licence keeps them out of", value: a.exclusionZones),
                .textarea("preferredAreas", "Areas they would do well in (optional)", name: "the preferred areas", value: a.preferredAreas),
            ]
        case .licence:
            return [
                .textarea("licenceConditions", "Licence conditions (optional)", name: "the licence conditions", value: a.licenceConditions),
                .time(
                    "licenceCurfewStart", "Licence curfew from (optional)", name: "the time the licence curfew starts",
                    hint: "Leave both times blank if the licence has no curfew. Use the 24-hour clock, for example 19:00",
                    value: a.licenceCurfewStart),
                .time(
                    "licenceCurfewEnd", "Licence curfew until (optional)", name: "the time the licence curfew ends",
                    hint: "For example 07:00", value: a.licenceCurfewEnd),
            ]
        case .moveOn:
            return [
                .textarea(
                    "moveOnPlan", "The first move-on plan", name: "the move-on plan",
                    hint: "Where they might live after the AP, and what is under way (housing register, family, supported housing)",
                    value: a.moveOnPlan),
                .textarea(
                    "otherInformation", "Anything else the AP should know (optional)", name: "anything else", value: a.otherInformation),
            ]
        }
    }

    /// The answers a posted section gives, with the mistakes of reading its dates and numbers.
    static func answers(_ section: ReferralDraft.Section, _ fields: FormFields, names: [String: String]) -> (ReferralAnswers, Validation) {
        var a = ReferralAnswers()
        var v = Validation()
        func date(_ id: String) -> String? {
            DateInput.date(fields, id, name: names[id] ?? id, required: false, into: &v)?.description
        }
        func number(_ id: String) -> Int? {
            guard let text = fields[id] else { return nil }
            guard let value = Int(text) else {
                v.add(field: id, rule: "number", "\(Wording.plain(names[id] ?? id)) must be a whole number, such as 84")
                return nil
            }
            return value
        }
        func list(_ id: String) -> [String] { fields.all(id).filter { !$0.isEmpty } }
        switch section {
        case .person:
            (a.crn, a.personName, a.gender, a.nomsNumber, a.pncNumber) = (
                fields["crn"], fields["personName"], fields["gender"], fields["nomsNumber"], fields["pncNumber"]
            )
            a.dateOfBirth = date("dateOfBirth")
        case .sentence:
            a.releaseType = fields["releaseType"]
            (a.expectedRelease, a.expectedArrival, a.licenceEnd) = (date("expectedRelease"), date("expectedArrival"), date("licenceEnd"))
            a.lengthOfStayDays = number("lengthOfStayDays")
        case .risk:
            (a.roshOverall, a.roshChildren, a.roshPublic, a.roshKnownAdult, a.roshStaff) = (
                fields["roshOverall"], fields["roshChildren"], fields["roshPublic"], fields["roshKnownAdult"], fields["roshStaff"]
            )
            (a.mappaCategory, a.mappaLevel, a.riskToStaff, a.riskToResidents) = (
                fields["mappaCategory"], fields["mappaLevel"], fields["riskToStaff"], fields["riskToResidents"]
            )
        case .offences:
            a.offenceFlags = list("offenceFlags")
        case .needs:
            (a.roomNeeds, a.premisesNeeds, a.apType) = (list("roomNeeds"), list("premisesNeeds"), fields["apType"])
            (a.healthNeeds, a.mentalHealth, a.substanceMisuse, a.servicesInvolved) = (
                fields["healthNeeds"], fields["mentalHealth"], fields["substanceMisuse"], fields["servicesInvolved"]
            )
        case .location:
            (a.homeDistrict, a.exclusionZones, a.preferredAreas) = (
                fields["homeDistrict"], fields["exclusionZones"], fields["preferredAreas"]
            )
            a.radiusMiles = number("radiusMiles")
        case .licence:
            (a.licenceConditions, a.licenceCurfewStart, a.licenceCurfewEnd) = (
                fields["licenceConditions"], fields["licenceCurfewStart"], fields["licenceCurfewEnd"]
            )
        case .moveOn:
            (a.moveOnPlan, a.otherInformation) = (fields["moveOnPlan"], fields["otherInformation"])
        }
        return (a, v)
    }

    /// How a problem of the store is said on the page: a missing answer as GOV.UK asks for it
    /// ("Enter the CRN", "Choose the gender"), anything else in the store's words with the
    /// question's name for each field.
    static func message(_ problem: FieldProblem, field: FormModel.Field?, names: [String: String]) -> String {
        if problem.rule == "needed", let field {
            let verb = field.isRadios || field.isSelect || field.isCheckboxes ? "Choose" : "Enter"
            return "\(verb) \(field.name)"
        }
        var message = problem.message
        if let field, message.hasPrefix(problem.field + " ") {
            // "crn must be…": the question's own name, as every other field's is said.
            message = field.name + message.dropFirst(problem.field.count)
        }
        return Wording.plain(message, names: names)
    }
}
