import APClient
import ApprovedPremises
import ArgumentParser
import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import Postgres

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time matching, who is in, the breach job and sign-outs/sign-ins on the national data, each beside its baseline.",
        discussion: """
            On the national data (ap db seed), with a DATABASE_URL that may write. Starts `ap serve` \
            (this executable) on --port against the same database and drives it over HTTP, as a \
            benchmark account it makes (bench.admin, an administrator; its sessions are its own):

              matching    GET /referrals/{id}/matches for referrals it takes in and accepts, arriving \
            2, 8 and 24 weeks after --until, next to a hand-written night-by-night SQL query for the \
            same answer: the candidates with their beds, and for each premises full then the first \
            date it has room (compared)
              tonight     GET /premises/{id}/tonight for the premises with the most residents, next \
            to what a hand-written request would run: the session lookup and one plain SQL \
            statement for the same residents
              breach pass one pass of the curfew breach job over every premises, next to that plain \
            SQL over every premises
              booking     a referral booked with the e-mail it writes, next to the same booking with \
            the outbox off (ap.outbox = off)
              e-mail      with --sendmail, one pass of the delivery job over 300 messages, next to \
            handing the same messages to sendmail without the database
              writes      sign-outs and sign-ins through the API at each --clients count for \
            --seconds, each client its own resident, the clients spread over premises two to an AP; \
            next to pgbench running the same statements in one transaction \
            (Deploy/bench/movement.sql), one pgbench per client

            Reads are the median of --runs after a warm-up; writes are requests (transactions) per \
            second. It writes real sign-outs and sign-ins (and their audit rows) into the database.

            Example:  ap db bench --until 2026-11-23
            """)

    @Option(help: "Timed runs of each read (after one warm-up).") var runs: Int = 7
    @Option(help: "The client counts of the write benchmark, comma-separated.") var clients: String = "1,4,16"
    @Option(help: "Seconds each write run lasts.") var seconds: Int = 10
    @Option(help: "The port of the service it starts.") var port: Int = 18_480
    @Option(help: "The last day of the seeded history (YYYY-MM-DD); referrals arrive 2 and 24 weeks later.") var until: String?
    @Flag(help: "Leave out the write benchmark.") var noWrites = false
    @Option(
        help:
            "The sendmail command that reaches a local SMTP server, to time e-mail delivery (Deploy/mail.sh sendmail); without it, delivery is left out."
    )
    var sendmail: String?

    func run() async throws {
        let counts = try clients.split(separator: ",").map { text -> Int in
            guard let count = Int(text.trimmingCharacters(in: .whitespaces)), (1...64).contains(count) else {
                throw ValidationError("--clients must be numbers from 1 to 64, comma-separated")
            }
            return count
        }
        let lastDay =
            try until.map { text -> CalendarDate in
                guard let date = CalendarDate(text) else { throw ValidationError("--until must be YYYY-MM-DD") }
                return date
            } ?? CalendarDate.today(in: Premises.defaultTimeZone)
        let environment = ProcessInfo.processInfo.environment
        try await withOperatorPool { pool in
            guard try await pool.query("SELECT 1 AS n FROM premises WHERE code = 'NAT-001'").first != nil else {
                throw CLIError("there is no national data here: load it with ap db seed --scale national")
            }
            let account = try await BenchAccount.make(pool)
            let service = try BenchService.start(port: port, environment: environment)
            defer { service.stop() }
            let http = HTTPClient(
                eventLoopGroupProvider: .singleton,
                configuration: .init(
                    connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 128)))
            do {
                let api = BenchAPI(http: http, base: "http://127.0.0.1:\(port)", token: account.token)
                try await api.waitUntilReady()
                guard service.isRunning else {
                    throw CLIError("the service the benchmark started has stopped (is port \(port) taken? choose another with --port)")
                }
                var rows = [[String]]()
                // Bookings run twelve weeks ahead. Two weeks ahead every premises is full and stays full
                // through the eight weeks searched after it; eight weeks ahead each is full at first and
                // given the first date it has room; 24 weeks ahead some have a bed for the whole stay.
                for weeks in [2, 8, 24] {
                    rows.append(try await matching(pool, api, account: account, arrival: lastDay.adding(days: weeks * 7)))
                }
                rows.append(try await tonight(pool, api))
                rows.append(try await breachPass(pool))
                let mail = BenchMail(pool: pool, principal: account.principal, runs: runs)
                rows.append(try await mail.booking())
                if let sendmail { rows.append(try await mail.delivery(sendmail: sendmail)) }
                if !noWrites {
                    rows += try await BenchWrites(pool: pool, api: api, account: account, seconds: seconds).run(clients: counts)
                }
                print("Reads: median of \(runs) runs after a warm-up. Writes: per second over \(seconds) s.")
                print(try await BenchJIT.describe(pool, service: true) + "\n")
                Terminal.printTable(["WHAT", "OURS", "BASELINE", "RATIO", "NOTE"], rows)
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }

    func matching(_ pool: PostgresPool, _ api: BenchAPI, account: BenchAccount, arrival: CalendarDate) async throws -> [String] {
        let home = "M14"
        let radius = 80
        let referral = try await account.readyReferral(pool, home: home, radius: radius, arrival: arrival)
        let stay = Nights(first: arrival, end: arrival.adding(days: 84))
        guard let district = try await pool.query("SELECT latitude, longitude FROM postcode_district WHERE outcode = \(home)").first else {
            throw CLIError("the postcode district \(home) is not in the reference data: run ap db migrate")
        }
        let location = (
            latitude: try district.decode("latitude", as: Double.self), longitude: try district.decode("longitude", as: Double.self)
        )
        let (answer, ourTime) = try await BenchReports.time(runs: runs) {
            try await api.get("/referrals/\(referral.uuidString.lowercased())/matches")
        }
        let (theirs, baseline) = try await BenchReports.time(runs: runs) {
            try await BenchBaselines.matches(pool, stay: stay, home: location, radius: radius, searchAheadDays: MatchResult.searchAheadDays)
        }
        let matches = try JSONDecoder().decode(BenchMatches.self, from: answer)
        let full = matches.excluded.compactMap { excluded in excluded.freeFrom.map { "\(excluded.code) from \($0)" } }
        let ours = matches.candidates.map { "\($0.code) bed \($0.bedLabel)" } + full
        guard ours.sorted() == theirs else {
            throw CLIError("the matcher and the hand-written query disagree: \(ours.sorted()) against \(theirs)")
        }
        return [
            "matching, national, \(home) within \(radius) miles, arriving \(arrival)", Self.ms(ourTime), Self.ms(baseline),
            Self.ratio(ourTime, baseline),
            "\(matches.candidates.count) candidates, \(full.count) full with their first free date (same); \(matches.excluded.count) left out",
        ]
    }

    func tonight(_ pool: PostgresPool, _ api: BenchAPI) async throws -> [String] {
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
        let premisesID: UUID = try busiest.decode("premises_id")
        let residents: Int = try busiest.decode("residents")
        let (_, ours) = try await BenchReports.time(runs: runs * 3) {
            try await api.get("/premises/\(premisesID.uuidString.lowercased())/tonight")
        }
        let tokenHash = Data(SHA256.hash(data: Data(api.token.utf8)))
        let (rows, baseline) = try await BenchReports.time(runs: runs * 3) {
            try await BenchBaselines.tonight(pool, tokenHash: tokenHash, premisesID: premisesID, now: Date())
        }
        return [
            "tonight, \(try busiest.decode("code", as: String.self)) (GET over HTTP)", Self.ms(ours), Self.ms(baseline),
            Self.ratio(ours, baseline),
            "\(residents) residents (\(rows) rows); baseline: session and residents, 2 statements",
        ]
    }

    func breachPass(_ pool: PostgresPool) async throws -> [String] {
        let before = pool.statementsRun
        let (_, ours) = try await BenchReports.time(runs: runs) {
            try await CurfewBreachStore(pool: pool).scan()
        }
        let statements = (pool.statementsRun - before) / (runs + 1)
        let (rows, baseline) = try await BenchReports.time(runs: runs) {
            try await BenchBaselines.residents(pool, premisesID: nil, now: Date())
        }
        let premises: Int = try await pool.query("SELECT count(*)::integer AS n FROM premises WHERE active").first?.decode("n") ?? 0
        return [
            "breach pass, all \(premises) premises", Self.ms(ours), Self.ms(baseline), Self.ratio(ours, baseline),
            "\(rows) residents, \(statements) statements a pass",
        ]
    }

    static func ms(_ seconds: Double) -> String {
        seconds < 0.01 ? String(format: "%.1f ms", seconds * 1000) : String(format: "%.0f ms", seconds * 1000)
    }

    static func ratio(_ ours: Double, _ baseline: Double) -> String {
        String(format: "%.2f", ours / baseline)
    }
}

/// The parts of a match answer the benchmark compares.
struct BenchMatches: Decodable {
    struct Candidate: Decodable {
        var code: String
        var bedLabel: String
    }
    struct Excluded: Decodable {
        var code: String
        var freeFrom: String?
    }
    var candidates: [Candidate]
    var excluded: [Excluded]
}

/// The benchmark's own administrator account, signed in, and the referral it matches.
struct BenchAccount: Sendable {
    static let username = "bench.admin"
    var principal: Principal
    var token: String

    /// Makes the account (or gives it a new password) and signs it in.
    static func make(_ pool: PostgresPool) async throws -> BenchAccount {
        let password = UUID().uuidString
        let hasher = PasswordHasher(cost: 4)
        let staff = StaffStore(pool: pool, hasher: hasher)
        if try await pool.query("SELECT 1 AS n FROM staff WHERE username = \(username)").first == nil {
            _ = try await staff.createAsOperator(
                NewStaff(username: username, displayName: "Benchmark", role: .administrator, password: password))
        } else {
            try await staff.resetPasswordAsOperator(username: username, to: password)
        }
        let signedIn = try await signInWithNewFactor(pool, hasher: hasher, username: username, password: password)
        let principal = Principal(
            staffID: signedIn.staff.id, username: username, displayName: signedIn.staff.displayName, role: .administrator,
            premisesID: nil, regionCode: nil, sessionID: UUID(), expiresAt: signedIn.expiresAt)
        return BenchAccount(principal: principal, token: signedIn.token)
    }

    /// Signs a benchmark account in as its role must: a new second factor, given it as an
    /// operator, and that factor's code of now.
    static func signInWithNewFactor(_ pool: PostgresPool, hasher: PasswordHasher, username: String, password: String) async throws
        -> SignedIn
    {
        let sessions = SessionStore(pool: pool, hasher: hasher)
        var generator = SystemRandomNumberGenerator()
        let secret = Data((0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        try await sessions.enrolAsOperator(username: username, secret: secret)
        let code = TOTP.code(secret: secret, step: TOTP.step(at: Date()))
        return try await sessions.signIn(username: username, password: password, code: code)
    }

    /// A man's referral to a NORMAL AP near `home`, accepted and ready to match (made once).
    func readyReferral(_ pool: PostgresPool, home: String, radius: Int, arrival: CalendarDate) async throws -> UUID {
        let crn = "B999999"
        if let row = try await pool.query(
            """
            SELECT id FROM referral WHERE crn = \(crn) AND status = 'ready_to_match' AND expected_arrival = \(arrival)
            """
        ).first {
            return try row.decode("id")
        }
        let referrals = ReferralStore(pool: pool)
        let referral = try await referrals.create(
            ReferralDetails(
                crn: crn, personName: "Bench Mark", dateOfBirth: CalendarDate("1985-06-01")!, gender: "man",
                referrerName: "Benchmark", referrerEmail: "bench@probation.example", releaseType: "licence",
                expectedArrival: arrival, lengthOfStayDays: 84, roshOverall: "medium", homeDistrict: home, radiusMiles: radius),
            by: principal, today: arrival.adding(days: -14))
        _ = try await referrals.decide(referral.id, .accept(note: "benchmark"), expectedVersion: nil, by: principal)
        return referral.id
    }
}
