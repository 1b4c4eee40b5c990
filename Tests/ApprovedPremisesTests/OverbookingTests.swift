import Foundation
import Postgres
import TestSupport
import Testing

@testable import ApprovedPremises

/// A premises is overbooked only knowingly: the web view asks why before an early arrival, new
/// dates or a bed out of service leave more placements than beds on a night that had room.
@Suite("Overbooking only knowingly", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct OverbookingTests {
    @Test("an early arrival onto a full night is refused without a reason, naming the nights; recorded with one, which is kept")
    func earlyArrival() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            _ = try await world.book("X100001", "2026-12-01", "2026-12-03")
            let early = try await world.book("X100002", "2026-12-03", "2026-12-08")
            let at = noon("2026-12-01")
            await #expect(throws: DomainError.self) {
                _ = try await world.placements.arrive(
                    early.id, at: at, keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: at, checkCapacity: true)
            }
            do {
                _ = try await world.placements.arrive(
                    early.id, at: at, keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: at, checkCapacity: true)
            } catch let error as DomainError {
                #expect(error.kind == .conflict)
                #expect(error.problems.map(\.field) == ["overbookingReason"])
                #expect(error.message.contains("2026-12-01 to 2026-12-02"), "\(error.message)")
            }
            #expect(try await world.placements.get(early.id, by: world.manager).status == .upcoming, "nothing recorded")
            let arrived = try await world.placements.arrive(
                early.id, at: at, keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: at,
                checkCapacity: true, overbookingReason: "Released early by the court")
            #expect(arrived.status == .arrived)
            #expect(arrived.overbookingReason == "Released early by the court")
        }
    }

    @Test("an early arrival onto nights with room needs no reason, and keeps none")
    func earlyArrivalWithRoom() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            _ = try await world.book("X100001", "2026-12-01", "2026-12-03")
            let early = try await world.book("X100002", "2026-12-03", "2026-12-08")
            let at = noon("2026-12-01")
            let arrived = try await world.placements.arrive(
                early.id, at: at, keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: at, checkCapacity: true)
            #expect(arrived.status == .arrived && arrived.overbookingReason == nil)
        }
    }

    @Test("new dates onto a full night ask why (409 with the reason's problem); with the reason they change and it is kept")
    func laterDeparture() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            let first = try await world.book("X100001", "2026-12-01", "2026-12-03")
            _ = try await world.book("X100002", "2026-12-03", "2026-12-08")
            do {
                _ = try await world.placements.changeDates(
                    first.id, arrival: nil, departure: CalendarDate("2026-12-05"), expectedVersion: nil, by: world.manager)
                Issue.record("later dates onto full nights were changed without a reason")
            } catch let error as DomainError {
                #expect(error.kind == .conflict)
                #expect(error.problems.first?.field == "overbookingReason")
            }
            let changed = try await world.placements.changeDates(
                first.id, arrival: nil, departure: CalendarDate("2026-12-05"), expectedVersion: nil,
                by: world.manager, overbookingReason: "Court date moved; agreed with the CRU")
            #expect(changed.expectedDeparture == CalendarDate("2026-12-05"))
            #expect(changed.overbookingReason == "Court date moved; agreed with the CRU")
        }
    }

    @Test("a bed taken out of service on nights every bed is booked asks why; with the reason it is, and its notes say so")
    func bedOutOfService() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, beds) = try await BedWorld.make(pool, beds: 2)
            _ = try await world.book("X100001", "2026-12-01", "2026-12-06")
            _ = try await world.book("X100002", "2026-12-01", "2026-12-06")
            let store = OutOfServiceStore(pool: pool)
            let nights = Nights(first: CalendarDate("2026-12-02")!, end: CalendarDate("2026-12-04")!)
            let reason: String = try await pool.query("SELECT code FROM out_of_service_reason ORDER BY code LIMIT 1").first!.decode("code")
            do {
                _ = try await store.create(
                    bedID: beds[1], nights: nights, reason: reason, reference: nil, notes: nil, by: world.manager, checkCapacity: true)
                Issue.record("a bed was taken out of service onto booked nights without a reason")
            } catch let error as DomainError {
                #expect(error.problems.first?.field == "overbookingReason")
                #expect(error.message.contains("2026-12-02 to 2026-12-03"), "\(error.message)")
            }
            let none: Int64 = try await pool.query("SELECT count(*) AS n FROM bed_out_of_service").first!.decode("n")
            #expect(none == 0, "the refused period left nothing behind")
            let period = try await store.create(
                bedID: beds[1], nights: nights, reason: reason, reference: nil, notes: "Boiler", by: world.manager,
                checkCapacity: true, overbookingReason: "Flooded; the residents share a room")
            #expect(period.notes == "Boiler\nOverbooked knowingly: Flooded; the residents share a room")
            // Without the check (the API, `ap`), as before.
            _ = try await store.create(
                bedID: beds[0], nights: Nights(first: CalendarDate("2026-12-04")!, end: CalendarDate("2026-12-05")!),
                reason: reason, reference: nil, notes: nil, by: world.manager)
        }
    }
}

/// A web form's answers kept for post/redirect/get: read back only by the browser that sent
/// them (and the member of staff, when named), for two hours, never a password.
@Suite("Form drafts", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct FormDraftTests {
    @Test("a draft is read by its own browser and person only, is gone after two hours, and never keeps a password")
    func boundAndShortLived() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            let drafts = FormDraftStore(pool: pool)
            let problem = FormDraftStore.Problem(field: "arrivedAt", anchor: "arrivedAt-day", message: "Enter the date of arrival")
            let id = try await drafts.keep(
                browserKey: "browser-one-0123456789", staffID: world.manager.staffID, path: "/premises/ELM/placements/x/arrival",
                fields: ["notes": ["Rang the prison"], "password": ["secret"], "csrf": ["c"]], problems: [problem], reason: .refused)
            let read = try await drafts.read(id, browserKey: "browser-one-0123456789", staffID: world.manager.staffID)
            #expect(read?.fields == ["notes": ["Rang the prison"]])
            #expect(read?.problems == [problem])
            #expect(read?.reason == .refused)
            #expect(
                try await drafts.read(id, browserKey: "browser-two-0123456789", staffID: world.manager.staffID) == nil, "another browser")
            #expect(try await drafts.read(id, browserKey: "browser-one-0123456789", staffID: world.admin.staffID) == nil, "another person")
            #expect(try await drafts.read(id, browserKey: "browser-one-0123456789", staffID: nil) == nil, "nobody signed in")
            try await pool.execute("UPDATE form_draft SET expires_at = now() - interval '1 second'")
            #expect(try await drafts.read(id, browserKey: "browser-one-0123456789", staffID: world.manager.staffID) == nil, "expired")
            _ = try await drafts.keep(
                browserKey: "browser-one-0123456789", staffID: nil, path: "/sign-in", fields: [:], problems: [], reason: .refused)
            let left: Int64 = try await pool.query("SELECT count(*) AS n FROM form_draft").first!.decode("n")
            #expect(left == 1, "expired drafts are removed when the next is kept")
        }
    }
}
