import ApprovedPremises
import Foundation
import Postgres

/// A small demo AP with one account for each role, for trying the system out.
/// Loading it twice changes nothing: what exists is left as it is.
public struct DemoData: Sendable {
    /// The password every demo account gets. Demo data is for a local machine only.
    public static let password = "demo-password"

    /// The second-factor secret of every demo account that signs in with one (base32, as an
    /// authenticator app takes it): public, since demo data is for a local machine only.
    /// `Deploy/demo.sh` prints it, and `Deploy/demo-code.sh` prints its code of now.
    public static let secondFactorSecret = "DEMOAPDEMOAPDEMOAPDEMOAPDEMOAP22"

    /// The demo accounts: username, name, role.
    public static let accounts: [(username: String, name: String, role: Role)] = [
        ("admin", "Ada Administrator", .administrator),
        ("manager", "Morgan Manager", .apManager),
        ("night", "Nico Night-Worker", .residentialWorker),
        ("keyworker", "Kit Keyworker", .keyWorker),
        ("referrals", "Remi Referrals", .referralManager),
        ("regional", "Rowan Regional", .regionalManager),
        ("other.manager", "Olu Other-Manager", .apManager),
        ("pp", "Priya Practitioner", .probationPractitioner),
        ("sar", "Sasha Subject-Access", .sarOfficer),
    ]

    let pool: PostgresPool
    let stores: Stores

    /// A store over the pool, hashing passwords with `hasher`.
    public init(pool: PostgresPool, hasher: PasswordHasher) {
        self.pool = pool
        self.stores = Stores(pool: pool, hasher: hasher)
    }

    /// Loads the demo premises and accounts as of `now` (the demo's times are counted back from
    /// it); returns the usernames it added.
    @discardableResult
    public func load(now: Date = Date()) async throws -> [String] {
        let elm = try await premises(code: "DEMO-ELM", name: "Elm House (demo)", region: "NW", postcode: "M14")
        let oak = try await premises(code: "DEMO-OAK", name: "Oak Lodge (demo)", region: "YH", postcode: "LS6")
        var added = [String]()
        for account in Self.accounts {
            let exists = try await pool.query("SELECT 1 AS found FROM staff WHERE username = \(account.username)").first != nil
            if exists { continue }
            let premisesID: UUID? =
                switch account.role {
                case .residentialWorker, .keyWorker, .apManager: account.username == "other.manager" ? oak : elm
                default: nil
                }
            let practitioner = account.role == .probationPractitioner
            _ = try await stores.staff.createAsOperator(
                NewStaff(
                    username: account.username, displayName: account.name,
                    email: practitioner ? "priya.practitioner@probation.example" : nil, role: account.role,
                    premisesID: premisesID, regionCode: account.role.isRegional ? "NW" : nil,
                    team: practitioner ? "Manchester South OMU" : nil, password: Self.password))
            if account.role.alwaysNeedsSecondFactor {
                try await stores.sessions.enrolAsOperator(username: account.username, secret: Base32.decode(Self.secondFactorSecret)!)
            }
            added.append(account.username)
        }
        try await loadBeds(premisesID: elm, now: now)
        try await loadReferrals(elm: elm, now: now)
        try await loadMovements(elm: elm, now: now)
        try await loadNightRecords(elm: elm, now: now)
        try await loadResidentWork(elm: elm, now: now)
        try await loadMailboxes(now: now)
        try await loadPractitioner(elm: elm, now: now)
        try await loadTransfers(elm: elm, oak: oak, now: now)
        return added
    }

    /// The mailboxes the outbox writes to, at example.org: the North West's CRU and out-of-hours
    /// mailboxes, and each demo premises' own (set again on every load, which changes nothing).
    func loadMailboxes(now: Date) async throws {
        guard let principal = try await operatorPrincipal(now: now) else { return }
        for (kind, region, premises, address) in [
            (Mailbox.Kind.cru, "NW", nil, "cru.north-west@probation.example"),
            (.outOfHours, "NW", nil, "out-of-hours.north-west@probation.example"),
            (.cru, "YH", nil, "cru.yorkshire@probation.example"),
            (.outOfHours, "YH", nil, "out-of-hours.yorkshire@probation.example"),
            (.premises, nil, "DEMO-ELM", "elm.house@ap.example"), (.premises, nil, "DEMO-OAK", "oak.lodge@ap.example"),
        ] as [(Mailbox.Kind, String?, String?, String)] {
            _ = try await stores.mailboxes.set(kind: kind, regionCode: region, premisesCode: premises, address: address, by: principal)
        }
    }

    /// A referral in every state of the queue. Loaded once: skipped when there are referrals.
    func loadReferrals(elm: UUID, now: Date = Date()) async throws {
        if try await pool.query("SELECT 1 AS found FROM referral LIMIT 1").first != nil { return }
        guard let principal = try await operatorPrincipal(now: now) else { return }
        let today = CalendarDate.today(in: Premises.defaultTimeZone, now: now)
        let store = stores.referrals
        func refer(
            _ crn: String, _ name: String, arrival: Int, home: String, rosh: String, flags: [String] = [], rooms: [String] = ["isSingle"]
        ) async throws -> Referral {
            try await store.create(
                ReferralDetails(
                    crn: crn, nomsNumber: nil, personName: name, dateOfBirth: today.adding(days: -365 * 34), gender: "man",
                    referrerName: "Pat Officer", referrerEmail: "pat.officer@probation.example", referrerTeam: "Manchester North",
                    referrerRegion: "GM",
                    releaseType: "licence", expectedRelease: today.adding(days: arrival), expectedArrival: today.adding(days: arrival),
                    lengthOfStayDays: 84,
                    roshOverall: rosh, roshPublic: rosh, mappaCategory: "2", mappaLevel: "1", offenceFlags: flags, roomNeeds: rooms,
                    homeDistrict: home, radiusMiles: 60, licenceConditions: "Reside at the AP; no contact with the victim",
                    licenceCurfewStart: "19:00", licenceCurfewEnd: "07:00", substanceMisuse: "alcohol, in recovery",
                    servicesInvolved: "Change Grow Live", riskToStaff: "none known"), by: principal, today: today)
        }
        _ = try await refer("R200001", "Jamie King", arrival: 20, home: "M14", rosh: "medium")
        let asked = try await refer("R200002", "Kai Lewis", arrival: 25, home: "M20", rosh: "high")
        _ = try await store.decide(
            asked.id, .requestInformation(question: "Is there a victim exclusion zone?"), expectedVersion: nil, by: principal)
        _ = try await store.offer(asked.id, to: elm, by: principal)
        let ready = try await refer("R200003", "Lee Morris", arrival: 95, home: "M14", rosh: "high", flags: ["arson"], rooms: ["isSingle"])
        _ = try await store.decide(ready.id, .accept(note: "suitable for a standard AP"), expectedVersion: nil, by: principal)
        _ = try await store.offer(ready.id, to: elm, by: principal)
        let unable = try await refer(
            "R200004", "Max Nolan", arrival: 10, home: "LS6", rosh: "very_high", rooms: ["isSingle", "isWheelchairDesignated"])
        _ = try await store.decide(unable.id, .accept(note: nil), expectedVersion: nil, by: principal)
        _ = try await store.decide(
            unable.id, .unableToMatch(reason: "no wheelchair-designated bed free near Leeds"), expectedVersion: nil, by: principal)
        let rejected = try await refer("R200005", "Noel Owen", arrival: 30, home: "M1", rosh: "low")
        _ = try await store.decide(rejected.id, .reject(reason: "low risk: suitable for CAS3 instead"), expectedVersion: nil, by: principal)
        let booked = try await refer("R200006", "Omar Patel", arrival: 96, home: "M13", rosh: "high")
        _ = try await store.decide(booked.id, .accept(note: nil), expectedVersion: nil, by: principal)
        _ = try await store.book(booked.id, premisesID: elm, bedID: nil, arrival: nil, departure: nil, by: principal)
        let withdrawn = try await refer("R200007", "Pete Quinn", arrival: 40, home: "M15", rosh: "medium")
        _ = try await store.decide(
            withdrawn.id, .withdraw(reason: "parole release not granted", code: "change_in_circumstances_new_application_to_be_submitted"),
            expectedVersion: nil, by: principal)
    }

    /// Residents in every state for `ap tonight`: one due back soon, one away with permission,
    /// one out, one late (a curfew variation puts them inside a window now), the rest in.
    /// Loaded once: skipped when the log has entries.
    func loadMovements(elm: UUID, now: Date = Date()) async throws {
        if try await pool.query("SELECT 1 AS found FROM movement LIMIT 1").first != nil { return }
        guard let principal = try await operatorPrincipal(now: now) else { return }
        let residents = try await pool.query(
            """
            SELECT id, crn FROM placement WHERE premises_id = \(elm) AND arrived_at IS NOT NULL AND departed_at IS NULL ORDER BY crn
            """)
        var byCRN = [String: UUID]()
        for row in residents { byCRN[try row.decode("crn")] = try row.decode("id") }
        let log = stores.curfew
        if let alex = byCRN["D100001"] {
            _ = try await log.record(
                alex,
                .init(
                    kind: "out", occurredAt: now.addingTimeInterval(-2 * 3600), destination: "work (warehouse)",
                    expectedBack: now.addingTimeInterval(20 * 60)), by: principal, now: now)
        }
        if let chris = byCRN["D100003"] {
            _ = try await log.record(
                chris,
                .init(
                    kind: "out", occurredAt: now.addingTimeInterval(-3 * 3600), destination: "family overnight (approved)",
                    withPermission: true), by: principal, now: now)
        }
        if let dan = byCRN["D100004"] {
            _ = try await log.record(
                dan, .init(kind: "out", occurredAt: now.addingTimeInterval(-90 * 60), destination: "town"), by: principal, now: now)
            // A curfew variation that started an hour ago, so Dan is late now.
            let london = Premises.defaultTimeZone
            let startAt = now.addingTimeInterval(-3600)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = london
            let start = calendar.dateComponents([.hour, .minute], from: startAt)
            let end = calendar.dateComponents([.hour, .minute], from: now.addingTimeInterval(5 * 3600))
            let night = CalendarDate.today(in: london, now: startAt)
            try await pool.execute(
                """
                INSERT INTO curfew_variation (placement_id, nights, curfew_start, curfew_end, reason, approved_by, created_by)
                VALUES (\(dan), daterange(\(night)::date, \(night.adding(days: 1))::date, '[)'),
                        \(String(format: "%02d:%02d", start.hour!, start.minute!))::time, \(String(format: "%02d:%02d", end.hour!, end.minute!))::time,
                        'demo: earlier curfew after a warning', 'Morgan Manager', \(principal.staffID))
                """)
        }
        if let eli = byCRN["D100005"] {
            // A GP visit four hours ago, back an hour later: only when both are in the day
            // (07:00 to 23:00), so that it is no breach of its own whenever the demo is loaded.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = Premises.defaultTimeZone
            let out = now.addingTimeInterval(-4 * 3600)
            let back = now.addingTimeInterval(-3 * 3600)
            let daytime =
                (7..<23).contains(calendar.component(.hour, from: out)) && (7..<23).contains(calendar.component(.hour, from: back))
                && calendar.isDate(out, inSameDayAs: back)
            if daytime {
                _ = try await log.record(eli, .init(kind: "out", occurredAt: out, destination: "GP"), by: principal, now: now)
                _ = try await log.record(eli, .init(kind: "in", occurredAt: back), by: principal, now: now)
            }
        }
    }

    /// Last night's checks (one round missed, one resident not in their room), a breach from
    /// last night closed with a warning, tonight's late resident's breach escalated to the PP,
    /// and an incident with an amendment. Loaded once: skipped when there are night checks.
    func loadNightRecords(elm: UUID, now: Date = Date()) async throws {
        if try await pool.query("SELECT 1 AS found FROM night_check LIMIT 1").first != nil { return }
        guard let principal = try await operatorPrincipal(now: now) else { return }
        let london = Premises.defaultTimeZone
        let residents = try await pool.query(
            """
            SELECT id, crn FROM placement WHERE premises_id = \(elm) AND arrived_at IS NOT NULL AND departed_at IS NULL ORDER BY crn
            """)
        var byCRN = [String: UUID]()
        for row in residents { byCRN[try row.decode("crn")] = try row.decode("id") }
        guard !byCRN.isEmpty else { return }

        let checks = stores.nightChecks
        let settings = try await pool.withConnection { try await NightCheckStore.settings(elm, timeZone: london, on: $0) }
        // The last night whose rounds are all over.
        var lastNight = settings.night(at: now)
        if settings.nightEnds(lastNight) > now { lastNight = lastNight.adding(days: -1) }
        for (index, due) in settings.dueTimes(lastNight).enumerated() where index != 3 {
            let entries = byCRN.sorted { $0.key < $1.key }.map { crn, id in
                NightCheckStore.Entry(
                    placementID: id, observation: crn == "D100003" && index < 2 ? "not_in_room" : "seen",
                    note: crn == "D100003" && index < 2 ? "away overnight with permission" : nil)
            }
            _ = try await checks.record(premisesID: elm, dueAt: due, entries: entries, by: principal, now: due.addingTimeInterval(6 * 60))
        }

        if let eli = byCRN["D100005"] {
            let window = CurfewRules.window(
                CurfewHours(start: WallClock("23:00")!, end: WallClock("07:00")!), night: lastNight, in: london, source: .premises)
            let id: UUID = try await pool.query(
                """
                INSERT INTO curfew_breach (premises_id, placement_id, window_start, window_end, opened_at, closed_at, minutes_late)
                VALUES (\(elm), \(eli), \(window.start), \(window.end), \(window.start.addingTimeInterval(60)), \(window.start.addingTimeInterval(25 * 60)), 25)
                RETURNING id
                """
            ).first!.decode("id")
            _ = try await stores.curfewBreaches.recordOutcome(
                id, outcome: "warning", note: "first breach; talked it through at key work",
                by: principal, now: window.start.addingTimeInterval(11 * 3600))
        }
        try await stores.curfewBreaches.scan(now: now)
        if let dan = byCRN["D100004"], let breach = try await stores.curfewBreaches.list(placementID: dan, by: principal).first {
            _ = try await stores.curfewBreaches.escalate(
                breach.id, ppInformed: true, policeInformed: false,
                note: "PP's out-of-hours line: call again at midnight if he is not back", by: principal, now: now)
        }

        let incidents = stores.incidents
        let when = now.addingTimeInterval(-20 * 3600)
        var details = IncidentStore.Details(
            kind: "substance_found", severity: "medium", occurredAt: when, location: "Room 2",
            summary: "a small bag of what looked like cannabis found on the desk during the room check",
            residents: byCRN["D100002"].map { [$0] } ?? [], staff: [principal.staffID],
            actionTaken: "bag taken and logged; resident spoken to", told: ["AP manager at 09:00"])
        let first = try await incidents.record(premisesID: elm, details, by: principal, now: when.addingTimeInterval(30 * 60))
        details.told.append("probation practitioner by email at 10:15")
        _ = try await incidents.amend(
            number: first.number, details, reason: "the PP was told later that morning", expectedVersion: first.version,
            by: principal, now: when.addingTimeInterval(2 * 3600))
    }

    /// Residents at every stage of key work, testing and move-on: sessions overdue and an action
    /// past due, a laboratory result overdue, a refused test followed up, a positive one not yet,
    /// a missed test, a resident flagged for move-on, one leaving today with an address, and one
    /// who has left (with a departure summary). Loaded once: skipped when there are sessions.
    func loadResidentWork(elm: UUID, now: Date = Date()) async throws {
        if try await pool.query("SELECT 1 AS found FROM key_work_session LIMIT 1").first != nil { return }
        guard let principal = try await operatorPrincipal(now: now),
            let kit: UUID = try await pool.query("SELECT id FROM staff WHERE username = 'keyworker'").first?.decode("id")
        else { return }
        let london = Premises.defaultTimeZone
        let today = CalendarDate.today(in: london, now: now)
        func ago(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }
        var byCRN = [String: UUID]()
        for row in try await pool.query(
            """
            SELECT id, crn FROM placement WHERE premises_id = \(elm) AND arrived_at IS NOT NULL AND departed_at IS NULL
            """)
        { byCRN[try row.decode("crn")] = try row.decode("id") }
        guard let alex = byCRN["D100001"], let ben = byCRN["D100002"], let chris = byCRN["D100003"], let dan = byCRN["D100004"],
            let eli = byCRN["D100005"], let femi = byCRN["D100006"]
        else { return }

        let keyWork = stores.keyWork
        for resident in [alex, chris, dan, eli] {
            _ = try await keyWork.assignKeyWorker(resident, staffID: kit, by: principal)
        }
        _ = try await keyWork.record(
            alex,
            .init(
                heldAt: ago(10), durationMinutes: 45, kind: "one_to_one", topics: ["money", "work"],
                notes: "Warehouse shifts going well; behind on his phone bill.",
                actions: [("Bring a bank statement to the next session", "resident", today.adding(days: -3))]),
            by: principal, now: now)
        _ = try await keyWork.record(
            chris,
            .init(
                heldAt: ago(2), durationMinutes: 60, kind: "move_on_planning", topics: ["housing"],
                notes: "Viewed a private rented room; landlord wants a guarantor.", nextSessionOn: today.adding(days: 5),
                actions: [("Ask the council about the rent deposit scheme", "key worker", today.adding(days: 4))]),
            by: principal, now: now)
        _ = try await keyWork.record(
            dan,
            .init(
                heldAt: ago(3), durationMinutes: 40, kind: "relapse_prevention", topics: ["alcohol", "curfew"],
                notes: "Two late returns; agreed to go to the CGL drop-in."), by: principal, now: now)
        _ = try await keyWork.record(
            eli, .init(heldAt: ago(9), durationMinutes: 30, kind: "induction", notes: "House rules, curfew and key work explained."),
            by: principal, now: now)
        _ = try await keyWork.record(
            ben, .init(heldAt: ago(6), durationMinutes: 30, kind: "move_on_planning", notes: "Tenancy signed; moving today."),
            by: principal, now: now)

        let testing = stores.testing
        _ = try await testing.authorise(
            premisesID: elm, reasons: ["on_arrival", "random", "on_suspicion", "routine"], from: today.adding(days: -400),
            until: nil, note: "Elm House testing policy (demo), agreed with the regional manager", by: principal)
        var lab = try await testing.record(
            dan, .init(reason: "random", sampleType: "urine_lab", requiredAt: ago(9), takenAt: ago(9), sampleNumber: "S-20417"),
            by: principal, now: ago(9))
        lab = try await testing.custody(lab.id, step: "sealed", at: ago(9), person: "Ada Administrator", by: principal, now: now)
        lab = try await testing.custody(lab.id, step: "sent_to_lab", at: ago(8.8), person: "DX courier", by: principal, now: now)
        _ = try await testing.custody(lab.id, step: "received_by_lab", at: ago(8), person: "Hilltop Laboratory", by: principal, now: now)
        let refused = try await testing.record(
            eli, .init(reason: "on_suspicion", sampleType: "oral_fluid", requiredAt: ago(4), takenAt: ago(4)),
            by: principal, now: ago(4))
        _ = try await testing.results(refused.id, [("whole_sample", "refused", nil)], receivedAt: nil, by: principal, now: ago(4))
        _ = try await testing.followUp(refused.id, action: "warning", note: "written warning; PP told", by: principal, now: ago(3.5))
        _ = try await testing.record(
            alex,
            .init(
                reason: "random", sampleType: "breath", requiredAt: ago(2), missedReason: "no_kit",
                missedNote: "breathalyser mouthpieces ran out; reordered"), by: principal, now: ago(2))
        // On arrival (at noon, 5 days ago): half a day later at the least, whatever the time now.
        let arrival = try await testing.record(
            femi, .init(reason: "on_arrival", sampleType: "urine_instant", requiredAt: ago(4.5), takenAt: ago(4.5)),
            by: principal, now: ago(4.5))
        _ = try await testing.results(
            arrival.id, [("cannabis", "positive", nil), ("opiates", "negative", nil), ("cocaine", "negative", nil)],
            receivedAt: nil, by: principal, now: ago(4.5))
        let clean = try await testing.record(
            chris, .init(reason: "on_arrival", sampleType: "urine_instant", requiredAt: ago(29.5), takenAt: ago(29.5)),
            by: principal, now: ago(29.5))
        _ = try await testing.results(
            clean.id, [("opiates", "negative", nil), ("cocaine", "negative", nil), ("cannabis", "negative", nil)],
            receivedAt: nil, by: principal, now: ago(29.5))

        let moveOn = stores.moveOn
        let alexPlan = try await moveOn.addPathway(alex, kind: "cas3_referral", detail: "CAS3 Manchester", by: principal, now: now)
        _ = try await moveOn.updatePathway(
            alexPlan.pathways[0].id, status: "applied", on: nil, note: "referral sent", by: principal, now: now)
        let benPlan = try await moveOn.addPathway(
            ben, kind: "local_authority_housing", detail: "Manchester City Council", by: principal, now: now)
        _ = try await moveOn.updatePathway(
            benPlan.pathways[0].id, status: "accepted", on: today.adding(days: -7), note: "one-bed flat", by: principal, now: now)
        _ = try await moveOn.setAddress(
            ben, address: "Flat 3, 21 Wilmslow Road, Manchester M14 5TQ", confirmedOn: today.adding(days: -7), by: principal, now: now)
        _ = try await moveOn.addPathway(chris, kind: "private_rented", detail: "room in Fallowfield", by: principal, now: now)

        // Someone who has left: their record and departure summary are there to read.
        let placements = stores.placements
        let jo = try await placements.book(
            NewPlacement(
                premisesID: elm, crn: "D100010", personName: "Jo Kerr", expectedArrival: today.adding(days: -90),
                expectedDeparture: today.adding(days: -6)), by: principal)
        _ = try await placements.arrive(jo.id, at: ago(90), keyWorkerID: kit, expectedVersion: nil, by: principal)
        _ = try await keyWork.record(
            jo.id, .init(heldAt: ago(20), durationMinutes: 50, kind: "move_on_planning", notes: "Offer of a private rented flat accepted."),
            by: principal, now: now)
        _ = try await moveOn.setAddress(
            jo.id, address: "14 Birch Grove, Manchester M14 6LB", confirmedOn: today.adding(days: -12), by: principal, now: now)
        _ = try await placements.depart(
            jo.id, .init(departedAt: ago(6), reason: "O", moveOnCategory: "MC04"), expectedVersion: nil, by: principal)
    }

    /// The demo's changes are made as the demo administrator.
    func operatorPrincipal(now: Date) async throws -> Principal? {
        guard let admin = try await stores.staff.accountAsOperator(username: "admin") else {
            return nil
        }
        return Principal(
            staffID: admin.id, username: admin.username, displayName: admin.displayName, role: .administrator,
            premisesID: nil, regionCode: nil, sessionID: UUID(), expiresAt: now.addingTimeInterval(3600), requestID: "demo-data")
    }

}
