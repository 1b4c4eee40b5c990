import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

/// Drug and alcohol testing: custody, results, missed and refused tests, at Elm (London: UTC in December).
@Suite("Drug and alcohol testing", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct TestingTests {
    func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
    func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// A key worker of the premises, signed in.
    func keyWorker(_ world: BedWorld) async throws -> Principal {
        let fixtures = Fixtures(pool: world.pool)
        _ = try await fixtures.staff("kim.elm", .keyWorker, premises: world.premises)
        return try await fixtures.signIn("kim.elm").principal
    }

    @Test("a laboratory test's chain of custody, in order, with the result days later; pending until then")
    func chainOfCustody() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            let resident = try await world.residents(["T000001"])[0]
            let kim = try await keyWorker(world)
            let testing = TestingStore(pool: pool)
            // No authorisation yet: refused.
            await #expect(throws: DomainError.self) {
                try await testing.record(
                    resident.id,
                    .init(
                        reason: "random", sampleType: "urine_lab", requiredAt: at("2026-12-02T10:00:00Z"),
                        takenAt: at("2026-12-02T10:00:00Z"), sampleNumber: "S-1001"), by: kim, now: at("2026-12-02T10:05:00Z"))
            }
            await #expect(throws: DomainError.self) {
                try await testing.authorise(
                    premisesID: world.premises, reasons: ["random"], from: day("2026-11-01"), until: nil, note: "x", by: kim)
            }
            _ = try await testing.authorise(
                premisesID: world.premises, reasons: ["random", "on_suspicion", "on_arrival"], from: day("2026-11-01"),
                until: nil, note: "Testing policy agreed with the regional manager, v3", by: world.manager)

            var test = try await testing.record(
                resident.id,
                .init(
                    reason: "random", sampleType: "urine_lab", requiredAt: at("2026-12-02T10:00:00Z"),
                    takenAt: at("2026-12-02T10:00:00Z"), sampleNumber: "S-1001"),
                by: kim, now: at("2026-12-02T10:05:00Z"))
            #expect(test.custody.map(\.step) == [.collected])
            #expect(test.awaitingResults)
            // Results cannot come before the laboratory has the sample; a step cannot come before the one it follows.
            await #expect(throws: DomainError.self) {
                try await testing.results(
                    test.id, [("cannabis", "positive", nil)], receivedAt: nil, by: kim, now: at("2026-12-02T11:00:00Z"))
            }
            await #expect(throws: DomainError.self) {
                try await testing.custody(
                    test.id, step: "sent_to_lab", at: at("2026-12-02T16:00:00Z"), person: "courier", by: kim,
                    now: at("2026-12-02T16:00:00Z"))
            }
            do {
                _ = try await testing.custody(
                    test.id, step: "sealed", at: at("2026-12-02T09:00:00Z"), person: "Kim", by: kim, now: at("2026-12-02T10:10:00Z"))
                Issue.record("a step before the one it follows was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["at"], "\(error)")
            }
            test = try await testing.custody(
                test.id, step: "sealed", at: at("2026-12-02T10:06:00Z"), person: "Kim (key worker)", by: kim,
                now: at("2026-12-02T10:10:00Z"))
            test = try await testing.custody(
                test.id, step: "sent_to_lab", at: at("2026-12-02T16:00:00Z"), person: "DX courier", by: kim, now: at("2026-12-02T16:05:00Z")
            )
            test = try await testing.custody(
                test.id, step: "received_by_lab", at: at("2026-12-03T09:00:00Z"), person: "Hilltop Laboratory", by: kim,
                now: at("2026-12-03T12:00:00Z"))

            let pending = try await testing.tests(
                premisesID: world.premises, pendingOnly: true, by: world.manager, now: at("2026-12-10T09:00:00Z"))
            #expect(pending.map(\.id) == [test.id])
            #expect(
                try await testing.tests(premisesID: world.premises, pendingOnly: true, by: world.manager, now: at("2026-12-05T09:00:00Z"))
                    .isEmpty)

            test = try await testing.results(
                test.id, [("cannabis", "positive", nil), ("opiates", "negative", nil), ("buprenorphine", "positive_prescribed", nil)],
                receivedAt: at("2026-12-09T14:30:00Z"), by: kim, now: at("2026-12-10T09:00:00Z"))
            #expect(test.custody.map(\.step) == [.collected, .sealed, .sentToLab, .receivedByLab, .resultReceived])
            #expect(test.custody.last?.at == at("2026-12-09T14:30:00Z"))
            #expect(
                Dictionary(uniqueKeysWithValues: test.results.map { ($0.substance, $0.result) })
                    == [.cannabis: .positive, .opiates: .negative, .buprenorphine: .positivePrescribed])
            #expect(test.needsFollowUp)
            #expect(
                try await testing.tests(premisesID: world.premises, pendingOnly: true, by: world.manager, now: at("2026-12-10T09:00:00Z"))
                    .isEmpty)
            await #expect(throws: DomainError.self) {
                try await testing.results(
                    test.id, [("cocaine", "negative", nil)], receivedAt: nil, by: kim, now: at("2026-12-10T09:00:00Z"))
            }
        }
    }

    @Test("a test not done is recorded as missed with its reason; a refused test shows as refused and is followed up")
    func missedAndRefused() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            let resident = try await world.residents(["T000002"])[0]
            let testing = TestingStore(pool: pool)
            _ = try await testing.authorise(
                premisesID: world.premises, reasons: ["random", "on_suspicion"], from: day("2026-11-01"), until: nil,
                note: "policy v3", by: world.manager)
            // Never blank: neither taken nor a reason is refused, naming the field.
            do {
                _ = try await testing.record(
                    resident.id, .init(reason: "random", sampleType: "breath", requiredAt: at("2026-12-04T21:00:00Z")),
                    by: world.manager, now: at("2026-12-04T21:30:00Z"))
                Issue.record("a blank test was recorded")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["missedReason"])
            }
            let missed = try await testing.record(
                resident.id,
                .init(
                    reason: "random", sampleType: "breath", requiredAt: at("2026-12-04T21:00:00Z"),
                    missedReason: "no_kit", missedNote: "breathalyser mouthpieces ran out"),
                by: world.manager, now: at("2026-12-04T21:30:00Z"))
            #expect(missed.missedReason == .noKit && missed.takenAt == nil)
            await #expect(throws: DomainError.self) {
                try await testing.results(missed.id, [("alcohol", "negative", 0)], receivedAt: nil, by: world.manager)
            }

            var refused = try await testing.record(
                resident.id,
                .init(
                    reason: "on_suspicion", sampleType: "oral_fluid", requiredAt: at("2026-12-05T22:00:00Z"),
                    takenAt: at("2026-12-05T22:05:00Z")), by: world.manager, now: at("2026-12-05T22:10:00Z"))
            refused = try await testing.results(
                refused.id, [("whole_sample", "refused", nil)], receivedAt: nil, by: world.manager, now: at("2026-12-05T22:10:00Z"))
            #expect(refused.results.map(\.result) == [.refused])
            #expect(refused.needsFollowUp)
            // The today page's list: residents' results awaiting a follow-up, and only those.
            #expect(
                try await testing.tests(premisesID: world.premises, pendingOnly: false, awaitingFollowUp: true, by: world.manager).map(\.id)
                    == [refused.id])
            await #expect(throws: DomainError.self) {
                try await testing.tests(premisesID: world.premises, pendingOnly: true, awaitingFollowUp: true, by: world.manager)
            }
            refused = try await testing.followUp(
                refused.id, action: "warning", note: "written warning; PP told", by: world.manager, now: at("2026-12-06T10:00:00Z"))
            refused = try await testing.followUp(
                refused.id, action: "reported_to_pp", note: nil, by: world.manager, now: at("2026-12-06T10:05:00Z"))
            #expect(refused.followUps.map(\.action) == [.warning, .reportedToPP])
            #expect(!refused.needsFollowUp)
            #expect(
                try await testing.tests(premisesID: world.premises, pendingOnly: false, awaitingFollowUp: true, by: world.manager).isEmpty)

            var clean = try await testing.record(
                resident.id,
                .init(
                    reason: "random", sampleType: "breath", requiredAt: at("2026-12-06T21:00:00Z"),
                    takenAt: at("2026-12-06T21:00:00Z")), by: world.manager, now: at("2026-12-06T21:05:00Z"))
            clean = try await testing.results(
                clean.id, [("alcohol", "negative", 0)], receivedAt: nil, by: world.manager, now: at("2026-12-06T21:05:00Z"))
            await #expect(throws: DomainError.self) {
                try await testing.followUp(clean.id, action: "warning", note: nil, by: world.manager)
            }
            let all = try await testing.tests(placementID: resident.id, by: world.manager)
            #expect(all.map(\.id) == [clean.id, refused.id, missed.id])
        }
    }
}
