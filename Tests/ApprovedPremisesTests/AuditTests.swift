import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Audit log", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct AuditTests {
    @Test("opening an account writes an audit row with who, what and after, never the password")
    func staffCreationAudited() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let (_, admin) = try await fixtures.signIn("root")
            let created = try await StaffStore(pool: pool, hasher: fixtures.hasher).create(
                NewStaff(username: "jo.smith", displayName: "Jo Smith", role: .referralManager, password: "a-long-password"), by: admin)
            let page = try await AuditStore(pool: pool).list(entity: "staff", entityID: created.id.uuidString, page: PageRequest())
            let event = try #require(page.items.first)
            #expect(event.action == "staff.create")
            #expect(event.staffID == admin.staffID)
            #expect(event.after?.contains("jo.smith") == true)
            #expect(event.after?.contains("a-long-password") == false)
            #expect(event.after?.contains("$2") == false)
        }
    }

    @Test("the database refuses to change or delete an audit row")
    func appendOnly() async throws {
        try await TestDatabase.withDatabase { pool in
            try await Fixtures(pool: pool).staff("root", .administrator)
            let rows = try await pool.query("SELECT id FROM audit_event")
            #expect(!rows.isEmpty)
            for statement: SQL in ["UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event", "TRUNCATE audit_event"] {
                do {
                    try await pool.execute(statement)
                    Issue.record("\(statement) was allowed")
                } catch let error as PostgresError {
                    #expect(error.kind == .raised)
                    let answer = ConstraintViolations.translate(error) as? DomainError
                    #expect(answer?.kind == .conflict)
                }
            }
            let after = try await pool.query("SELECT count(*)::integer AS n FROM audit_event WHERE action = 'forged'").first!
            #expect(try after.decode("n", as: Int.self) == 0)
        }
    }

    @Test("a change and its audit row commit or fail together")
    func sameTransaction() async throws {
        try await TestDatabase.withDatabase { pool in
            let fixtures = Fixtures(pool: pool)
            try await fixtures.staff("root", .administrator)
            let (_, admin) = try await fixtures.signIn("root")
            let store = StaffStore(pool: pool, hasher: fixtures.hasher)
            let new = NewStaff(username: "twice", displayName: "Twice", role: .referralManager, password: "a-long-password")
            _ = try await store.create(new, by: admin)
            await #expect(throws: DomainError.self) { try await store.create(new, by: admin) }
            let audits = try await pool.query(
                "SELECT count(*)::integer AS n FROM audit_event WHERE action = 'staff.create' AND after->>'username' = 'twice'"
            ).first!
            #expect(try audits.decode("n", as: Int.self) == 1)
        }
    }
}
