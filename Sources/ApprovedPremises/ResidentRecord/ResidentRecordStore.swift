import Foundation
import Postgres

/// One thing this system knows about a resident, at the time it happened.
public struct RecordEntry: Sendable, Equatable, Codable {
    /// referral, booking, arrival, key_worker, bed, curfew_breach, night_check, incident,
    /// key_work, key_work_action, test, move_on, departure.
    public var kind: String
    public var at: Date
    public var title: String
    public var detail: String?
}

/// What the next probation practitioner needs when a resident leaves: the stay told once.
public struct DepartureSummary: Sendable, Equatable, Codable {
    public var placementID: UUID
    public var personName: String
    public var crn: String
    public var premisesName: String
    public var arrivalDate: CalendarDate?
    public var departureDate: CalendarDate?
    public var departureReason: String?
    public var moveOnCategory: String?
    public var address: String?
    public var keyWorker: String?
    public var risk: String?
    public var keyWorkSessions: Int
    public var lastSessions: [String]
    public var openActions: [String]
    public var testsTaken: Int
    public var testsMissed: Int
    public var positiveOrRefused: [String]
    public var curfewBreaches: Int
    public var breachesEscalated: Int
    /// Each breach: its night, how late (or absent and escalated), and how it ended.
    public var breaches: [String]
    /// Each test not taken, with why.
    public var missedTests: [String]
    /// What the referral said of licence conditions, substance misuse and mental health.
    public var licenceConditions: String?
    public var substanceMisuse: String?
    public var mentalHealth: String?
    public var incidents: [String]
    public var moveOnPathways: [String]

    /// The summary as plain text, for an email or a printout.
    public var text: String {
        func list(_ items: [String], none: String) -> String {
            items.isEmpty ? "  \(none)" : items.map { "  - \($0)" }.joined(separator: "\n")
        }
        return """
            Departure summary: \(personName) (\(crn))
            \(premisesName), \(arrivalDate?.description ?? "not arrived") to \(departureDate?.description ?? "still resident")
            Left: \(departureReason ?? "not yet")\(moveOnCategory.map { "; moved on to: \($0)" } ?? "")
            Address: \(address ?? "none confirmed")
            Key worker: \(keyWorker ?? "none")
            Risk at referral: \(risk ?? "no referral recorded")
            Licence conditions: \(licenceConditions ?? "none recorded")
            Substance misuse: \(substanceMisuse ?? "none recorded")
            Mental health: \(mentalHealth ?? "none recorded")

            Key work: \(keyWorkSessions) session\(keyWorkSessions == 1 ? "" : "s")
            \(list(lastSessions, none: "no sessions"))
            Actions still open:
            \(list(openActions, none: "none"))

            Drug and alcohol tests: \(testsTaken) taken, \(testsMissed) missed
            \(list(positiveOrRefused, none: "no positive or refused results"))
            \(list(missedTests, none: "no test missed"))

            Curfew: \(curfewBreaches) breach\(curfewBreaches == 1 ? "" : "es"), \(breachesEscalated) escalated
            \(list(breaches, none: "no breaches"))
            Incidents:
            \(list(incidents, none: "none"))

            Move-on pathways:
            \(list(moveOnPathways, none: "none recorded"))

            """
    }
}

/// The resident's record: everything this system knows, in one timeline, and the summary for
/// the probation practitioner at departure. Staff of the resident's premises (and those who
/// oversee it) see it.
public struct ResidentRecordStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The timeline, newest first.
    public func timeline(_ placementID: UUID, by principal: Principal) async throws -> (placement: Placement, entries: [RecordEntry]) {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see residents' records", premisesID: placement.premisesID, on: connection)
            let entries = try await Self.entries(placementID, on: connection)
            try await AccessLog.record(.residentRecord, crn: placement.crn, placementID: placementID, by: principal, on: connection)
            return (placement, entries)
        }
    }

    static func entries(_ id: UUID, on connection: PostgresConnection) async throws -> [RecordEntry] {
        try await connection.query(
            """
            WITH p AS (SELECT pl.*, pr.time_zone AS tz FROM placement pl JOIN premises pr ON pr.id = pl.premises_id WHERE pl.id = \(id))
            SELECT kind, at, title, detail FROM (
                SELECT 'referral' AS kind, r.created_at AS at,
                       'Referred by ' || r.referrer_name || ': RoSH ' || r.rosh_overall
                           || coalesce(', MAPPA category ' || r.mappa_category || ' level ' || r.mappa_level, '') AS title,
                       nullif(concat_ws(E'\\n',
                           'Offence flags: ' || nullif(array_to_string(r.offence_flags, ', '), ''),
                           'Needs: ' || nullif(array_to_string(r.room_needs || r.premises_needs, ', '), ''),
                           'Licence conditions: ' || r.licence_conditions,
                           'Licence curfew: ' || to_char(r.licence_curfew_start, 'HH24:MI') || '-' || to_char(r.licence_curfew_end, 'HH24:MI'),
                           'Substance misuse: ' || r.substance_misuse, 'Mental health: ' || r.mental_health,
                           'Risk to staff: ' || r.risk_to_staff, 'Risk to residents: ' || r.risk_to_residents,
                           'Services involved: ' || r.services_involved), '') AS detail
                FROM referral r JOIN p ON p.referral_id = r.id
                UNION ALL
                SELECT 'booking', p.created_at, 'Booked for ' || p.expected_arrival || ' to ' || p.expected_departure, NULL FROM p
                UNION ALL
                SELECT 'arrival', p.arrived_at, 'Arrived', NULL FROM p WHERE p.arrived_at IS NOT NULL
                UNION ALL
                SELECT 'transfer', e.departed_at,
                       'Stayed at ' || pr.name || ' from ' || e.arrival_date || ' to ' || e.departure_date || ', then moved by '
                           || lower(d.name) || coalesce(' (' || tr.name || ')', ''),
                       t.notes
                FROM stay_chain(\(id)) c JOIN placement e ON e.id = c.id JOIN premises pr ON pr.id = e.premises_id
                JOIN departure_reason d ON d.code = e.departure_reason_code
                LEFT JOIN transfer t ON t.placement_id = e.id AND t.status = 'completed' LEFT JOIN transfer_reason tr ON tr.code = t.reason_code
                WHERE c.depth > 0
                UNION ALL
                SELECT 'key_worker', a.assigned_at, coalesce('Key worker: ' || s.display_name, 'Key worker removed'), NULL
                FROM key_worker_assignment a LEFT JOIN staff s ON s.id = a.staff_id WHERE a.placement_id = \(id)
                UNION ALL
                SELECT 'bed', a.created_at, 'Bed ' || b.label || ' in ' || rm.name || ' from ' || lower(a.nights)
                           || CASE WHEN a.released_at IS NOT NULL THEN ' (released)' ELSE '' END, NULL
                FROM bed_allocation a JOIN bed b ON b.id = a.bed_id JOIN room rm ON rm.id = b.room_id WHERE a.placement_id = \(id)
                UNION ALL
                SELECT 'curfew_breach', b.window_start,
                       'Curfew breach from ' || to_char(b.window_start AT TIME ZONE p.tz, 'HH24:MI')
                           || CASE WHEN b.voided_at IS NOT NULL THEN ': void (the log, as corrected, shows them in)'
                                   WHEN b.closed_at IS NOT NULL THEN ': back ' || b.minutes_late || ' minutes late'
                                   WHEN b.escalated_at IS NOT NULL THEN ': escalated' ELSE ': open' END,
                       nullif(concat_ws(E'\\n',
                           'PP informed ' || to_char(b.pp_informed_at AT TIME ZONE p.tz, 'YYYY-MM-DD HH24:MI'),
                           'Police informed ' || to_char(b.police_informed_at AT TIME ZONE p.tz, 'YYYY-MM-DD HH24:MI'),
                           b.escalation_note, 'Outcome: ' || replace(b.outcome, '_', ' ') || coalesce(' (' || b.outcome_note || ')', '')), '')
                FROM curfew_breach b, p WHERE b.placement_id = \(id)
                UNION ALL
                SELECT 'night_check', n.observed_at,
                       'Night check ' || to_char(n.round_due_at AT TIME ZONE p.tz, 'HH24:MI') || ': ' || replace(n.observation, '_', ' '), n.note
                FROM night_check n, p WHERE n.placement_id = \(id) AND n.observation <> 'seen'
                UNION ALL
                SELECT 'incident', i.occurred_at, 'Incident ' || i.incident_number || ': ' || replace(i.kind, '_', ' ') || ' (' || i.severity || ')',
                       i.summary || E'\\nDone: ' || i.action_taken
                FROM incident i WHERE \(id) = ANY (i.residents) AND NOT EXISTS (SELECT 1 FROM incident later WHERE later.amends_id = i.id)
                UNION ALL
                SELECT 'key_work', k.held_at, 'Key work: ' || replace(k.kind, '_', ' ') || ', ' || k.duration_minutes || ' minutes',
                       concat_ws(E'\\n', 'Topics: ' || nullif(array_to_string(k.topics, ', '), ''), k.notes,
                           (SELECT string_agg('Action: ' || a.action || ' (' || a.owner || ', by ' || a.due_on || ')', E'\\n' ORDER BY a.position)
                            FROM key_work_action a WHERE a.session_id = k.id),
                           'Next session: ' || k.next_session_on)
                FROM key_work_session_now k WHERE k.placement_id IN (SELECT c.id FROM stay_chain(\(id)) c)
                UNION ALL
                SELECT 'key_work_action', a.done_at,
                       CASE a.outcome WHEN 'dropped' THEN 'Action dropped: ' WHEN 'moved' THEN 'Action moved: ' ELSE 'Action done: ' END
                           || a.action,
                       CASE a.outcome WHEN 'moved' THEN concat_ws(' ', 'Now due ' || (SELECT m.due_on FROM key_work_action m WHERE m.id = a.moved_to) || '.', a.close_note)
                           ELSE a.close_note END
                FROM key_work_action a WHERE a.placement_id = \(id) AND a.done_at IS NOT NULL
                UNION ALL
                SELECT 'test', t.required_at,
                       'Test (' || replace(t.reason, '_', ' ') || ', ' || replace(t.sample_type, '_', ' ') || '): '
                           || CASE WHEN t.taken_at IS NULL THEN 'missed, ' || replace(t.missed_reason, '_', ' ') || coalesce(' (' || t.missed_note || ')', '')
                                   ELSE coalesce((SELECT string_agg(replace(x.substance, '_', ' ') || ' ' || replace(x.result, '_', ' ')
                                                                    || coalesce(' ' || trim_scale(x.reading) || ' µg', ''), ', ' ORDER BY x.substance)
                                                  FROM substance_test_result_now x WHERE x.test_id = t.id), 'awaiting results') END,
                       nullif(concat_ws(E'\\n', 'Sample ' || t.sample_number,
                           (SELECT string_agg(replace(c.step, '_', ' ') || ' ' || to_char(c.occurred_at AT TIME ZONE p.tz, 'YYYY-MM-DD HH24:MI') || ' by ' || c.person,
                                              '; ' ORDER BY c.occurred_at) FROM substance_test_custody c WHERE c.test_id = t.id),
                           (SELECT string_agg('Follow-up: ' || replace(f.action, '_', ' ') || coalesce(' (' || f.note || ')', ''), E'\\n' ORDER BY f.recorded_at)
                            FROM substance_test_follow_up f WHERE f.test_id = t.id)), '')
                FROM substance_test t, p WHERE t.placement_id IN (SELECT c.id FROM stay_chain(\(id)) c)
                UNION ALL
                SELECT 'move_on', m.opened_at, 'Move-on plan opened: expected departure ' || m.target_date, NULL
                FROM move_on_plan m WHERE m.placement_id = \(id)
                UNION ALL
                SELECT 'move_on', u.recorded_at, 'Move-on: ' || replace(w.kind, '_', ' ') || ' ' || replace(u.status, '_', ' ') || ' (' || u.on_date || ')',
                       coalesce(w.detail || E'\\n', '') || coalesce(u.note, '')
                FROM move_on_pathway_update u JOIN move_on_pathway w ON w.id = u.pathway_id WHERE w.placement_id = \(id)
                UNION ALL
                SELECT 'move_on', (m.address_confirmed_on::timestamp AT TIME ZONE p.tz) + interval '12 hours', 'Address confirmed: ' || m.address, NULL
                FROM move_on_plan m, p WHERE m.placement_id = \(id) AND m.address IS NOT NULL
                UNION ALL
                SELECT 'departure', p.departed_at, 'Departed: ' || d.name || coalesce('; moved on to: ' || c.name, ''), p.departure_notes
                FROM p JOIN departure_reason d ON d.code = p.departure_reason_code LEFT JOIN move_on_category c ON c.code = p.move_on_category_code
            ) e
            ORDER BY at DESC, kind
            """
        ).map { row in
            RecordEntry(
                kind: try row.decode("kind"), at: try row.decode("at"), title: try row.decode("title"), detail: try row.decode("detail"))
        }
    }

    /// The departure summary for the probation practitioner (while resident, the stay so far).
    public func summary(_ placementID: UUID, by principal: Principal) async throws -> DepartureSummary {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            let premises = try await Self.summaryAccess(principal, placement: placement, on: connection)
            let row = try await connection.one(
                """
                WITH chain AS (SELECT c.id, c.depth, s.arrival_date, pr.name FROM stay_chain(\(placementID)) c
                               JOIN placement s ON s.id = c.id JOIN premises pr ON pr.id = s.premises_id)
                SELECT d.name AS departure_reason, c.name AS move_on, m.address, s.display_name AS key_worker,
                       r.rosh_overall || coalesce(', MAPPA category ' || r.mappa_category || ' level ' || r.mappa_level, '')
                           || coalesce('; offence flags: ' || nullif(array_to_string(r.offence_flags, ', '), ''), '') AS risk,
                       (SELECT count(*) FROM curfew_breach b WHERE b.placement_id IN (SELECT id FROM chain) AND b.voided_at IS NULL) AS breaches,
                       (SELECT count(*) FROM curfew_breach b WHERE b.placement_id IN (SELECT id FROM chain) AND b.voided_at IS NULL
                                                              AND b.escalated_at IS NOT NULL) AS escalated,
                       (SELECT string_agg(name, ', then ' ORDER BY depth DESC) FROM chain) AS premises_names,
                       (SELECT arrival_date FROM chain ORDER BY depth DESC LIMIT 1) AS first_arrival,
                       nullif(r.licence_conditions, '') AS licence_conditions, nullif(r.substance_misuse, '') AS substance_misuse,
                       nullif(r.mental_health, '') AS mental_health
                FROM placement p LEFT JOIN departure_reason d ON d.code = p.departure_reason_code
                LEFT JOIN move_on_category c ON c.code = p.move_on_category_code LEFT JOIN move_on_plan m ON m.placement_id = p.id
                LEFT JOIN staff s ON s.id = p.key_worker_id LEFT JOIN referral r ON r.id = p.referral_id
                WHERE p.id = \(placementID)
                """)
            let breaches = try await connection.query(
                """
                SELECT to_char(b.window_start AT TIME ZONE \(premises.timeZone.identifier), 'YYYY-MM-DD HH24:MI') AS night,
                       CASE WHEN b.minutes_late IS NOT NULL THEN b.minutes_late || ' min late' ELSE 'not back' END
                       || CASE WHEN b.escalated_at IS NOT NULL
                               THEN '; escalated (' || concat_ws(' and ', CASE WHEN b.pp_informed_at IS NOT NULL THEN 'PP' END,
                                                                 CASE WHEN b.police_informed_at IS NOT NULL THEN 'police' END) || ' informed)'
                               ELSE '' END
                       || coalesce('; outcome: ' || replace(b.outcome, '_', ' '), '; no outcome recorded') AS line
                FROM curfew_breach b WHERE b.placement_id IN (SELECT c.id FROM stay_chain(\(placementID)) c) AND b.voided_at IS NULL
                ORDER BY b.window_start
                """
            ).map { "curfew from " + (try $0.decode("night", as: String.self)) + ": " + (try $0.decode("line", as: String.self)) }
            let sessions = try await KeyWorkStore.sessions(placementID, on: connection)
            let tests = try await TestingStore.tests(
                where: "t.placement_id IN (SELECT c.id FROM stay_chain(\(placementID)) c)", on: connection)
            let incidents = try await connection.query(
                """
                SELECT 'Incident ' || i.incident_number || ', ' || to_char(i.occurred_at AT TIME ZONE \(premises.timeZone.identifier), 'YYYY-MM-DD')
                       || ': ' || replace(i.kind, '_', ' ') || ' (' || i.severity || '): ' || i.summary AS line
                FROM incident i WHERE i.residents && ARRAY(SELECT c.id FROM stay_chain(\(placementID)) c)
                  AND NOT EXISTS (SELECT 1 FROM incident later WHERE later.amends_id = i.id)
                ORDER BY i.occurred_at
                """
            ).map { try $0.decode("line", as: String.self) }
            // No plan before arrival; any other failure is a real one.
            var plan: MoveOnPlan? = nil
            do {
                plan = try await MoveOnStore.plan(placementID, on: connection)
            } catch let error as DomainError where error.kind == .notFound {
                plan = nil
            }
            try await AccessLog.record(.departureSummary, crn: placement.crn, placementID: placementID, by: principal, on: connection)
            let day = { (date: Date) in CalendarDate.today(in: premises.timeZone, now: date).description }
            return DepartureSummary(
                placementID: placementID, personName: placement.personName, crn: placement.crn,
                premisesName: try row.decode("premises_names", as: String?.self) ?? premises.name,
                arrivalDate: try row.decode("first_arrival", as: CalendarDate?.self) ?? placement.arrivalDate,
                departureDate: placement.departureDate,
                departureReason: try row.decode("departure_reason"),
                moveOnCategory: try row.decode("move_on"), address: try row.decode("address"), keyWorker: try row.decode("key_worker"),
                risk: try row.decode("risk"), keyWorkSessions: sessions.count,
                lastSessions: sessions.prefix(3).map {
                    "\(day($0.heldAt)) \($0.kind.rawValue.replacingOccurrences(of: "_", with: " ")): \($0.notes)"
                },
                openActions: sessions.flatMap(\.actions).filter { $0.doneAt == nil }.map { "\($0.action) (\($0.owner), due \($0.dueOn))" },
                testsTaken: tests.filter { $0.takenAt != nil }.count, testsMissed: tests.filter { $0.takenAt == nil }.count,
                positiveOrRefused: tests.flatMap { test in
                    test.results.filter { $0.result.needsFollowUp }.map {
                        "\(day(test.requiredAt)): \($0.substance.rawValue.replacingOccurrences(of: "_", with: " ")) \($0.result.rawValue.replacingOccurrences(of: "_", with: " "))"
                            + (test.followUps.isEmpty
                                ? ""
                                : "; followed up: "
                                    + test.followUps.map { $0.action.rawValue.replacingOccurrences(of: "_", with: " ") }.joined(
                                        separator: ", "))
                    }
                },
                curfewBreaches: Int(try row.decode("breaches", as: Int64.self)),
                breachesEscalated: Int(try row.decode("escalated", as: Int64.self)),
                breaches: breaches,
                missedTests: tests.filter { $0.takenAt == nil }.map {
                    "\(day($0.requiredAt)) \(words($0.sampleType.rawValue)) test missed: \(words($0.missedReason?.rawValue ?? "no reason"))"
                        + ($0.missedNote.map { " (\($0))" } ?? "")
                },
                licenceConditions: try row.decode("licence_conditions"), substanceMisuse: try row.decode("substance_misuse"),
                mentalHealth: try row.decode("mental_health"),
                incidents: incidents,
                moveOnPathways: plan?.pathways.map {
                    "\($0.kind.rawValue.replacingOccurrences(of: "_", with: " ")): \($0.status.rawValue.replacingOccurrences(of: "_", with: " "))"
                } ?? [])
        }
    }
}

extension ResidentRecordStore {
    /// The premises of a stay whose summary the caller may read: any of their premises' staff and
    /// those who see it; a probation practitioner, only of a stay booked from a referral they own.
    static func summaryAccess(_ principal: Principal, placement: Placement, on connection: PostgresConnection) async throws -> (
        timeZone: TimeZone, regionCode: String, name: String
    ) {
        guard principal.role == .probationPractitioner else {
            return try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see residents' records", premisesID: placement.premisesID, on: connection)
        }
        guard
            let row = try await connection.first(
                """
                SELECT pr.name, pr.region_code, pr.time_zone FROM placement p JOIN referral r ON r.id = p.referral_id
                JOIN premises pr ON pr.id = p.premises_id
                WHERE p.id = \(placement.id) AND r.owner_id = \(principal.staffID)
                """)
        else { throw PremisesAccess.notYours }
        return (
            TimeZone(identifier: try row.decode("time_zone")) ?? Premises.defaultTimeZone, try row.decode("region_code"),
            try row.decode("name")
        )
    }
}

/// A vocabulary code in words: `one_to_one` is "one to one".
private func words(_ code: String) -> String { code.replacingOccurrences(of: "_", with: " ") }
