import APDemoData
import ApprovedPremises
import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Reports", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ReportTests {
    func day(_ text: String) -> CalendarDate { CalendarDate(text)! }

    /// Elm's three beds over 20 October - 2 November 2026 (14 nights, the clocks going back on the 25th):
    /// - P1 arrived 15 Oct, left early on 26 Oct (expected 27th): actual dates, nights 15-25, 6 in range;
    /// - P2 arrived and left on 22 Oct: no night;
    /// - P3 booked 24-28 Oct, never marked arrived: expected dates, 4 nights across the clock change;
    /// - P4 and P5 booked 20-22 Oct, P5 beyond capacity by a referral manager;
    /// - bed 3 out of service 15-22 Oct (nights 15-21), cut by the range to the 20th and 21st.
    /// Night by night (usable / occupied): 20th 2/3, 21st 2/3 (overbooked), 22nd-23rd 3/1, 24th-25th 3/2,
    /// 26th-27th 3/1, 28 Oct - 2 Nov 3/0.
    func scripted(_ pool: PostgresPool) async throws -> BedWorld {
        let (world, beds) = try await BedWorld.make(pool, beds: 3)
        let placements = world.placements
        func book(_ crn: String, _ from: String, _ to: String, overbooking: String? = nil, by principal: Principal? = nil) async throws
            -> Placement
        {
            try await placements.book(
                NewPlacement(
                    premisesID: world.premises, crn: crn, personName: "Person \(crn)", expectedArrival: day(from),
                    expectedDeparture: day(to), overbookingReason: overbooking), by: principal ?? world.manager)
        }
        _ = try await OutOfServiceStore(pool: pool).create(
            bedID: beds[2], nights: Nights(first: day("2026-10-15"), end: day("2026-10-22")),
            reason: "DAMAGE", reference: nil, notes: nil, by: world.manager)
        let p1 = try await book("P000001", "2026-10-15", "2026-10-27")
        _ = try await placements.arrive(
            p1.id, at: noon("2026-10-15"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-10-15"))
        _ = try await placements.depart(
            p1.id, .init(departedAt: noon("2026-10-26"), reason: "O", moveOnCategory: "MC04"), expectedVersion: nil, by: world.manager,
            now: noon("2026-10-26"))
        let p2 = try await book("P000002", "2026-10-22", "2026-10-24")
        _ = try await placements.arrive(
            p2.id, at: noon("2026-10-22"), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon("2026-10-22"))
        _ = try await placements.depart(
            p2.id, .init(departedAt: noon("2026-10-22").addingTimeInterval(3600), reason: "Q"), expectedVersion: nil, by: world.manager,
            now: noon("2026-10-22").addingTimeInterval(3600))
        _ = try await book("P000003", "2026-10-24", "2026-10-28")
        _ = try await book("P000004", "2026-10-20", "2026-10-22")
        _ = try await book("P000005", "2026-10-20", "2026-10-22", overbooking: "MAPPA level 3, released today", by: world.referrals)
        return world
    }

    @Test("occupancy by week agrees with figures worked out by hand, and with the bed board")
    func occupancyByHand() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await scripted(pool)
            let reports = ReportStore(pool: pool)
            let report = try await reports.occupancy(
                .premises(world.premises), from: day("2026-10-20"), to: day("2026-11-03"), period: .week,
                by: world.manager)
            // Weeks start on Monday (19 October): the first and last are cut by the range.
            #expect(report.rows.map(\.from) == [day("2026-10-20"), day("2026-10-26"), day("2026-11-02")])
            #expect(report.rows.map(\.to) == [day("2026-10-26"), day("2026-11-02"), day("2026-11-03")])
            #expect(report.rows.map(\.beds) == [3, 3, 3])
            #expect(report.rows.map(\.bedNights) == [18, 21, 3])
            #expect(report.rows.map(\.outOfServiceBedNights) == [2, 0, 0])
            #expect(report.rows[0].outOfServiceByReason == ["DAMAGE": 2])
            #expect(report.rows.map(\.usableBedNights) == [16, 21, 3])
            #expect(report.rows.map(\.occupiedBedNights) == [12, 2, 0])
            #expect(report.rows.map(\.vacantBedNights) == [6, 19, 3])
            #expect(report.rows.map(\.overbookedNights) == [2, 0, 0])
            #expect(report.rows.map(\.fullNights) == [2, 0, 0])
            #expect(report.total.usableBedNights == 40 && report.total.occupiedBedNights == 14 && report.total.vacantBedNights == 28)
            #expect(report.total.occupancyRate == 0.35)

            // Day by day: the stay across the clock change counts its four nights, the same-day stay none.
            let daily = try await reports.occupancy(
                .premises(world.premises), from: day("2026-10-20"), to: day("2026-11-03"), period: .day,
                by: world.manager)
            #expect(daily.rows.map(\.occupiedBedNights) == [3, 3, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0])
            #expect(daily.rows.map(\.usableBedNights) == [2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3])

            // The bed board counts the same occupied bed-nights over the same range.
            let board = try await BedBoardStore(pool: pool).board(
                premisesID: world.premises, nights: Nights(first: day("2026-10-20"), end: day("2026-11-03")),
                by: world.manager)
            #expect(board.summary.map(\.booked) == daily.rows.map(\.occupiedBedNights))
            #expect(board.summary.map(\.usableBeds) == daily.rows.map(\.usableBedNights))
            #expect(board.summary.filter(\.overbooked).count == report.total.overbookedNights)

            // By month, the range cut at both ends.
            let monthly = try await reports.occupancy(
                .premises(world.premises), from: day("2026-10-20"), to: day("2026-11-03"), period: .month,
                by: world.manager)
            #expect(monthly.rows.map(\.occupiedBedNights) == [14, 0])
            #expect(monthly.rows.map(\.usableBedNights) == [34, 6])
        }
    }

    @Test("a regional manager sees their region only; AP staff their premises only; the country is for national roles")
    func regionalAccess() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await scripted(pool)  // Elm is in the North West
            let fixtures = Fixtures(pool: pool)
            let oak = try await fixtures.premises("OAK", region: "YH")
            _ = try await fixtures.staff("regional.nw", .regionalManager, region: "NW")
            let regional = try await fixtures.signIn("regional.nw").principal
            let reports = ReportStore(pool: pool)
            let (from, to) = (day("2026-10-20"), day("2026-11-03"))
            let northWest = try await reports.occupancy(.region("NW"), from: from, to: to, period: .month, by: regional)
            #expect(northWest.total.occupiedBedNights == 14)
            #expect(
                try await reports.occupancy(.premises(world.premises), from: from, to: to, period: .month, by: regional).total
                    .usableBedNights == 40)
            for scope in [ReportScope.region("YH"), .premises(oak), .country] {
                await #expect(throws: DomainError.self) {
                    try await reports.occupancy(scope, from: from, to: to, period: .month, by: regional)
                }
            }
            await #expect(throws: DomainError.self) {
                try await reports.occupancy(.region("NW"), from: from, to: to, period: .month, by: world.manager)
            }
            let national = try await reports.occupancy(.country, from: from, to: to, period: .month, by: world.admin)
            #expect(national.total.occupiedBedNights == 14 && national.total.usableBedNights == 40)
            do {
                _ = try await reports.occupancy(.region("XX"), from: to, to: from, period: .month, by: world.admin)
                Issue.record("a backwards range was accepted")
            } catch let error as DomainError {
                #expect(error.problems.map(\.field) == ["to"])
            }
        }
    }

    @Test("move-on outcomes by quarter and by month agree with figures worked out by hand")
    func moveOnByHand() async throws {
        try await TestDatabase.withDatabase { pool in
            let (world, _) = try await BedWorld.make(pool, beds: 6)
            let placements = world.placements
            func stay(_ crn: String, _ arrival: String, _ expected: String, left: String, reason: String, category: String?) async throws {
                let placement = try await placements.book(
                    NewPlacement(
                        premisesID: world.premises, crn: crn, personName: "Person \(crn)",
                        expectedArrival: day(arrival), expectedDeparture: day(expected)), by: world.manager)
                _ = try await placements.arrive(
                    placement.id, at: noon(arrival), keyWorkerID: nil, expectedVersion: nil, by: world.manager, now: noon(arrival))
                _ = try await placements.depart(
                    placement.id, .init(departedAt: noon(left), reason: reason, moveOnCategory: category),
                    expectedVersion: nil, by: world.manager, now: noon(left))
            }
            // 40 nights, early, settled
            try await stay("Q000001", "2026-10-01", "2026-12-24", left: "2026-11-10", reason: "O", category: "MC04")
            // 15, recalled (curfew) in 28 days
            try await stay("Q000002", "2026-10-05", "2026-11-30", left: "2026-10-20", reason: "F", category: "MC14")
            // 61, on time, unsettled
            try await stay("Q000003", "2026-09-01", "2026-11-01", left: "2026-11-01", reason: "O", category: "CAS3")
            // 46, recalled (absconded)
            try await stay("Q000004", "2026-10-10", "2026-12-31", left: "2026-11-25", reason: "A", category: nil)
            let absent = try await placements.book(
                NewPlacement(
                    premisesID: world.premises, crn: "Q000005", personName: "Person Q000005",
                    expectedArrival: day("2026-10-15"), expectedDeparture: day("2026-12-15")), by: world.manager)
            _ = try await placements.recordNonArrival(absent.id, reason: "A", notes: nil, expectedVersion: nil, by: world.manager)

            let reports = ReportStore(pool: pool)
            let quarter = try await reports.moveOn(
                .premises(world.premises), from: day("2026-10-01"), to: day("2027-01-01"), period: .quarter, by: world.manager)
            let row = try #require(quarter.rows.first)
            #expect(quarter.rows.count == 1 && row.departures == 4)
            #expect(row.byReason == ["Planned move-on": 2, "Breach / recall: Curfew": 1, "Breach / recall: Absconded": 1])
            #expect(row.byMoveOnCategory == ["Private rented": 1, "No fixed abode": 1, "CAS3 (temporary accommodation)": 1])
            #expect(row.byOutcome == ["settled": 1, "homeless": 1, "unsettled": 1, "unknown": 1])
            #expect(row.settledShare == 0.25)
            #expect(row.averageStayDays == 40.5 && row.medianStayDays == 43)
            #expect(row.leftEarly == 3 && row.leftEarlyShare == 0.75)
            #expect(row.recalls == 2 && row.recallsWithin28Days == 1 && row.recallsWithin28DaysShare == 0.5)
            #expect(row.nonArrivals == 1 && row.nonArrivalsByReason == ["Failed to arrive as planned": 1])

            let months = try await reports.moveOn(
                .premises(world.premises), from: day("2026-10-01"), to: day("2027-01-01"), period: .month, by: world.manager)
            #expect(months.rows.map(\.departures) == [1, 3, 0])
            #expect(months.rows.map(\.recalls) == [1, 1, 0])
            #expect(months.rows[2].averageStayDays == nil && months.rows[2].settledShare == nil)
        }
    }

    @Test("on a year of seeded national data, every report figure equals the plain night-by-night SQL; the seed is reproducible")
    func nationalSeedAgreesWithPlainSQL() async throws {
        try await TestDatabase.withDatabase { pool in
            let until = day("2026-11-23")
            let summary = try await NationalSeed(years: 1, seed: 7, until: until).load(pool: pool)
            #expect(summary.premises == 104)
            #expect((2_000...2_600).contains(summary.beds))
            #expect(summary.placements > 8_000)
            #expect(summary.nightChecks > 0 && summary.movements > 0)
            await #expect(throws: DomainError.self) { try await NationalSeed(years: 1, seed: 7, until: until).load(pool: pool) }
            // A year of hourly night checks (eight rounds a night, a few missed) and outings, loaded
            // with the triggers off: the chains worked out by the seed hold, and so does every reference.
            let (world, _) = try await BedWorld.make(pool, beds: 1)
            for code in ["NAT-001", "NAT-052", "NAT-104"] {
                let premises: UUID = try await pool.query("SELECT id FROM premises WHERE code = \(code)").first!.decode("id")
                let chains = try await LogChainStore(pool: pool).verify(premisesID: premises, by: world.admin)
                #expect(chains.problems.isEmpty, "\(code): \(chains.problems.prefix(3))")
                #expect(chains.entries["night_checks"]! > 10_000 && chains.entries["curfew_log"]! > 1_000, "\(code): \(chains.entries)")
            }
            // ...and every row falls while its resident was there, between arrival and departure.
            let references: Int = try await pool.query(
                """
                SELECT (SELECT count(*) FROM night_check n LEFT JOIN placement p ON p.id = n.placement_id LEFT JOIN staff s ON s.id = n.recorded_by
                        WHERE p.id IS NULL OR s.id IS NULL OR p.premises_id <> n.premises_id
                           OR n.round_due_at <= p.arrived_at OR n.recorded_at >= coalesce(p.departed_at, 'infinity'))
                     + (SELECT count(*) FROM movement m LEFT JOIN placement p ON p.id = m.placement_id LEFT JOIN staff s ON s.id = m.recorded_by
                        WHERE p.id IS NULL OR s.id IS NULL OR p.premises_id <> m.premises_id
                           OR m.occurred_at <= p.arrived_at OR m.occurred_at >= coalesce(p.departed_at, 'infinity')) AS broken
                """
            ).first!.decode("broken")
            #expect(references == 0)
            let residentNights: Int = try await pool.query(
                """
                SELECT sum(greatest(least(coalesce(departure_date, expected_departure), \(until)) - arrival_date, 0))::bigint AS nights
                FROM placement WHERE arrival_date IS NOT NULL
                """
            ).first!.decode("nights")
            #expect(
                (7.9...8.0).contains(Double(summary.nightChecks) / Double(residentNights)),
                "\(summary.nightChecks) checks over \(residentNights) nights")
            // Every breach ends with the resident's sign-in at the minute it closed; every sign-out has its sign-in.
            let unmatched: Int = try await pool.query(
                """
                SELECT count(*) AS unmatched FROM curfew_breach b
                WHERE NOT EXISTS (SELECT 1 FROM movement m WHERE m.placement_id = b.placement_id AND m.kind = 'in' AND m.occurred_at = b.closed_at)
                """
            ).first!.decode("unmatched")
            #expect(unmatched == 0 && summary.curfewBreaches > 0)
            let kinds = try await pool.query("SELECT kind, count(*) AS n FROM movement GROUP BY kind ORDER BY kind").map {
                try $0.decode("n", as: Int.self)
            }
            #expect(kinds.count == 2 && kinds[0] == kinds[1] && kinds[0] * 2 == summary.movements)
            let reports = ReportStore(pool: pool)
            let handWritten = ReportBaseline(pool: pool)
            let year = until.adding(days: -365)
            for (scope, period) in [(ReportScope.country, ReportPeriod.month), (.region("NW"), .week)] {
                let report = try await reports.occupancy(scope, from: year, to: until, period: period, by: world.admin)
                let plain = try await handWritten.figures(scope: scope, from: year, to: until, period: period, moveOn: false)
                #expect(handWritten.figures(report) == plain)
                #expect(
                    report.total.occupancyRate.map { (0.6...0.99).contains($0) } == true,
                    "occupancy \(String(describing: report.total.occupancyRate))")
            }
            let moveOn = try await reports.moveOn(.country, from: year, to: until, period: .quarter, by: world.admin)
            #expect(
                handWritten.figures(moveOn)
                    == (try await handWritten.figures(scope: .country, from: year, to: until, period: .quarter, moveOn: true)))
            let departures = moveOn.rows.map(\.departures).reduce(0, +)
            let settled = moveOn.rows.map { $0.byOutcome["settled"] ?? 0 }.reduce(0, +)
            #expect(Double(settled) / Double(departures) > 0.4)

            // At the rates an AP really has: about one breach per 100 resident-nights, a session a week, tests now and then.
            let operations = try await reports.operations(.country, from: year, to: until, period: .year, by: world.admin)
            let all = try #require(operations.rows.first)
            #expect((0.5...1.5).contains(all.breachesPer100ResidentNights ?? 0), "\(String(describing: all.breachesPer100ResidentNights))")
            #expect((0.7...1.3).contains(all.sessionsPerResidentWeek ?? 0), "\(String(describing: all.sessionsPerResidentWeek))")
            #expect(all.testsMissed > 0 && Double(all.testsMissed) / Double(all.testsTaken + all.testsMissed) < 0.1)
            #expect(all.referralsReceived > 0 && all.medianDaysToDecision != nil && all.medianDaysToArrival != nil)

            // The same seed gives the same rows in another database (a few premises, to be quick).
            var small = NationalSeed(years: 1, seed: 7, until: until)
            small.premisesCount = 4
            var fingerprints = [String]()
            for _ in 0..<2 {
                try await TestDatabase.withDatabase { other in
                    _ = try await small.load(pool: other)
                    fingerprints.append(
                        try await other.query(
                            """
                            SELECT md5(string_agg(id::text || crn || coalesce(departure_reason_code, '-'), ',' ORDER BY id))
                                || (SELECT md5(string_agg(encode(entry_hash, 'hex'), ',' ORDER BY premises_id, chain_seq)) FROM night_check)
                                || (SELECT md5(string_agg(encode(entry_hash, 'hex'), ',' ORDER BY premises_id, chain_seq)) FROM movement) AS f
                            FROM placement
                            """
                        ).first!.decode("f"))
                }
            }
            #expect(fingerprints.count == 2 && fingerprints[0] == fingerprints[1])
        }
    }

    @Test(
        "the seed refuses a connection that is not a superuser's (it loads the chained logs with triggers off), saying so, and loads nothing"
    )
    func seedNeedsSuperuser() async throws {
        try await TestDatabase.withDatabase { pool in
            try await pool.execute("DO $$ BEGIN CREATE ROLE ap_seed_not_superuser LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
            let server = try #require(ProcessInfo.processInfo.environment["AP_TEST_DATABASE_URL"])
            var url = try #require(URLComponents(string: server))
            url.user = "ap_seed_not_superuser"
            let name: String = try await pool.query("SELECT current_database() AS name").first!.decode("name")
            let plain = PostgresPool(
                settings: ConnectionSettings(connectionString: try #require(url.string)).database(name), maxConnections: 2)
            let refusal = await #expect(throws: DomainError.self) {
                try await NationalSeed(years: 1, seed: 7, until: day("2026-11-23")).load(pool: plain)
            }
            await plain.close()
            #expect(refusal?.kind == .forbidden && refusal?.message.contains("superuser") == true)
            let premises: Int = try await pool.query("SELECT count(*) AS n FROM premises WHERE code LIKE 'NAT-%'").first!.decode("n")
            #expect(premises == 0)
        }
    }

    @Test(
        "operational figures: breaches per 100 resident-nights and how they ended, tests and missed tests, sessions per resident-week and late ones"
    )
    func operationsByHand() async throws {
        try await TestDatabase.withDatabase { pool in
            func at(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }
            let (world, _) = try await BedWorld.make(pool, beds: 2)
            let people = try await world.residents(["O000001", "O000002"])  // both arrived on 1 December
            let log = CurfewStore(pool: pool)
            _ = try await log.record(
                people[0].id, .init(kind: "out", occurredAt: at("2026-12-02T20:00:00Z")), by: world.manager, now: at("2026-12-02T20:00:00Z")
            )
            _ = try await CurfewBreachStore(pool: pool).scan(now: at("2026-12-02T23:01:00Z"))
            _ = try await log.record(
                people[0].id, .init(kind: "in", occurredAt: at("2026-12-02T23:30:00Z")), by: world.manager, now: at("2026-12-02T23:31:00Z"))
            let breach = try #require(try await CurfewBreachStore(pool: pool).list(placementID: people[0].id, by: world.manager).first)
            _ = try await CurfewBreachStore(pool: pool).recordOutcome(
                breach.id, outcome: "warning", note: nil, by: world.manager, now: at("2026-12-03T10:00:00Z"))
            let testing = TestingStore(pool: pool)
            _ = try await testing.authorise(
                premisesID: world.premises, reasons: ["random"], from: day("2026-11-01"), until: nil, note: "policy", by: world.manager)
            let breath = try await testing.record(
                people[1].id,
                .init(
                    reason: "random", sampleType: "breath", requiredAt: at("2026-12-04T21:00:00Z"),
                    takenAt: at("2026-12-04T21:00:00Z")), by: world.manager, now: at("2026-12-04T21:05:00Z"))
            _ = try await testing.results(
                breath.id, [("alcohol", "negative", 0)], receivedAt: nil, by: world.manager, now: at("2026-12-04T21:05:00Z"))
            _ = try await testing.record(
                people[0].id,
                .init(
                    reason: "random", sampleType: "breath", requiredAt: at("2026-12-05T21:00:00Z"),
                    missedReason: "no_kit"), by: world.manager, now: at("2026-12-05T21:05:00Z"))
            let keyWork = KeyWorkStore(pool: pool)
            // A: on the 3rd (due the 8th: on time), then on the 12th (due the 10th: late). B: first on the 9th (due the 8th: late).
            for (person, held) in [
                (people[0], "2026-12-03T10:00:00Z"), (people[0], "2026-12-12T10:00:00Z"), (people[1], "2026-12-09T10:00:00Z"),
            ] {
                _ = try await keyWork.record(
                    person.id, .init(heldAt: at(held), durationMinutes: 30, kind: "one_to_one", notes: "catch-up"),
                    by: world.manager, now: at(held))
            }

            let report = try await ReportStore(pool: pool).operations(
                .premises(world.premises), from: day("2026-12-01"), to: day("2026-12-15"),
                period: .month, by: world.manager)
            let row = try #require(report.rows.first)
            #expect(report.rows.count == 1)
            #expect(row.residentNights == 28)
            #expect(row.curfewBreaches == 1 && row.breachesByState == ["closed": 1] && row.breachesByOutcome == ["warning": 1])
            #expect(abs((row.breachesPer100ResidentNights ?? 0) - 100.0 / 28) < 1e-9)
            #expect(row.testsTaken == 1 && row.testsMissed == 1 && row.missedByReason == ["no_kit": 1])
            #expect(row.testResults == ["alcohol: negative": 1])
            #expect(row.keyWorkSessions == 3 && row.sessionsHeldLate == 2 && row.sessionsPerResidentWeek == 0.75)
            #expect(row.referralsReceived == 0 && row.medianDaysToDecision == nil)
        }
    }
}
