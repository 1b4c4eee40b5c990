import APDemoData
import ApprovedPremises
import Foundation
import TestSupport
import Testing

/// The Quick start's demo is loaded at whatever hour someone runs it: its night records, the
/// sign-outs it counts back from now and the breaches they make must fit together at any hour.
@Suite("The demo data", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct DemoDataTests {
    @Test("the demo loads at any hour of the day, in the night, at the curfew's start and end, and in the day")
    func loadsAtAnyHour() async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = Premises.defaultTimeZone
        let now = Date()
        for (hour, minute) in [(0, 30), (2, 0), (5, 30), (7, 10), (9, 30), (13, 0), (22, 50), (23, 20)] {
            var at = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: now)!
            if at > now { at = calendar.date(byAdding: .day, value: -1, to: at)! }
            try await TestDatabase.withDatabase { pool in
                try await DemoData(pool: pool, hasher: PasswordHasher(cost: 4)).load(now: at)
                let residents: Int = try await pool.query(
                    """
                    SELECT count(*)::int AS n FROM placement WHERE arrived_at IS NOT NULL AND departed_at IS NULL
                    """
                ).first!.decode("n")
                #expect(residents == 6, "loaded at \(at.formatted(.iso8601))")
                let warned: Int = try await pool.query("SELECT count(*)::int AS n FROM curfew_breach WHERE outcome = 'warning'").first!
                    .decode("n")
                #expect(warned == 1, "loaded at \(at.formatted(.iso8601)): last night's breach with its warning")
            }
        }
    }
}
