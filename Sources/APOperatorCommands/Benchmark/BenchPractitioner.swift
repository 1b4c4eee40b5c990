import ApprovedPremises
import Foundation
import Postgres

/// The benchmark's probation practitioner (`bench.pp`, North West): 200 referrals of their own
/// (typed in by the benchmark's administrator and handed to them, made once) and one draft with
/// every section saved, for timing "Your referrals" and the apply pages.
struct BenchPractitioner: Sendable {
    static let username = "bench.pp"
    static let referrals = 200
    var token: String
    var draftID: UUID

    /// Makes the account, its referrals and its draft (what is missing of them), and signs it in.
    static func make(_ pool: PostgresPool, admin: BenchAccount) async throws -> BenchPractitioner {
        let password = UUID().uuidString
        let hasher = PasswordHasher(cost: 4)
        let staff = StaffStore(pool: pool, hasher: hasher)
        if try await pool.query("SELECT 1 AS n FROM staff WHERE username = \(username)").first == nil {
            _ = try await staff.createAsOperator(
                NewStaff(
                    username: username, displayName: "Benchmark Practitioner", email: "bench.pp@probation.example",
                    role: .probationPractitioner, regionCode: "NW", team: "Benchmark OMU", password: password))
        } else {
            try await staff.resetPasswordAsOperator(username: username, to: password)
        }
        let signedIn = try await BenchAccount.signInWithNewFactor(pool, hasher: hasher, username: username, password: password)
        let practitioner = Principal(
            staffID: signedIn.staff.id, username: username, displayName: signedIn.staff.displayName, role: .probationPractitioner,
            premisesID: nil, regionCode: "NW", sessionID: UUID(), expiresAt: signedIn.expiresAt)
        let today = CalendarDate.today(in: Premises.defaultTimeZone)
        let store = ReferralStore(pool: pool)
        let owned: Int = try await pool.query("SELECT count(*)::integer AS n FROM referral WHERE owner_id = \(signedIn.staff.id)")[0]
            .decode("n")
        for number in owned..<referrals {
            let referral = try await store.create(
                ReferralDetails(
                    crn: String(format: "P%06d", 900_000 + number), personName: "Bench Person \(number)",
                    dateOfBirth: CalendarDate("1984-02-01")!, gender: "man", referrerName: "Benchmark Practitioner",
                    referrerEmail: "bench.pp@probation.example", referrerRegion: "NW", releaseType: "licence",
                    expectedArrival: today.adding(days: 14 + number % 90), lengthOfStayDays: 84, roshOverall: "medium",
                    homeDistrict: "M14", radiusMiles: 50, moveOnPlan: "Housing register"),
                by: admin.principal, today: today)
            _ = try await store.handOver(referral.id, to: signedIn.staff.id, by: admin.principal)
            if number % 4 == 0 {
                _ = try await store.decide(
                    referral.id, .requestInformation(question: "Benchmark question"), expectedVersion: nil, by: admin.principal)
            }
        }
        let drafts = ReferralDraftStore(pool: pool)
        if let draft = try await drafts.mine(by: practitioner).first(where: \.isComplete) {
            return BenchPractitioner(token: signedIn.token, draftID: draft.id)
        }
        var draft = try await drafts.start(by: practitioner)
        var answers = ReferralAnswers()
        (answers.crn, answers.personName, answers.dateOfBirth, answers.gender) = ("P899999", "Bench Draft", "1984-02-01", "man")
        (answers.releaseType, answers.expectedArrival) = ("licence", today.adding(days: 30).description)
        (answers.roshOverall, answers.offenceFlags, answers.roomNeeds) = ("medium", ["arson"], ["isSingle"])
        (answers.homeDistrict, answers.moveOnPlan) = ("M14", "Housing register")
        for section in ReferralDraft.Section.allCases {
            draft = try await drafts.save(
                draft.id, section: section, answers: answers, expectedVersion: nil, by: practitioner, today: today)
        }
        return BenchPractitioner(token: signedIn.token, draftID: draft.id)
    }
}
