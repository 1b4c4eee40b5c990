import ApprovedPremises
import Foundation

/// A referral's details as summary lists: the story the AP's staff read on a placement's
/// profile, and, with the person and their needs, what a referral manager assesses.
enum ReferralSummaries {
    typealias List = PlacementPages.SummaryList

    /// The names a referral's codes are said by.
    struct Names: Sendable {
        let characteristics: [String: String]
        let apTypes: [String: String]
        let releaseTypes: [String: String]
        let regions: [String: String]

        static func read(_ view: WebView) async throws -> Names {
            Names(
                characteristics: try await view.names.characteristics(), apTypes: try await view.names.names("ap-types"),
                releaseTypes: try await view.names.names("release-types"), regions: try await view.names.names("regions"))
        }
    }

    /// Risks, licence conditions, health and the referral itself.
    static func story(_ d: ReferralDetails, words: Wording, names: Names) -> [List] {
        [
            List(
                heading: "Risks",
                rows: [
                    .init(key: "Risk of serious harm", value: ReferenceNames.words(d.roshOverall, in: [:])),
                    .init(key: "To children", value: risk(d.roshChildren)), .init(key: "To the public", value: risk(d.roshPublic)),
                    .init(key: "To a known adult", value: risk(d.roshKnownAdult)), .init(key: "To staff", value: risk(d.roshStaff)),
                    .init(
                        key: "MAPPA", value: d.mappaCategory.map { "Category \($0), level \(d.mappaLevel ?? "not given")" } ?? "Not MAPPA"),
                    .init(key: "Risk to staff", value: text(d.riskToStaff)),
                    .init(key: "Risk to other residents", value: text(d.riskToResidents)),
                ]),
            List(
                heading: "Licence conditions and curfew",
                rows: [
                    .init(key: "Licence conditions", value: text(d.licenceConditions)),
                    .init(
                        key: "Licence curfew",
                        value: d.licenceCurfewStart.map { "\($0) to \(d.licenceCurfewEnd ?? "")" } ?? "The premises' curfew"),
                    .init(key: "Exclusion zones", value: text(d.exclusionZones)),
                    .init(key: "Licence ends", value: d.licenceEnd.map(words.date) ?? "Not given"),
                ]),
            List(heading: "First move-on plan", rows: [.init(key: "Move-on plan", value: text(d.moveOnPlan))]),
            List(
                heading: "Health",
                rows: [
                    .init(key: "Substance misuse", value: text(d.substanceMisuse)),
                    .init(key: "Mental health", value: text(d.mentalHealth)),
                    .init(key: "Physical health", value: text(d.healthNeeds)),
                    .init(key: "Services involved", value: text(d.servicesInvolved)),
                    .init(key: "Other information", value: text(d.otherInformation)),
                ]),
            List(
                heading: "Referral",
                rows: [
                    .init(key: "Referred by", value: "\(d.referrerName) (\(d.referrerEmail))"),
                    .init(key: "Release type", value: ReferenceNames.words(d.releaseType, in: names.releaseTypes)),
                    .init(key: "Date of birth", value: words.date(d.dateOfBirth)),
                ]),
        ]
    }

    /// Who the person is, and what the placement must give them.
    static func assessment(_ d: ReferralDetails, words: Wording, today: CalendarDate, names: Names) -> [List] {
        func named(_ codes: [String]) -> String { ReferenceNames.list(codes, in: names.characteristics) }
        return [
            List(
                heading: "Person",
                rows: [
                    .init(key: "Name", value: d.personName), .init(key: "CRN", value: d.crn),
                    .init(key: "NOMS number", value: text(d.nomsNumber)),
                    .init(key: "PNC number", value: text(d.pncNumber)), .init(key: "Date of birth", value: words.date(d.dateOfBirth)),
                    .init(key: "Gender", value: d.gender.capitalized),
                ]),
            List(
                heading: "Placement wanted",
                rows: [
                    .init(key: "Expected arrival", value: words.date(d.expectedArrival) + Self.inDays(today.days(to: d.expectedArrival))),
                    .init(key: "Length of stay", value: d.lengthOfStayDays.map { "\($0) nights" } ?? "The AP type's usual stay"),
                    .init(key: "Expected release", value: d.expectedRelease.map(words.date) ?? "Not given"),
                    .init(key: "AP type", value: ReferenceNames.words(d.apType, in: names.apTypes)),
                    .init(key: "Near", value: "\(d.homeDistrict), within \(d.radiusMiles.map { "\($0) miles" } ?? "any distance")"),
                    .init(key: "Room needs", value: named(d.roomNeeds)), .init(key: "Premises needs", value: named(d.premisesNeeds)),
                    .init(key: "Preferred areas", value: text(d.preferredAreas)),
                    .init(key: "Offences that limit where", value: ReferenceNames.list(d.offenceFlags, in: [:])),
                ]),
        ]
            + story(d, words: words, names: names).map { list in
                list.heading == "Referral"
                    ? List(
                        heading: "Referral",
                        rows: [
                            .init(key: "Referred by", value: "\(d.referrerName) (\(d.referrerEmail))"),
                            .init(key: "Team", value: text(d.referrerTeam)),
                            .init(key: "Region", value: text(d.referrerRegion.map { names.regions[$0] ?? $0 })),
                            .init(key: "Release type", value: ReferenceNames.words(d.releaseType, in: names.releaseTypes)),
                        ])
                    : list
            }
    }

    /// A matching reason with the characteristic codes it names said in words.
    static func reason(_ text: String, names: [String: String]) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { word in
            let bare = word.trimmingCharacters(in: CharacterSet(charactersIn: ",;()"))
            guard let name = names[bare] else { return String(word) }
            return word.replacingOccurrences(of: bare, with: name.lowercased())
        }.joined(separator: " ")
    }

    /// A level of risk in words (`very_high` is "Very high").
    static func risk(_ value: String?) -> String {
        value.flatMap { $0.isEmpty ? nil : ReferenceNames.words($0, in: [:]) } ?? "None recorded"
    }

    static func text(_ value: String?) -> String { value.flatMap { $0.isEmpty ? nil : $0 } ?? "None recorded" }

    static func list(_ values: [String]) -> String { values.isEmpty ? "None" : values.joined(separator: ", ") }

    static func inDays(_ days: Int) -> String {
        switch days {
        case 0: " (today)"
        case 1: " (tomorrow)"
        case let n where n > 1: " (in \(n) days)"
        case -1: " (yesterday)"
        default: " (\(-days) days ago)"
        }
    }
}
