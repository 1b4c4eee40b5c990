import APClient
import ArgumentParser
import Foundation

/// Finding the resident a day-time command is about: a current resident as `ap tonight` finds
/// them, or (for someone who has left in the last year) their name, CRN or placement id.
struct ResidentArgument: ParsableArguments {
    @Argument(help: "The resident: bed number, initials, part of the name, or a placement id.") var who: String

    /// The resident's placement id and name.
    func placementID(_ client: Client, at premises: PremisesContext) async throws -> (id: String, name: String) {
        if UUID(uuidString: who) != nil { return (who.lowercased(), who) }
        do {
            let resident = try ResidentFinder.find(who, in: try await client.tonight(premises.id))
            return (resident.placementId, resident.personName)
        } catch let notHere as ResidentFinder.NoMatch {
            // Someone who has left in the last year: by name or CRN only.
            let wanted = who.lowercased()
            let local = premises.local
            let placements = try await client.listPlacements(
                path: .init(premisesId: premises.id),
                query: .init(from: local.day(daysFromToday: -365), to: local.day(daysFromToday: 1))
            ).ok.body.json
            let left = placements.filter {
                $0.departedAt != nil && ($0.personName.lowercased().contains(wanted) || $0.crn.lowercased() == wanted)
            }
            guard left.count == 1 else {
                if left.count > 1 {
                    throw CLIError(
                        "\(Excerpt.quoted(who)) could be " + left.map { "\($0.personName) (\($0.crn), left)" }.joined(separator: ", ")
                            + "; say more")
                }
                throw CLIError(notHere.description)
            }
            // Said, so that nobody takes someone who has left for a resident.
            FileHandle.standardError.write(
                Data(
                    "\(left[0].personName) (\(left[0].crn)) left on \(left[0].departureDate ?? "?"); no current resident matches \(Excerpt.quoted(who))\n"
                        .utf8))
            return (left[0].id, left[0].personName)
        }
    }
}

/// Finds a resident the way night staff say them: a bed label, initials, or part of a name.
enum ResidentFinder {
    /// Nobody in residence matches (as opposed to several doing so, which is a question).
    struct NoMatch: Error, CustomStringConvertible {
        let description: String
    }

    /// The one resident `query` names; ambiguity is an error listing who it could be.
    static func find(_ query: String, in residents: [Components.Schemas.ResidentState]) throws -> Components.Schemas.ResidentState {
        let wanted = query.trimmingCharacters(in: .whitespaces).lowercased()
        func initials(_ name: String) -> String { String(name.split(separator: " ").compactMap(\.first)).lowercased() }
        let byBed = residents.filter { $0.bedLabel?.lowercased() == wanted }
        let byInitials = residents.filter { initials($0.personName) == wanted }
        let byName = residents.filter { $0.personName.lowercased().contains(wanted) || $0.crn.lowercased() == wanted }
        for found in [byBed, byInitials, byName] where !found.isEmpty {
            if found.count == 1 { return found[0] }
            throw CLIError(
                "\(Excerpt.quoted(query)) could be " + found.map { "\($0.personName) (bed \($0.bedLabel ?? "-"))" }.joined(separator: ", ")
                    + "; say more")
        }
        throw NoMatch(
            description:
                "no resident here matches \(Excerpt.quoted(query)): give a bed number, initials or part of a name (ap tonight lists them)")
    }
}

extension Client {
    /// Who is in now, late first.
    func tonight(_ premisesID: String) async throws -> [Components.Schemas.ResidentState] {
        try await getTonight(path: .init(premisesId: premisesID)).ok.body.json
    }
}

/// The placement a placement command is about: its id, or the person (a current resident as
/// `ap tonight` finds them; for an arrival, someone expected within a week).
struct PlacementArgument: ParsableArguments {
    @Argument(help: "The placement's id, or the person: bed number, initials, part of the name or CRN.") var who: String

    func validate() throws {
        guard !who.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("say which placement: its id (ap placements list shows them) or the person's name")
        }
    }

    /// The placement's id; `arriving` looks among those expected within a week rather than the residents.
    func placementID(at premises: AtPremises, arriving: Bool = false) async throws -> String {
        let text = who.trimmingCharacters(in: .whitespaces)
        if UUID(uuidString: text) != nil { return text.lowercased() }
        let (client, here) = try await premises.open()
        guard arriving else { return try ResidentFinder.find(text, in: try await client.tonight(here.id)).placementId }
        let local = here.local
        let expected = try await client.listPlacements(
            path: .init(premisesId: here.id), query: .init(from: local.day(daysFromToday: -7), to: local.day(daysFromToday: 8))
        ).ok.body.json
            .filter { $0.status == .upcoming }
        let wanted = text.lowercased()
        let found = expected.filter { $0.personName.lowercased().contains(wanted) || $0.crn.lowercased() == wanted }
        guard found.count == 1 else {
            if found.isEmpty {
                throw CLIError(
                    "nobody expected here this week matches \(Excerpt.quoted(text)): give the placement's id (ap placements list shows them)"
                )
            }
            throw CLIError(
                "\(Excerpt.quoted(text)) could be "
                    + found.map { "\($0.personName) (\($0.crn), expected \($0.expectedArrival))" }.joined(separator: ", ") + "; say more")
        }
        return found[0].id
    }
}
