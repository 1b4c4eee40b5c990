import APClient
import APDemoData
import ApprovedPremises
import ArgumentParser
import Foundation
import Postgres

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load realistic national data: about 104 premises, 2,300 beds and N years of stays (for reports and benchmarks).",
        discussion: """
            Reproducible: the same --seed and --until give the same rows. Loads with COPY and shows \
            its progress on stderr. Into a migrated database without national data, as a superuser: \
            the hash-chained night checks and sign-outs are loaded with triggers off (their chains \
            worked out by the seed), as pg_restore does.

            Example:  ap db seed --scale national --years 5 --seed 1 --until 2026-11-23
            """)

    @Option(help: "The scale: national.") var scale: String = "national"
    @Option(help: "Years of history.") var years: Int = 5
    @Option(help: "Premises, spread over the regions (a smaller country for a quick run: CI's benchmarks use 24).") var premises: Int = 104
    @Option(help: "The random seed.") var seed: UInt64 = 1
    @Option(help: "The last day of the history (YYYY-MM-DD); today when left out. Bookings run 12 weeks beyond.") var until: String?

    func validate() throws {
        guard scale == "national" else { throw ValidationError("--scale national is the one scale there is") }
        guard (1...10).contains(years) else { throw ValidationError("--years must be 1 to 10") }
        guard (1...500).contains(premises) else { throw ValidationError("--premises must be 1 to 500") }
    }

    func run() async throws {
        let last =
            try until.map { text -> CalendarDate in
                guard let date = CalendarDate(text) else { throw ValidationError("--until must be YYYY-MM-DD") }
                return date
            } ?? CalendarDate.today(in: Premises.defaultTimeZone)
        let started = Date()
        let summary = try await withOperatorPool(tellingNobody: true) { pool in
            var national = NationalSeed(years: years, seed: seed, until: last)
            national.premisesCount = premises
            return try await national.load(pool: pool) { step in
                FileHandle.standardError.write(Data("\(String(format: "%6.1f s", Date().timeIntervalSince(started)))  \(step)\n".utf8))
            }
        }
        print(
            "Loaded \(summary.premises) premises, \(summary.beds) beds, \(summary.placements) placements with their referrals, "
                + "\(summary.outOfService) out-of-service periods, \(summary.keyWorkSessions) key-work sessions, \(summary.tests) tests and "
                + "\(summary.curfewBreaches) curfew breaches, \(summary.nightChecks) night checks and "
                + "\(summary.movements) sign-outs and sign-ins, in \(String(format: "%.0f", Date().timeIntervalSince(started))) s (history to \(last))."
        )
    }
}

struct BenchReports: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-reports",
        abstract: "Time each report against the same figures from a hand-written plain SQL query, in the same run.",
        discussion: """
            On the national data (ap db seed): national occupancy by month over --years years; one \
            region by week over one year; one premises by day over one quarter; move-on outcomes by \
            quarter nationally. Each is run --runs times after a warm-up; the medians and their ratio \
            are printed, and the figures of both are compared (a difference fails the command).

            Example:  ap db bench-reports --years 5
            """)

    @Option(help: "The years the national report covers.") var years: Int = 5
    @Option(help: "Timed runs of each (after one warm-up).") var runs: Int = 5
    @Option(help: "The last day covered (YYYY-MM-DD); today when left out.") var until: String?
    @Flag(
        help:
            "Let PostgreSQL compile the statements of both just in time (its own default; the service turns it off), to show what that costs."
    )
    var jit = false

    func run() async throws {
        let to =
            try until.map { text -> CalendarDate in
                guard let date = CalendarDate(text) else { throw ValidationError("--until must be YYYY-MM-DD") }
                return date
            } ?? CalendarDate.today(in: Premises.defaultTimeZone)
        try await withOperatorPool(jit: jit) { pool in
            let principal = Principal(
                staffID: UUID(), username: "benchmark", displayName: "Benchmark", role: .administrator, premisesID: nil,
                regionCode: nil, sessionID: UUID(), expiresAt: Date().addingTimeInterval(3600))
            guard let premises: UUID = try await pool.query("SELECT id FROM premises WHERE code = 'NAT-001'").first?.decode("id") else {
                throw CLIError("there is no national data here: load it with ap db seed --scale national --years \(years)")
            }
            let reports = ReportStore(pool: pool)
            let handWritten = ReportBaseline(pool: pool)
            let cases: [(name: String, scope: ReportScope, from: CalendarDate, period: ReportPeriod, moveOn: Bool)] = [
                (
                    "occupancy, national, by month, \(years) year\(years == 1 ? "" : "s")", .country, to.adding(days: -365 * years), .month,
                    false
                ),
                ("occupancy, region NW, by week, 1 year", .region("NW"), to.adding(days: -364), .week, false),
                ("occupancy, one premises, by day, 1 quarter", .premises(premises), to.adding(days: -91), .day, false),
                (
                    "move-on, national, by quarter, \(years) year\(years == 1 ? "" : "s")", .country, to.adding(days: -365 * years),
                    .quarter, true
                ),
            ]
            print("Median of \(runs) runs each, after a warm-up; the baseline is a hand-written plain SQL query for the same figures.")
            print(try await BenchJIT.describe(pool, service: false) + "\n")
            var rows = [[String]]()
            var failures = [String]()
            for benchmark in cases {
                func report() async throws -> [[String]] {
                    if benchmark.moveOn {
                        return handWritten.figures(
                            try await reports.moveOn(benchmark.scope, from: benchmark.from, to: to, period: benchmark.period, by: principal)
                        )
                    }
                    return handWritten.figures(
                        try await reports.occupancy(benchmark.scope, from: benchmark.from, to: to, period: benchmark.period, by: principal))
                }
                func baseline() async throws -> [[String]] {
                    try await handWritten.figures(
                        scope: benchmark.scope, from: benchmark.from, to: to, period: benchmark.period,
                        moveOn: benchmark.moveOn)
                }
                let (ours, ourTime) = try await Self.time(runs: runs, report)
                let (theirs, theirTime) = try await Self.time(runs: runs, baseline)
                if ours != theirs { failures.append(benchmark.name) }
                rows.append([
                    benchmark.name, String(format: "%.0f ms", ourTime * 1000), String(format: "%.0f ms", theirTime * 1000),
                    String(format: "%.2f", ourTime / theirTime), ours == theirs ? "same" : "DIFFERENT",
                ])
            }
            Terminal.printTable(["REPORT", "REPORT TIME", "HAND-WRITTEN SQL", "RATIO", "FIGURES"], rows)
            if !failures.isEmpty { throw CLIError("the report and the hand-written query disagree: \(failures.joined(separator: "; "))") }
        }
    }

    /// Runs `body` once to warm up, then `runs` times; the last result and the median time.
    static func time<T>(runs: Int, _ body: () async throws -> T) async throws -> (T, Double) {
        var result = try await body()
        var times = [Double]()
        for _ in 0..<max(1, runs) {
            let started = DispatchTime.now().uptimeNanoseconds
            result = try await body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        }
        return (result, times.sorted()[times.count / 2])
    }
}

/// What the benchmarks say about PostgreSQL's JIT compiler, beside their figures.
enum BenchJIT {
    /// "JIT: off on ... (the server's own setting: on)", read from the benchmark's own connection.
    static func describe(_ pool: PostgresPool, service: Bool) async throws -> String {
        guard
            let row = try await pool.query("SELECT current_setting('jit') AS here, reset_val AS server FROM pg_settings WHERE name = 'jit'")
                .first
        else {
            return "JIT: unknown"
        }
        let here: String = try row.decode("here")
        let server: String = try row.decode("server")
        let whose = service ? "the service's connections and the baselines'" : "the report's connections and the baseline's"
        let how =
            here == "off" ? "(SET jit = off, as the service always sets it)" : "(--jit: PostgreSQL's default, which the service turns off)"
        return "JIT: \(here) on \(whose) \(how); the server's own setting is \(server)."
    }
}
