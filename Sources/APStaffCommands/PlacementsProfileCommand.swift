import APClient
import ArgumentParser
import Foundation

struct PlacementsProfile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "A resident's story from their referral: risks, needs, licence conditions and curfew, services involved.",
        discussion: "What the referral said, told once, so that nobody asks again.\n\nExample:  ap placements profile dan")

    @OptionGroup var premises: AtPremises
    @OptionGroup var placementArgument: PlacementArgument
    @Flag(help: "Print JSON instead of text.") var json = false

    func run() async throws {
        let (client, _) = try await premises.service.session()
        let placement = try await placementArgument.placementID(at: premises)
        let referral = try await client.getPlacementProfile(path: .init(placementId: placement)).ok.body.json
        if json {
            try Terminal.printJSON(referral)
            return
        }
        let d = referral.details
        func line(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { print("\(label.padding(toLength: 20, withPad: " ", startingAt: 0)) \(value)") }
        }
        print("\(d.personName) (\(d.crn))")
        line(
            "risk of serious harm",
            "overall \(d.roshOverall.rawValue); children \(d.roshChildren?.rawValue ?? "-"); public \(d.roshPublic?.rawValue ?? "-"); known adult \(d.roshKnownAdult?.rawValue ?? "-"); staff \(d.roshStaff?.rawValue ?? "-")"
        )
        line("MAPPA", d.mappaCategory.map { "category \($0.rawValue), level \(d.mappaLevel?.rawValue ?? "-")" })
        line("offences", d.offenceFlags?.map(\.rawValue).joined(separator: ", "))
        line("licence conditions", d.licenceConditions)
        line("licence curfew", d.licenceCurfewStart.map { "\($0)-\(d.licenceCurfewEnd ?? "")" })
        line("exclusion zones", d.exclusionZones)
        line("substance misuse", d.substanceMisuse)
        line("mental health", d.mentalHealth)
        line("services involved", d.servicesInvolved)
        line("risk to staff", d.riskToStaff)
        line("risk to residents", d.riskToResidents)
        line("anything else", d.otherInformation)
        line("referred by", "\(d.referrerName) <\(d.referrerEmail)>\(d.referrerTeam.map { ", \($0)" } ?? "")")
    }
}
