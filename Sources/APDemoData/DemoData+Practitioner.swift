import ApprovedPremises
import Foundation
import Postgres

extension DemoData {
    /// The demo practitioner's (`pp`) work in each state: a draft half written, a referral the
    /// referral unit has asked about, one booked at Elm House, and one whose resident has left
    /// (with its departure summary). Written through the apply journey's own store calls, as
    /// the practitioner would in the browser. Loaded once: skipped when `pp` has any.
    func loadPractitioner(elm: UUID, now: Date) async throws {
        guard let pp = try await stores.staff.accountAsOperator(username: "pp"),
            try await pool.query("SELECT 1 AS found FROM referral_draft WHERE owner_id = \(pp.id)").first == nil,
            let unit = try await operatorPrincipal(now: now)
        else { return }
        let practitioner = Principal(
            staffID: pp.id, username: pp.username, displayName: pp.displayName, role: pp.role, premisesID: nil, regionCode: pp.regionCode,
            sessionID: UUID(), expiresAt: now.addingTimeInterval(3600), requestID: "demo-data")
        let today = CalendarDate.today(in: Premises.defaultTimeZone, now: now)
        let drafts = stores.referralDrafts
        func write(_ crn: String, _ name: String, arrival: Int, through last: ReferralDraft.Section = .moveOn) async throws -> ReferralDraft
        {
            var draft = try await drafts.start(by: practitioner)
            var answers = ReferralAnswers()
            (answers.crn, answers.personName, answers.dateOfBirth, answers.gender) = (
                crn, name, today.adding(days: -365 * 29).description, "man"
            )
            (answers.releaseType, answers.expectedRelease, answers.expectedArrival) = (
                "licence", today.adding(days: arrival).description, today.adding(days: arrival).description
            )
            answers.lengthOfStayDays = 84
            (answers.roshOverall, answers.roshPublic, answers.riskToStaff) = ("medium", "medium", "None known")
            answers.offenceFlags = []
            (answers.roomNeeds, answers.substanceMisuse) = (["isSingle"], "Cannabis, wants to stop")
            (answers.homeDistrict, answers.radiusMiles, answers.preferredAreas) = ("M14", 40, "South Manchester, near his mother")
            (answers.licenceConditions, answers.licenceCurfewStart, answers.licenceCurfewEnd) = (
                "Reside at the AP; attend appointments", "21:00", "07:00"
            )
            answers.moveOnPlan = "On the housing register; his mother in Didsbury may take him back"
            for section in ReferralDraft.Section.allCases {
                draft = try await drafts.save(
                    draft.id, section: section, answers: answers, expectedVersion: nil, by: practitioner, today: today)
                if section == last { break }
            }
            return draft
        }
        func submit(_ crn: String, _ name: String, arrival: Int) async throws -> Referral {
            try await drafts.submit(try await write(crn, name, arrival: arrival).id, declaration: true, by: practitioner, today: today)
        }
        _ = try await write("R300001", "Quinn Reyes", arrival: 45, through: .risk)
        let asked = try await submit("R300002", "Rory Shah", arrival: 30)
        _ = try await stores.referrals.decide(
            asked.id, .requestInformation(question: "Does his mother's address fall inside the victim's exclusion zone?"),
            expectedVersion: nil, by: unit)
        let booked = try await submit("R300003", "Sam Turner", arrival: 60)
        _ = try await stores.referrals.decide(booked.id, .accept(note: nil), expectedVersion: nil, by: unit)
        _ = try await stores.referrals.book(booked.id, premisesID: elm, bedID: nil, arrival: nil, departure: nil, by: unit)
        // Left a week ago after eleven weeks: the referral arrives in the past, so it is written
        // as the unit would type in a referral it had on paper, then handed to the practitioner.
        let left = try await stores.referrals.create(
            ReferralDetails(
                crn: "R300004", personName: "Toby Upton", dateOfBirth: today.adding(days: -365 * 41), gender: "man",
                referrerName: pp.displayName, referrerEmail: pp.email ?? "", referrerTeam: pp.team, referrerRegion: pp.regionCode,
                releaseType: "licence", expectedArrival: today.adding(days: -84), lengthOfStayDays: 84, roshOverall: "medium",
                homeDistrict: "M20", moveOnPlan: "Supported housing in Stockport"),
            by: unit, today: today.adding(days: -90))
        _ = try await stores.referrals.handOver(left.id, to: pp.id, by: unit)
        _ = try await stores.referrals.decide(left.id, .accept(note: nil), expectedVersion: nil, by: unit)
        let (_, stay) = try await stores.referrals.book(left.id, premisesID: elm, bedID: nil, arrival: nil, departure: nil, by: unit)
        let placements = stores.placements
        _ = try await placements.arrive(stay.id, at: now.addingTimeInterval(-84 * 86_400), keyWorkerID: nil, expectedVersion: nil, by: unit)
        _ = try await placements.depart(
            stay.id,
            .init(
                departedAt: now.addingTimeInterval(-7 * 86_400), reason: "O", moveOnCategory: "MC06", notes: "Moved to supported housing"),
            expectedVersion: nil, by: unit, now: now)
    }
}
