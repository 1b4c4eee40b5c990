import APClient
import ApprovedPremises
import ArgumentParser
import AsyncHTTPClient
import Foundation
import Postgres

struct BenchPages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-pages",
        abstract: "Time the web view's busiest pages on the national data, each beside the same data through the API.",
        discussion: """
            On the national data (ap db seed). Starts `ap serve` (this executable) on --port against \
            the same database and asks it, as the benchmark account (bench.admin) signed in with a \
            browser's session cookie, for three pages of the premises with the most residents and \
            three national pages:

              today       /premises/{code}, next to the API calls that fetch what it shows (the \
            premises, tonight's board, its placements, who is in, open breaches, night checks, \
            handovers waiting, key work due, tests overdue and awaiting follow-up, move-on flags), \
            made side by side as a client would (the page reads them side by side too)
              bed board   /premises/{code}/beds?weeks=12, next to the premises and its 84-night \
            bed board through the API
              record      the record tab of the placement at that premises with the longest stay, \
            next to the placement and its record through the API
              occupancy   /occupancy?weeks=12, the board of every premises in England and Wales, \
            next to GET /reports/occupancy-board for the same 84 nights
              move-on     /reports/move-on for the country by quarter over five years with its \
            charts, next to the same report's JSON
              matches     /referrals/{id}/matches for the benchmark's referral (a man near M14, \
            80 miles, arriving in two weeks; made once), next to the referral and its matches \
            through the API

            and the day staff's pages at that premises, each beside the calls for what it shows: \
            key work, testing, move-on flags, incidents, last night's record, rooms and beds, the \
            key-work tab of the longest stay, and the staff accounts (100 a page);

            and, as the benchmark's probation practitioner (bench.pp, with 200 referrals of their \
            own and a draft with every section saved; made once), the apply journey's pages:

              your referrals  /referrals, next to their referrals (200 a page) and drafts through the API
              sections        the draft's task list, next to the draft through the API
              a section       the needs section (its reference lists), next to the draft and those lists
              check           check your answers, next to the draft (with its problems) through the API

            Each figure is the median of --runs after a warm-up: the time from sending the request \
            to the last byte of the answer (pages rendered in full), on the same connection pool. \
            It writes nothing but the benchmark account's session and, the first time, its referral.

            Example:  ap db bench-pages
            """)

    @Option(help: "Timed runs of each page and its API calls (after one warm-up).") var runs: Int = 15
    @Option(help: "The port of the service it starts.") var port: Int = 18_481

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        try await withOperatorPool { pool in
            guard try await pool.query("SELECT 1 AS n FROM premises WHERE code = 'NAT-001'").first != nil else {
                throw CLIError("there is no national data here: load it with ap db seed --scale national")
            }
            guard
                let busiest = try await pool.query(
                    """
                    SELECT p.premises_id, pr.code, count(*)::integer AS residents FROM placement p JOIN premises pr ON pr.id = p.premises_id
                    WHERE p.arrived_at IS NOT NULL AND p.departed_at IS NULL GROUP BY p.premises_id, pr.code ORDER BY 3 DESC, 2 LIMIT 1
                    """
                ).first
            else {
                throw CLIError("no premises has anyone in residence: load the national data with ap db seed --scale national")
            }
            let premisesID = (try busiest.decode("premises_id", as: UUID.self)).uuidString.lowercased()
            let code: String = try busiest.decode("code")
            let today = CalendarDate.today(in: Premises.defaultTimeZone)
            guard
                let longest = try await pool.query(
                    """
                    SELECT id FROM placement WHERE premises_id = \(UUID(uuidString: premisesID)!) AND arrived_at IS NOT NULL AND departed_at IS NULL
                    ORDER BY arrived_at, id LIMIT 1
                    """
                ).first
            else { throw CLIError("\(code) has nobody in residence") }
            let placementID = (try longest.decode("id", as: UUID.self)).uuidString.lowercased()

            let account = try await BenchAccount.make(pool)
            let service = try BenchService.start(port: port, environment: environment)
            defer { service.stop() }
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            do {
                let api = BenchAPI(http: http, base: "http://127.0.0.1:\(port)", token: account.token)
                try await api.waitUntilReady()
                guard service.isRunning else {
                    throw CLIError("the service the benchmark started has stopped (is port \(port) taken? choose another with --port)")
                }
                let premises = "/premises/\(premisesID)"
                let todayCalls = [
                    premises, "\(premises)/bed-board?from=\(today)&nights=1",
                    "\(premises)/placements?from=\(today.adding(days: -350))&to=\(today.adding(days: 15))", "\(premises)/tonight",
                    "\(premises)/curfew-breaches?open=true", "\(premises)/night-checks", "\(premises)/handovers/pending",
                    "\(premises)/key-work/due", "\(premises)/tests?pending=true", "\(premises)/tests?followUp=true",
                    "\(premises)/move-on/flags",
                ]
                let tonight = "from=\(today)&to=\(today.adding(days: 1))"
                let lastNight = today.adding(days: -1)
                let nightWindow = "from=\(lastNight)T12:00:00Z&to=\(today)T12:00:00Z"
                // The day staff's pages at the same premises, each beside the calls for what it shows.
                let dayWork: [(String, String, [String])] = [
                    (
                        "key work, \(code)", "/premises/\(code)/key-work",
                        [premises, "\(premises)/staff?limit=200", "\(premises)/key-work/due", "\(premises)/placements?\(tonight)"]
                    ),
                    (
                        "testing, \(code)", "/premises/\(code)/tests",
                        [
                            premises, "\(premises)/testing-authorisations", "\(premises)/tests?pending=true",
                            "\(premises)/tests?followUp=true",
                        ]
                    ),
                    ("move-on flags, \(code)", "/premises/\(code)/move-on", [premises, "\(premises)/move-on/flags"]),
                    (
                        "incidents, \(code)", "/premises/\(code)/incidents",
                        [premises, "\(premises)/incidents", "\(premises)/placements?\(tonight)"]
                    ),
                    (
                        "the night's record, \(code)", "/premises/\(code)/night?night=\(lastNight)",
                        [
                            premises, "\(premises)/movements?\(nightWindow)", "\(premises)/night-checks?night=\(lastNight)",
                            "\(premises)/curfew-breaches", "\(premises)/handovers/pending",
                        ]
                    ),
                    ("rooms and beds, \(code)", "/premises/\(code)/rooms", [premises, "\(premises)/rooms"]),
                    (
                        "key-work tab, longest stay at \(code)", "/premises/\(code)/placements/\(placementID)/key-work",
                        [premises, "/placements/\(placementID)", "/placements/\(placementID)/key-work-sessions"]
                    ),
                    ("staff accounts, 100 of them", "/staff", ["/staff?limit=100", "/premises?limit=200"]),
                ]
                let referral = try await account.readyReferral(pool, home: "M14", radius: 80, arrival: today.adding(days: 14)).uuidString
                    .lowercased()
                let fiveYears = "from=\(today.adding(days: -1826))&to=\(today)&period=quarter"
                let comparisons: [(String, String, [String])] = [
                    ("today page, \(code)", "/premises/\(code)", todayCalls),
                    (
                        "bed board, 12 weeks, \(code)", "/premises/\(code)/beds?from=\(today)&weeks=12",
                        [premises, "\(premises)/bed-board?from=\(today)&nights=84"]
                    ),
                    (
                        "placement record, longest stay at \(code)", "/premises/\(code)/placements/\(placementID)/record",
                        [premises, "/placements/\(placementID)", "/placements/\(placementID)/record"]
                    ),
                    (
                        "occupancy board, England and Wales, 12 weeks", "/occupancy?from=\(today)&weeks=12",
                        ["/reports/occupancy-board?from=\(today)&nights=84"]
                    ),
                    (
                        "move-on report, England and Wales, by quarter over 5 years", "/reports/move-on?scope=country&\(fiveYears)",
                        ["/reports/move-on?\(fiveYears)"]
                    ),
                    (
                        "matches for a referral near M14", "/referrals/\(referral)/matches",
                        ["/referrals/\(referral)", "/referrals/\(referral)/matches"]
                    ),
                ]
                let practitioner = try await BenchPractitioner.make(pool, admin: account)
                let pp = BenchAPI(http: http, base: api.base, token: practitioner.token)
                let draft = "/referral-drafts/\(practitioner.draftID.uuidString.lowercased())"
                let draftPage = "/referrals/drafts/\(practitioner.draftID.uuidString.lowercased())"
                let journey: [(String, String, [String])] = [
                    ("your referrals, a practitioner with 200", "/referrals", ["/referrals?limit=200", "/referral-drafts"]),
                    ("apply: the sections (task list)", draftPage, [draft]),
                    (
                        "apply: the needs section", draftPage + "/sections/needs",
                        [draft, "/reference/room-characteristics", "/reference/premises-characteristics", "/reference/ap-types"]
                    ),
                    ("apply: check your answers", draftPage + "/check", [draft]),
                ]
                var rows = [[String]]()
                let asWho =
                    (comparisons + dayWork).map { (what: $0.0, page: $0.1, calls: $0.2, api: api) }
                    + journey.map { (what: $0.0, page: $0.1, calls: $0.2, api: pp) }
                for (what, page, calls, api) in asWho {
                    let (html, ours) = try await BenchReports.time(runs: runs) { try await api.page(page) }
                    // The calls side by side, as a client would make them (the pages read side by side too).
                    let (json, baseline) = try await BenchReports.time(runs: runs) {
                        try await withThrowingTaskGroup(of: Int.self) { group in
                            for call in calls { group.addTask { try await api.get(call).count } }
                            return try await group.reduce(0, +)
                        }
                    }
                    rows.append([
                        what, Bench.ms(ours), Bench.ms(baseline), Bench.ratio(ours, baseline),
                        "page \(html.count / 1024) KB; API: \(calls.count) call\(calls.count == 1 ? "" : "s"), \(json / 1024) KB",
                    ])
                }
                let residents: Int = try busiest.decode("residents")
                print(
                    "\(code): \(residents) residents. Median of \(runs) runs after a warm-up; the baseline is the API calls for the same data, made side by side."
                )
                print(try await BenchJIT.describe(pool, service: true) + "\n")
                Terminal.printTable(["PAGE", "PAGE TIME", "API", "RATIO", "NOTE"], rows)
                try await Self.accessLogCost(pool, api: api, placementID: placementID, staffID: account.principal.staffID, runs: runs)
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }

    /// What the access log costs a read: the placement's record through the API (which writes its
    /// access-log row) beside the same read without the row, that is less the median of the row's
    /// own insert, the same statement (``AccessLog/insert``) timed alone in the same run.
    static func accessLogCost(_ pool: PostgresPool, api: BenchAPI, placementID: String, staffID: UUID, runs: Int) async throws {
        let stay = UUID(uuidString: placementID)!
        let crn: String = try await pool.query("SELECT crn FROM placement WHERE id = \(stay)")[0].decode("crn")
        let (_, read) = try await BenchReports.time(runs: runs * 2) { try await api.get("/placements/\(placementID)/record").count }
        let (_, row) = try await BenchReports.time(runs: runs * 2) {
            try await pool.execute(
                AccessLog.insert(
                    .residentRecord, crn: crn, placementID: stay, referralID: nil, staffID: staffID, role: .administrator, requestID: nil))
        }
        let without = max(read - row, 1e-6)
        print("\nThe access log's cost on a read (median of \(runs * 2) runs):")
        Terminal.printTable(
            ["READ", "WITH ITS ROW", "WITHOUT", "RATIO", "NOTE"],
            [
                [
                    "GET /placements/{id}/record", Bench.ms(read), Bench.ms(without), Bench.ratio(read, without),
                    "the row alone: \(Bench.ms(row))",
                ]
            ])
    }
}
