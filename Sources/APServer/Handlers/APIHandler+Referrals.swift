import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listReferrals(_ input: Operations.ListReferrals.Input) async throws -> Operations.ListReferrals.Output {
        // A comma-separated list of statuses, exactly as the document's pattern says (no spaces, no empty items).
        var statuses = [Referral.Status]()
        for text in (input.query.status?.split(separator: ",", omittingEmptySubsequences: false) ?? []) {
            guard let status = Referral.Status(rawValue: String(text)) else {
                throw DomainError.invalid(
                    field: "status", rule: "oneOf",
                    "status is a comma-separated list of \(Referral.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            statuses.append(status)
        }
        let page = try await stores.referrals.queue(
            statuses: statuses, by: try RequestScope.caller(),
            page: try Input.page(limit: input.query.limit, cursor: input.query.cursor))
        return try .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.Referral.init), nextCursor: page.nextCursor))))
    }

    func createReferral(_ input: Operations.CreateReferral.Input) async throws -> Operations.CreateReferral.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the referral as JSON") }
        let referral = try await stores.referrals.create(
            try body.domain(), by: try RequestScope.caller(),
            today: CalendarDate.today(in: Premises.defaultTimeZone))
        return try .created(.init(body: .json(.init(referral))))
    }

    func getReferral(_ input: Operations.GetReferral.Input) async throws -> Operations.GetReferral.Output {
        let (referral, timeline) = try await stores.referrals.get(
            try Input.uuid(input.path.referralId, field: "referralId"), by: try RequestScope.caller())
        return .ok(
            .init(
                body: .json(
                    .init(
                        referral: try .init(referral),
                        timeline: try timeline.map {
                            .init(
                                kind: try contractValue($0.kind, field: "kind"), note: $0.note, placementId: $0.placementID?.lowercased,
                                staffName: $0.staffName, at: $0.at)
                        }))))
    }

    func decideReferral(_ input: Operations.DecideReferral.Input) async throws -> Operations.DecideReferral.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the decision as JSON") }
        let note = body.note ?? ""
        let decision: ReferralStore.Decision =
            switch body.decision {
            case .accept: .accept(note: body.note)
            case .reject: .reject(reason: note)
            case .requestInformation: .requestInformation(question: note)
            case .provideInformation: .provideInformation(answer: note)
            case .unableToMatch: .unableToMatch(reason: note)
            case .withdraw: .withdraw(reason: body.note, code: body.withdrawalReason)
            case .addInformation: .addInformation(text: note)
            }
        let referral = try await stores.referrals.decide(
            try Input.uuid(input.path.referralId, field: "referralId"), decision,
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(referral))))
    }

    func matchReferral(_ input: Operations.MatchReferral.Input) async throws -> Operations.MatchReferral.Output {
        if let radius = input.query.radiusMiles, !(1...1000).contains(radius) {
            throw DomainError.invalid(field: "radiusMiles", rule: "range", "radiusMiles must be between 1 and 1000")
        }
        let result = try await stores.referrals.match(
            try Input.uuid(input.path.referralId, field: "referralId"),
            arrival: try Input.optionalDate(input.query.arrival, field: "arrival"),
            radiusMiles: input.query.radiusMiles, by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(result))))
    }

    func offerReferral(_ input: Operations.OfferReferral.Input) async throws -> Operations.OfferReferral.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the offer as JSON") }
        let referral = try await stores.referrals.offer(
            try Input.uuid(input.path.referralId, field: "referralId"), to: try Input.uuid(body.premisesId, field: "premisesId"),
            by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(referral))))
    }

    func bookReferral(_ input: Operations.BookReferral.Input) async throws -> Operations.BookReferral.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the booking as JSON") }
        let (referral, placement) = try await stores.referrals.book(
            try Input.uuid(input.path.referralId, field: "referralId"), premisesID: try Input.uuid(body.premisesId, field: "premisesId"),
            bedID: try Input.optionalUUID(body.bedId, field: "bedId"), arrival: try Input.optionalDate(body.arrival, field: "arrival"),
            departure: try Input.optionalDate(body.departure, field: "departure"), by: try RequestScope.caller())
        return try .created(.init(body: .json(.init(referral: .init(referral), placement: .init(placement)))))
    }

    func handOverReferral(_ input: Operations.HandOverReferral.Input) async throws -> Operations.HandOverReferral.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the practitioner as JSON") }
        let referral = try await stores.referrals.handOver(
            try Input.uuid(input.path.referralId, field: "referralId"),
            to: try Input.uuid(body.practitionerId, field: "practitionerId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(try .init(referral))))
    }

    func getReferralProgress(_ input: Operations.GetReferralProgress.Input) async throws -> Operations.GetReferralProgress.Output {
        let progress = try await stores.referrals.progress(
            try Input.uuid(input.path.referralId, field: "referralId"), by: try RequestScope.caller())
        return .ok(.init(body: .json(try Self.transcoded(progress))))
    }

    func getReferralDepartureSummary(_ input: Operations.GetReferralDepartureSummary.Input) async throws
        -> Operations.GetReferralDepartureSummary.Output
    {
        let summary = try await stores.referrals.departureSummary(
            try Input.uuid(input.path.referralId, field: "referralId"), by: try RequestScope.caller(), records: stores.residentRecords)
        return .ok(.init(body: .json(.init(summary))))
    }
}

extension Components.Schemas.Referral {
    init(_ referral: ApprovedPremises.Referral) throws {
        self.init(
            id: referral.id.lowercased, status: .init(referral.status), placementId: referral.placementID?.lowercased,
            offeredTo: referral.offeredTo.map(\.lowercased), ownerId: referral.ownerID?.lowercased,
            withdrawalReason: referral.withdrawalReason, stage: try contractValue(referral.stage.rawValue, field: "stage"),
            version: referral.version, createdAt: referral.createdAt,
            details: try .init(referral.details))
    }
}

extension Components.Schemas.ReferralDetails {
    init(_ d: ApprovedPremises.ReferralDetails) throws {
        self.init(
            crn: d.crn, nomsNumber: d.nomsNumber, personName: d.personName, dateOfBirth: d.dateOfBirth.description,
            gender: try contractValue(d.gender, field: "gender"), pncNumber: d.pncNumber, referrerName: d.referrerName,
            referrerEmail: d.referrerEmail,
            referrerTeam: d.referrerTeam, referrerRegion: d.referrerRegion, releaseType: d.releaseType,
            expectedRelease: d.expectedRelease?.description, expectedArrival: d.expectedArrival.description,
            licenceEnd: d.licenceEnd?.description, lengthOfStayDays: d.lengthOfStayDays,
            roshOverall: try contractValue(d.roshOverall, field: "roshOverall"),
            roshChildren: try d.roshChildren.map { try contractValue($0, field: "roshChildren") },
            roshPublic: try d.roshPublic.map { try contractValue($0, field: "roshPublic") },
            roshKnownAdult: try d.roshKnownAdult.map { try contractValue($0, field: "roshKnownAdult") },
            roshStaff: try d.roshStaff.map { try contractValue($0, field: "roshStaff") },
            mappaCategory: try d.mappaCategory.map { try contractValue($0, field: "mappaCategory") },
            mappaLevel: try d.mappaLevel.map { try contractValue($0, field: "mappaLevel") },
            offenceFlags: try d.offenceFlags.map { try contractValue($0, field: "offenceFlags") },
            roomNeeds: d.roomNeeds, premisesNeeds: d.premisesNeeds, apType: d.apType, homeDistrict: d.homeDistrict,
            radiusMiles: d.radiusMiles, exclusionZones: d.exclusionZones, licenceConditions: d.licenceConditions,
            licenceCurfewStart: d.licenceCurfewStart, licenceCurfewEnd: d.licenceCurfewEnd, substanceMisuse: d.substanceMisuse,
            mentalHealth: d.mentalHealth, servicesInvolved: d.servicesInvolved, riskToStaff: d.riskToStaff,
            riskToResidents: d.riskToResidents, otherInformation: d.otherInformation, healthNeeds: d.healthNeeds,
            preferredAreas: d.preferredAreas, moveOnPlan: d.moveOnPlan)
    }

    /// The domain's details; a malformed date is a 400 naming its field.
    func domain() throws -> ApprovedPremises.ReferralDetails {
        var details = ApprovedPremises.ReferralDetails(
            crn: crn, nomsNumber: nomsNumber, personName: personName, dateOfBirth: try Input.date(dateOfBirth, field: "dateOfBirth"),
            gender: gender.rawValue, pncNumber: pncNumber, referrerName: referrerName, referrerEmail: referrerEmail,
            referrerTeam: referrerTeam, referrerRegion: referrerRegion, releaseType: releaseType,
            expectedRelease: try Input.optionalDate(expectedRelease, field: "expectedRelease"),
            expectedArrival: try Input.date(expectedArrival, field: "expectedArrival"), lengthOfStayDays: lengthOfStayDays,
            roshOverall: roshOverall.rawValue, roshChildren: roshChildren?.rawValue, roshPublic: roshPublic?.rawValue,
            roshKnownAdult: roshKnownAdult?.rawValue, roshStaff: roshStaff?.rawValue,
            mappaCategory: mappaCategory?.rawValue, mappaLevel: mappaLevel?.rawValue, offenceFlags: offenceFlags?.map(\.rawValue) ?? [],
            roomNeeds: roomNeeds ?? [],
            premisesNeeds: premisesNeeds ?? [], apType: apType ?? "NORMAL", homeDistrict: homeDistrict, radiusMiles: radiusMiles,
            exclusionZones: exclusionZones, licenceConditions: licenceConditions, licenceCurfewStart: licenceCurfewStart,
            licenceCurfewEnd: licenceCurfewEnd, substanceMisuse: substanceMisuse, mentalHealth: mentalHealth,
            servicesInvolved: servicesInvolved, riskToStaff: riskToStaff, riskToResidents: riskToResidents,
            otherInformation: otherInformation)
        details.licenceEnd = try Input.optionalDate(licenceEnd, field: "licenceEnd")
        details.healthNeeds = healthNeeds
        details.preferredAreas = preferredAreas
        details.moveOnPlan = moveOnPlan
        return details
    }
}

extension Components.Schemas.MatchResult {
    init(_ result: ApprovedPremises.MatchResult) {
        self.init(
            stayFrom: result.stay.first.description, stayTo: result.stay.end.description,
            candidates: result.candidates.map {
                .init(
                    premisesId: $0.premisesID.lowercased, code: $0.code, name: $0.name, regionCode: $0.regionCode,
                    distanceMiles: $0.distanceMiles.map { ($0 * 10).rounded() / 10 }, bedId: $0.bedID.lowercased, bedLabel: $0.bedLabel,
                    freeFrom: $0.freeFrom.description)
            },
            excluded: result.excluded.map {
                .init(
                    premisesId: $0.premisesID.lowercased, code: $0.code, name: $0.name, regionCode: $0.regionCode,
                    distanceMiles: $0.distanceMiles.map { ($0 * 10).rounded() / 10 }, reasons: $0.reasons, nearMiss: $0.isNearMiss,
                    freeFrom: $0.freeFrom?.description)
            })
    }
}
