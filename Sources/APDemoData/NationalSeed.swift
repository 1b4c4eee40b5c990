import ApprovedPremises
import Foundation
import Postgres

/// National data at the scale England and Wales really have: about 104 premises with about
/// 2,300 beds across the 12 probation regions, and `years` of placements bed by bed (typical
/// 12-week stays, non-arrivals, early departures, recalls, a realistic move-on mix) with the
/// referrals behind them, out-of-service periods and bed allocations, weekly key-work sessions,
/// drug and alcohol tests (on arrival and at random, some missed, some positive) and curfew
/// breaches (about one per 100 resident-nights), hourly night checks (23:00-07:00) and residents'
/// outings with their sign-outs and sign-ins, all loaded with COPY (the hash-chained logs with
/// their chains worked out here: see `loadChainedLogs`). Needs a superuser connection, as
/// `pg_restore --disable-triggers` does. Reproducible: the same seed and `until` give the same
/// rows, ids included.
public struct NationalSeed: Sendable {
    public var years: Int
    public var seed: UInt64
    /// The day the history runs up to ("today" of the data); bookings run 12 weeks beyond.
    public var until: CalendarDate
    public var premisesCount = 104

    /// A seed of `years` years up to `until`, reproducible from `seed`.
    public init(years: Int, seed: UInt64, until: CalendarDate) {
        self.years = years
        self.seed = seed
        self.until = until
    }

    /// What was loaded.
    public struct Summary: Sendable, Equatable {
        public var premises = 0
        public var beds = 0
        public var placements = 0
        public var outOfService = 0
        public var referrals = 0
        public var keyWorkSessions = 0
        public var tests = 0
        public var curfewBreaches = 0
        public var nightChecks = 0
        public var movements = 0
    }

    /// Loads the data; `progress` hears each step. Refuses to load twice.
    public func load(pool: PostgresPool, progress: @Sendable (String) -> Void = { _ in }) async throws -> Summary {
        // The seeded key workers cannot sign in: their accounts are inactive, with the hash of a password no one knows.
        let unusable = try await PasswordHasher(cost: 4).hash(UUID().uuidString)
        if try await pool.query("SELECT current_setting('is_superuser') = 'on' AS superuser").first?.decode("superuser", as: Bool.self)
            != true
        {
            throw DomainError(
                .forbidden,
                "seeding loads years of night checks and sign-outs with the tables' triggers off, as pg_restore does: "
                    + "connect as a superuser (DATABASE_URL) to a database of your own")
        }
        if try await pool.query("SELECT 1 AS found FROM premises WHERE code = 'NAT-001'").first != nil {
            throw DomainError(.conflict, "the national data is already loaded (premises NAT-001 exists); load it into a fresh database")
        }
        var random = SeededGenerator(seed: seed)
        let regions = try await pool.query("SELECT code FROM probation_region ORDER BY code").map { try $0.decode("code", as: String.self) }
        let outcodes = try await pool.query("SELECT outcode FROM postcode_district ORDER BY outcode").map {
            try $0.decode("outcode", as: String.self)
        }
        let outOfServiceReasons = try await pool.query("SELECT code FROM out_of_service_reason WHERE active ORDER BY code")
            .map { try $0.decode("code", as: String.self) }
        let nonArrivalReasons = try await pool.query("SELECT code FROM non_arrival_reason WHERE active ORDER BY code")
            .map { try $0.decode("code", as: String.self) }
        guard !regions.isEmpty, !outcodes.isEmpty, !outOfServiceReasons.isEmpty, !nonArrivalReasons.isEmpty else {
            throw DomainError(.conflict, "the reference data is missing: run ap db migrate first")
        }
        let start = until.adding(days: -365 * years)
        let horizon = until.adding(days: 84)
        var summary = Summary()

        // Premises, rooms and beds.
        var premisesRows = [[String?]]()
        var roomRows = [[String?]]()
        var bedRows = [[String?]]()
        var beds = [(id: UUID, premises: UUID)]()
        var staffRows = [[String?]]()
        var keyWorkers = [UUID: UUID]()
        var authorisationRows = [[String?]]()
        var authorisations = [UUID: UUID]()
        for index in 0..<premisesCount {
            let id = random.uuid()
            let region = regions[index % regions.count]
            let women = index % 17 == 5
            premisesRows.append([
                id.uuidString, String(format: "NAT-%03d", index + 1),
                "\(Self.towns[index % Self.towns.count]) House \(index / Self.towns.count + 1)", region, "NORMAL",
                women ? "women" : "men", outcodes[Int.random(in: 0..<outcodes.count, using: &random)],
            ])
            let keyWorker = random.uuid()
            keyWorkers[id] = keyWorker
            staffRows.append([
                keyWorker.uuidString, String(format: "nat-%03d.kw", index + 1), "Key Worker \(index + 1)", "key_worker", id.uuidString,
                unusable, "false",
            ])
            let authorisation = random.uuid()
            authorisations[id] = authorisation
            authorisationRows.append([
                authorisation.uuidString, id.uuidString, "{on_arrival,random,on_suspicion,routine}", "[\(start.adding(days: -30)),)",
                "seeded testing policy", keyWorker.uuidString,
            ])
            let bedCount = Int.random(in: 14...30, using: &random)
            for number in 1...bedCount {
                let room = random.uuid()
                roomRows.append([room.uuidString, id.uuidString, "Room \(number)", number <= bedCount / 2 ? "Ground" : "First"])
                let bed = random.uuid()
                bedRows.append([bed.uuidString, room.uuidString, id.uuidString, "\(number)", "[\(start.adding(days: -30)),)"])
                beds.append((bed, id))
            }
        }
        try await pool.withConnection { connection in
            try await connection.copy(
                into: "premises", columns: ["id", "code", "name", "region_code", "ap_type_code", "gender", "postcode"], rows: premisesRows)
            try await connection.copy(into: "room", columns: ["id", "premises_id", "name", "floor"], rows: roomRows)
            try await connection.copy(into: "bed", columns: ["id", "room_id", "premises_id", "label", "in_use"], rows: bedRows)
            try await connection.copy(
                into: "staff", columns: ["id", "username", "display_name", "role", "premises_id", "password_hash", "active"],
                rows: staffRows)
            try await connection.copy(
                into: "testing_authorisation", columns: ["id", "premises_id", "reasons", "valid", "note", "authorised_by"],
                rows: authorisationRows)
        }
        summary.premises = premisesRows.count
        summary.beds = bedRows.count
        progress("premises \(summary.premises), beds \(summary.beds)")

        // Stays, bed by bed, back to back with short gaps; now and then a bed out of service.
        let recallReasons = ["A", "D", "F", "E", "PAT", "C"]
        let settledMix: [(String, Double)] = [
            ("MC04", 28), ("MC02", 14), ("MC07", 14), ("MC06", 10), ("MC08", 2), ("CAS3", 12), ("MC05", 6),
            ("CAS2", 2), ("MC14", 8), ("P", 2), ("MC10", 2),
        ]
        var placementRows = [[String?]]()
        var allocationRows = [[String?]]()
        var outageRows = [[String?]]()
        var personNumber = 100_000
        var referralRows = [[String?]]()
        var referralEventRows = [[String?]]()
        var sessionRows = [[String?]]()
        var testRows = [[String?]]()
        var resultRows = [[String?]]()
        var breachRows = [[String?]]()
        // Every resident's nights in residence, for night checks and the sign-out/sign-in log.
        var residents = [UUID: [SeededResident]]()
        let london = Premises.defaultTimeZone
        let substances = ["opiates", "cocaine", "cannabis", "benzodiazepines"]
        func noon(_ day: CalendarDate, hour: Int) -> String {
            let parts = day.parts
            return String(
                format: "%04d-%02d-%02d %02d:%02d:00+00", parts.year, parts.month, parts.day, hour, Int.random(in: 0..<60, using: &random))
        }
        for (bedIndex, bed) in beds.enumerated() {
            var day = start.adding(days: Int.random(in: 0..<30, using: &random))
            while day < horizon {
                if Double.random(in: 0..<1, using: &random) < 0.04 {
                    let length = Int.random(in: 3...14, using: &random)
                    outageRows.append([
                        random.uuid().uuidString, bed.id.uuidString, "[\(day),\(day.adding(days: length)))",
                        outOfServiceReasons[Int.random(in: 0..<outOfServiceReasons.count, using: &random)],
                    ])
                    day = day.adding(days: length)
                    continue
                }
                personNumber += 1
                let id = random.uuid()
                let crn = "\(Character(UnicodeScalar(UInt8(65 + personNumber % 26))))\(String(format: "%06d", personNumber % 1_000_000))"
                let name =
                    "\(Self.firstNames[Int.random(in: 0..<Self.firstNames.count, using: &random)]) \(Self.lastNames[Int.random(in: 0..<Self.lastNames.count, using: &random)])"
                let expectedLength = Int.random(in: 70...98, using: &random)
                let expectedDeparture = day.adding(days: expectedLength)
                let keyWorker = keyWorkers[bed.premises]!
                let referral = random.uuid()
                let referred = day.adding(days: -Int.random(in: 10...45, using: &random))
                let accepted = referred.adding(days: Int.random(in: 1...6, using: &random))
                var row: [String: String] = [
                    "id": id.uuidString, "premises_id": bed.premises.uuidString, "crn": crn, "person_name": name,
                    "expected_arrival": day.description, "expected_departure": expectedDeparture.description,
                    "referral_id": referral.uuidString, "key_worker_id": keyWorker.uuidString,
                ]
                referralRows.append([
                    referral.uuidString, crn, name, day.adding(days: -365 * Int.random(in: 21...60, using: &random)).description, "man",
                    "Probation Practitioner", "pp@probation.example", "licence", day.description,
                    random.pick([("low", 1.0), ("medium", 4.0), ("high", 4.0), ("very_high", 1.0)]),
                    outcodes[Int.random(in: 0..<outcodes.count, using: &random)], "booked", noon(referred, hour: 9),
                ])
                referralEventRows.append([referral.uuidString, "submitted", nil, noon(referred, hour: 9)])
                referralEventRows.append([referral.uuidString, "accepted", nil, noon(accepted, hour: 14)])
                referralEventRows.append([referral.uuidString, "booked", id.uuidString, noon(accepted, hour: 15)])
                var occupied: Nights? = Nights(first: day, end: expectedDeparture)
                if day >= until {
                    // Booked, not yet here.
                } else if Double.random(in: 0..<1, using: &random) < 0.08 {
                    row["non_arrived_at"] = noon(day, hour: 20)
                    row["non_arrival_reason_code"] = nonArrivalReasons[Int.random(in: 0..<nonArrivalReasons.count, using: &random)]
                    occupied = nil
                } else {
                    row["arrived_at"] = noon(day, hour: Int.random(in: 10...18, using: &random))
                    row["arrival_date"] = day.description
                    let roll = Double.random(in: 0..<1, using: &random)
                    var length: Int
                    var reason: String
                    var category: String?
                    if roll < 0.10 {
                        reason = recallReasons[Int.random(in: 0..<recallReasons.count, using: &random)]
                        length =
                            Double.random(in: 0..<1, using: &random) < 0.35
                            ? Int.random(in: 3...28, using: &random)
                            : Int.random(in: 29...max(29, expectedLength - 1), using: &random)
                        category = "MC19"
                    } else if roll < 0.17 {
                        reason = random.pick([("Q", 3.0), ("H", 4.0), ("X", 1.0), ("P", 0.3)])
                        length = Int.random(in: 7...max(7, expectedLength - 1), using: &random)
                        category = reason == "H" ? "MC19" : (reason == "X" ? "MC14" : nil)
                    } else {
                        reason = "O"
                        length = expectedLength - Int.random(in: 0...7, using: &random)
                        category = random.pick(settledMix)
                    }
                    let departure = day.adding(days: length)
                    if departure < until {
                        row["departed_at"] = noon(departure, hour: 10)
                        row["departure_date"] = departure.description
                        row["departure_reason_code"] = reason
                        row["move_on_category_code"] = category
                        if category == "P" { row["transferred_to"] = "another AP" }
                        occupied = Nights(first: day, end: departure)
                    } else if expectedDeparture <= until {
                        // Still here past the expected date: a later expected departure was agreed.
                        let later = until.adding(days: Int.random(in: 1...28, using: &random))
                        row["expected_departure"] = later.description
                        occupied = Nights(first: day, end: later)
                    }
                }
                placementRows.append(Self.placementColumns.map { row[$0] })
                if row["arrived_at"] != nil, let stay = occupied {
                    // Weekly key work, tests on arrival and about fortnightly, a breach now and then.
                    let resident = Nights(first: stay.first, end: min(stay.end, until))
                    var seeded = SeededResident(
                        placement: id, nights: resident, keyWorker: keyWorker, arrivedAt: Self.seconds(row["arrived_at"]!))
                    var session = resident.first.adding(days: Int.random(in: 1...3, using: &random))
                    var first = true
                    while session < resident.end {
                        let next = session.adding(days: Int.random(in: 5...10, using: &random))
                        let kind =
                            first
                            ? "induction"
                            : (resident.end.days(to: stay.end) <= 0 && session.days(to: stay.end) <= 28
                                ? "move_on_planning"
                                : random.pick([("one_to_one", 6.0), ("relapse_prevention", 1.5), ("other", 0.5)]))
                        sessionRows.append([
                            random.uuid().uuidString, id.uuidString, noon(session, hour: Int.random(in: 9...16, using: &random)),
                            "\(Int.random(in: 20...60, using: &random))", kind, "{}", "seeded session", session.adding(days: 7).description,
                            keyWorker.uuidString,
                        ])
                        first = false
                        session = next
                    }
                    var test = resident.first
                    var reason = "on_arrival"
                    while test < resident.end {
                        let testID = random.uuid()
                        let sample =
                            reason == "on_arrival"
                            ? "urine_instant" : random.pick([("urine_instant", 5.0), ("oral_fluid", 2.0), ("breath", 3.0)])
                        // The test on arrival is taken that evening, after the arrival itself.
                        let when = noon(test, hour: reason == "on_arrival" ? 21 : Int.random(in: 8...21, using: &random))
                        if Double.random(in: 0..<1, using: &random) < 0.05 {
                            testRows.append([
                                testID.uuidString, id.uuidString, bed.premises.uuidString, authorisations[bed.premises]!.uuidString, reason,
                                sample,
                                when, nil, nil, random.pick([("no_kit", 1.0), ("resident_absent", 2.0)]), keyWorker.uuidString,
                            ])
                        } else {
                            testRows.append([
                                testID.uuidString, id.uuidString, bed.premises.uuidString, authorisations[bed.premises]!.uuidString, reason,
                                sample,
                                when, when, keyWorker.uuidString, nil, keyWorker.uuidString,
                            ])
                            for substance in sample == "breath" ? ["alcohol"] : substances {
                                let outcome = random.pick([
                                    ("negative", 90.0), ("positive", 7.0), ("positive_prescribed", 1.5), ("refused", 1.5),
                                ])
                                resultRows.append([
                                    testID.uuidString, substance, outcome,
                                    substance == "alcohol"
                                        ? (outcome == "positive" ? "\(Int.random(in: 10...60, using: &random))" : "0") : nil,
                                    keyWorker.uuidString, when,
                                ])
                            }
                        }
                        reason = random.pick([("random", 3.0), ("on_suspicion", 1.0), ("routine", 1.0)])
                        test = test.adding(days: Int.random(in: 7...21, using: &random))
                    }
                    for night in resident.all where Double.random(in: 0..<1, using: &random) < 0.01 {
                        let window = CurfewRules.window(
                            CurfewHours(start: WallClock(hour: 23, minute: 0), end: WallClock(hour: 7, minute: 0)),
                            night: night, in: london, source: .premises)
                        let late = Int.random(in: 5...300, using: &random)
                        seeded.lateBack[night] = late
                        let outcome =
                            Double.random(in: 0..<1, using: &random) < 0.7
                            ? random.pick([("no_action", 4.0), ("warning", 4.0), ("reported_to_pp", 1.5), ("recall_requested", 0.5)]) : nil
                        let decided = window.start.addingTimeInterval(Double(late) * 60 + 12 * 3600)
                        breachRows.append([
                            random.uuid().uuidString, bed.premises.uuidString, id.uuidString, Self.timestamp(window.start),
                            Self.timestamp(window.end), Self.timestamp(window.start.addingTimeInterval(60)),
                            Self.timestamp(window.start.addingTimeInterval(Double(late) * 60)), "\(late)", outcome,
                            outcome == nil ? nil : Self.timestamp(decided),
                        ])
                    }
                    if resident.count > 0 { residents[bed.premises, default: []].append(seeded) }
                }
                if let occupied, occupied.count > 0 {
                    allocationRows.append([
                        random.uuid().uuidString, id.uuidString, bed.id.uuidString, "[\(occupied.first),\(occupied.end))",
                    ])
                    day = occupied.end.adding(days: Int.random(in: 0...5, using: &random))
                } else {
                    day = day.adding(days: Int.random(in: 1...4, using: &random))
                }
            }
            if bedIndex % 200 == 199 { progress("stays generated for \(bedIndex + 1) of \(beds.count) beds") }
            // Minutes of generation would otherwise hold one of the few threads Swift's tasks
            // share (as many as the machine has cores), and a service in the same process (the
            // tests') would stop answering meanwhile.
            if bedIndex % 20 == 19 { await Task.yield() }
        }
        try await pool.withConnection { connection in
            // Years of history tell nobody now: no e-mail for the stays, referrals and breaches loaded here.
            try await connection.execute("SET ap.outbox = 'off'")
            func load(_ table: String, _ columns: [String], _ rows: [[String?]], batch: Int = 50_000) async throws {
                for first in stride(from: 0, to: rows.count, by: batch) {
                    try await connection.copy(into: table, columns: columns, rows: Array(rows[first..<min(first + batch, rows.count)]))
                    progress("\(table) \(min(first + batch, rows.count)) of \(rows.count)")
                }
            }
            try await load("bed_out_of_service", ["id", "bed_id", "nights", "reason_code"], outageRows)
            try await load(
                "referral",
                [
                    "id", "crn", "person_name", "date_of_birth", "gender", "referrer_name", "referrer_email", "release_type_code",
                    "expected_arrival", "rosh_overall", "home_district", "status", "created_at",
                ], referralRows)
            try await load("placement", Self.placementColumns, placementRows, batch: 10_000)
            try await load("referral_event", ["referral_id", "kind", "placement_id", "created_at"], referralEventRows)
            try await load("bed_allocation", ["id", "placement_id", "bed_id", "nights"], allocationRows, batch: 10_000)
            try await load(
                "key_work_session",
                [
                    "id", "placement_id", "held_at", "duration_minutes", "kind", "topics", "notes", "next_session_on",
                    "recorded_by",
                ], sessionRows)
            try await load(
                "substance_test",
                [
                    "id", "placement_id", "premises_id", "authorisation_id", "reason", "sample_type", "required_at", "taken_at",
                    "taken_by", "missed_reason", "recorded_by",
                ], testRows)
            try await load(
                "substance_test_result", ["test_id", "substance", "result", "reading", "recorded_by", "recorded_at"], resultRows)
            try await load(
                "curfew_breach",
                [
                    "id", "premises_id", "placement_id", "window_start", "window_end", "opened_at", "closed_at", "minutes_late",
                    "outcome", "outcome_at",
                ], breachRows)
            try await connection.execute("RESET ap.outbox")
        }
        let premisesIDs = premisesRows.map { UUID(uuidString: $0[0]!)! }
        (summary.nightChecks, summary.movements) = try await loadChainedLogs(
            pool: pool, premises: premisesIDs, residents: residents,
            random: &random, progress: progress)
        try await pool.withConnection { connection in
            try await connection.execute(
                """
                ANALYZE premises, bed, bed_out_of_service, placement, bed_allocation, referral, referral_event, key_work_session,
                        substance_test, substance_test_result, curfew_breach, night_check, movement
                """)
        }
        summary.placements = placementRows.count
        summary.outOfService = outageRows.count
        summary.referrals = referralRows.count
        summary.keyWorkSessions = sessionRows.count
        summary.tests = testRows.count
        summary.curfewBreaches = breachRows.count
        return summary
    }
}
