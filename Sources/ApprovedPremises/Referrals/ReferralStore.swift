import Foundation
import Postgres

/// Referrals: intake, assessment, the queue, booking from a match, and withdrawal. Every
/// decision is a row of the referral's timeline and of the audit log, in one transaction.
public struct ReferralStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who takes referrals in and books them: the national Central Referral Unit and administrators.
    public static let intake: Set<Role> = [.administrator, .referralManager]
    /// Who assesses referrals and sees the queue: intake everywhere, an AP manager only the
    /// referrals offered to or booked at their premises (`visible(to:)`).
    public static let assessors: Set<Role> = [.administrator, .referralManager, .apManager]
    /// Who books a referral into a premises: intake, and the AP managers who assess.
    public static let bookers: Set<Role> = intake.union([.apManager])
    /// Who reads referrals: those who assess them, and the practitioners who own them.
    public static let readers: Set<Role> = assessors.union([.probationPractitioner])
    /// Who writes referrals in the browser, page by page, and owns them: probation practitioners.
    public static let practitioners: Set<Role> = [.probationPractitioner]

    static let columns: SQL = """
        r.id, r.crn, r.noms_number, r.person_name, r.date_of_birth, r.gender, r.pnc_number, r.referrer_name, r.referrer_email,
        r.referrer_team, r.referrer_region_code, r.release_type_code, r.expected_release, r.expected_arrival, r.length_of_stay_days,
        r.rosh_overall, r.rosh_children, r.rosh_public, r.rosh_known_adult, r.rosh_staff, r.mappa_category, r.mappa_level,
        array_to_string(r.offence_flags, ',') AS offence_flags, array_to_string(r.room_needs, ',') AS room_needs,
        array_to_string(r.premises_needs, ',') AS premises_needs, r.ap_type_code, r.home_district, r.radius_miles, r.exclusion_zones,
        r.licence_conditions, to_char(r.licence_curfew_start, 'HH24:MI') AS licence_curfew_start,
        to_char(r.licence_curfew_end, 'HH24:MI') AS licence_curfew_end, r.substance_misuse, r.mental_health, r.services_involved,
        r.risk_to_staff, r.risk_to_residents, r.other_information, r.licence_end, r.health_needs, r.preferred_areas, r.move_on_plan, r.owner_id,
        r.withdrawal_reason_code, r.status, r.version, r.created_at,
        (SELECT p.id FROM placement p WHERE p.referral_id = r.id AND p.cancelled_at IS NULL
         ORDER BY (p.arrived_at IS NOT NULL AND p.departed_at IS NULL) DESC, p.created_at DESC LIMIT 1) AS placement_id,
        coalesce((SELECT string_agg(o.premises_id::text, ',' ORDER BY o.created_at, o.premises_id) FROM referral_offer o
                  WHERE o.referral_id = r.id), '') AS offered_to,
        CASE r.status
            WHEN 'booked' THEN coalesce((
                SELECT CASE WHEN p.departed_at IS NOT NULL THEN 'departed' WHEN p.arrived_at IS NOT NULL THEN 'arrived'
                            WHEN p.non_arrived_at IS NOT NULL THEN 'not_arrived' ELSE 'booked' END
                FROM placement p WHERE p.referral_id = r.id AND p.cancelled_at IS NULL
                -- the stay the person is in now (a transfer books the next before they leave), else the latest
                ORDER BY (p.arrived_at IS NOT NULL AND p.departed_at IS NULL) DESC, p.created_at DESC LIMIT 1), 'booked')
            WHEN 'ready_to_match' THEN CASE WHEN EXISTS (SELECT 1 FROM referral_offer o WHERE o.referral_id = r.id)
                                            THEN 'offered' ELSE 'accepted' END
            WHEN 'awaiting_information' THEN 'information_requested'
            ELSE r.status END AS stage
        """

    /// The referrals a caller may see, as a condition on `referral r`: every one for intake; for
    /// an AP manager, those offered to or booked at their premises (least privilege: another
    /// AP's referrals carry names, CRNs and risks their job does not need).
    static func visible(to principal: Principal) -> SQL {
        if Self.intake.contains(principal.role) { return "TRUE" }
        if principal.role == .probationPractitioner { return "r.owner_id = \(principal.staffID)" }
        guard principal.role == .apManager, let premises = principal.premisesID else { return "FALSE" }
        return """
            (EXISTS (SELECT 1 FROM referral_offer o WHERE o.referral_id = r.id AND o.premises_id = \(premises))
             OR EXISTS (SELECT 1 FROM placement p WHERE p.referral_id = r.id AND p.premises_id = \(premises)))
            """
    }

    /// Loads a referral the caller may see; one they may not is not there (404), so the answer
    /// never tells where a person was referred.
    static func load(_ id: UUID, visibleTo principal: Principal, on connection: PostgresConnection, lock: Bool) async throws -> Referral {
        let lockClause: SQL = lock ? "FOR UPDATE OF r" : ""
        guard
            let row = try await connection.first(
                "SELECT \(Self.columns) FROM referral r WHERE r.id = \(id) AND \(Self.visible(to: principal)) \(lockClause)")
        else {
            throw DomainError(.notFound, "there is no referral \(id.uuidString.lowercased()), or it is not one you may see")
        }
        return try Self.referral(row)
    }

    static func referral(_ row: PostgresRow) throws -> Referral {
        func list(_ column: String) throws -> [String] {
            (try row.decode(column, as: String.self)).split(separator: ",").map(String.init)
        }
        var details = ReferralDetails(
            crn: try row.decode("crn"), nomsNumber: try row.decode("noms_number"), personName: try row.decode("person_name"),
            dateOfBirth: try row.decode("date_of_birth"), gender: try row.decode("gender"), pncNumber: try row.decode("pnc_number"),
            referrerName: try row.decode("referrer_name"), referrerEmail: try row.decode("referrer_email"),
            referrerTeam: try row.decode("referrer_team"), referrerRegion: try row.decode("referrer_region_code"),
            releaseType: try row.decode("release_type_code"), expectedRelease: try row.decode("expected_release"),
            expectedArrival: try row.decode("expected_arrival"), lengthOfStayDays: try row.decode("length_of_stay_days"),
            roshOverall: try row.decode("rosh_overall"), roshChildren: try row.decode("rosh_children"),
            roshPublic: try row.decode("rosh_public"),
            roshKnownAdult: try row.decode("rosh_known_adult"), roshStaff: try row.decode("rosh_staff"),
            mappaCategory: try row.decode("mappa_category"), mappaLevel: try row.decode("mappa_level"),
            offenceFlags: try list("offence_flags"), roomNeeds: try list("room_needs"), premisesNeeds: try list("premises_needs"),
            apType: try row.decode("ap_type_code"), homeDistrict: try row.decode("home_district"),
            radiusMiles: try row.decode("radius_miles"),
            exclusionZones: try row.decode("exclusion_zones"), licenceConditions: try row.decode("licence_conditions"),
            licenceCurfewStart: try row.decode("licence_curfew_start"), licenceCurfewEnd: try row.decode("licence_curfew_end"),
            substanceMisuse: try row.decode("substance_misuse"), mentalHealth: try row.decode("mental_health"),
            servicesInvolved: try row.decode("services_involved"), riskToStaff: try row.decode("risk_to_staff"),
            riskToResidents: try row.decode("risk_to_residents"), otherInformation: try row.decode("other_information"))
        details.licenceEnd = try row.decode("licence_end")
        details.healthNeeds = try row.decode("health_needs")
        details.preferredAreas = try row.decode("preferred_areas")
        details.moveOnPlan = try row.decode("move_on_plan")
        let offeredTo = try list("offered_to").compactMap(UUID.init(uuidString:))
        return Referral(
            id: try row.decode("id"), details: details, status: Referral.Status(rawValue: try row.decode("status")) ?? .submitted,
            placementID: try row.decode("placement_id"), offeredTo: offeredTo, ownerID: try row.decode("owner_id"),
            withdrawalReason: try row.decode("withdrawal_reason_code"),
            stage: Referral.Stage(rawValue: try row.decode("stage")) ?? .submitted, version: try row.decode("version"),
            createdAt: try row.decode("created_at"))
    }

    /// Takes a referral in; it waits in the queue as `submitted`.
    public func create(_ submitted: ReferralDetails, by principal: Principal, today: CalendarDate) async throws -> Referral {
        try principal.require(Self.intake, to: "take referrals in")
        let details = submitted.normalised()
        try details.validate(today: today)
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await Self.checkVocabulary(details, on: connection)
                return try await Self.insert(details, owner: nil, by: principal, on: connection)
            }
        }
    }

    /// Writes a referral whose rules were checked, with its first timeline entry and its audit row.
    static func insert(_ details: ReferralDetails, owner: UUID?, by principal: Principal, on connection: PostgresConnection) async throws
        -> Referral
    {
        let id: UUID = try await connection.one(
            """
            INSERT INTO referral (crn, noms_number, person_name, date_of_birth, gender, pnc_number, referrer_name, referrer_email,
                referrer_team, referrer_region_code, release_type_code, expected_release, expected_arrival, length_of_stay_days,
                rosh_overall, rosh_children, rosh_public, rosh_known_adult, rosh_staff, mappa_category, mappa_level, offence_flags,
                room_needs, premises_needs, ap_type_code, home_district, radius_miles, exclusion_zones, licence_conditions,
                licence_curfew_start, licence_curfew_end, substance_misuse, mental_health, services_involved, risk_to_staff,
                risk_to_residents, other_information, licence_end, health_needs, preferred_areas, move_on_plan, owner_id, created_by)
            VALUES (\(details.crn), \(details.nomsNumber), \(details.personName), \(details.dateOfBirth), \(details.gender),
                \(details.pncNumber), \(details.referrerName), \(details.referrerEmail), \(details.referrerTeam), \(details.referrerRegion),
                \(details.releaseType), \(details.expectedRelease), \(details.expectedArrival), \(details.lengthOfStayDays),
                \(details.roshOverall), \(details.roshChildren), \(details.roshPublic), \(details.roshKnownAdult), \(details.roshStaff),
                \(details.mappaCategory), \(details.mappaLevel), \(details.offenceFlags)::text[], \(details.roomNeeds)::text[],
                \(details.premisesNeeds)::text[], \(details.apType), \(details.homeDistrict), \(details.radiusMiles),
                \(details.exclusionZones), \(details.licenceConditions), \(details.licenceCurfewStart)::time, \(details.licenceCurfewEnd)::time,
                \(details.substanceMisuse), \(details.mentalHealth), \(details.servicesInvolved), \(details.riskToStaff),
                \(details.riskToResidents), \(details.otherInformation), \(details.licenceEnd), \(details.healthNeeds), \(details.preferredAreas),
                \(details.moveOnPlan), \(owner), \(principal.staffID))
            RETURNING id
            """
        ).decode("id")
        try await Self.event(id, "submitted", note: nil, placement: nil, by: principal, on: connection)
        let referral = try await Self.load(id, on: connection, lock: false)
        try await AuditLog.record(
            on: connection, by: principal, action: "referral.create", entity: "referral",
            entityID: id.uuidString, before: Referral?.none, after: referral)
        return referral
    }

    /// Codes that must come from the national vocabularies, checked with a sentence each.
    static func checkVocabulary(_ details: ReferralDetails, on connection: PostgresConnection) async throws {
        var v = Validation()
        let rooms = Set(
            try await connection.query("SELECT code FROM room_characteristic WHERE matched_on_bookings").map {
                try $0.decode("code", as: String.self)
            })
        let unknownRooms = details.roomNeeds.filter { !rooms.contains($0) }
        v.require(
            unknownRooms.isEmpty, field: "roomNeeds", rule: "unknown",
            "roomNeeds may hold only \(rooms.sorted().joined(separator: ", ")); not \(DomainError.quoting(unknownRooms.joined(separator: ", ")))"
        )
        let premises = Set(
            try await connection.query("SELECT code FROM premises_characteristic").map { try $0.decode("code", as: String.self) })
        let unknownPremises = details.premisesNeeds.filter { !premises.contains($0) }
        v.require(
            unknownPremises.isEmpty, field: "premisesNeeds", rule: "unknown",
            "premisesNeeds may hold only premises_characteristics.csv codes; not \(DomainError.quoting(unknownPremises.joined(separator: ", ")))"
        )
        if try await connection.first("SELECT 1 AS found FROM postcode_district WHERE outcode = \(details.homeDistrict)") == nil {
            v.add(
                field: "homeDistrict", rule: "unknown",
                "homeDistrict \(DomainError.quoting(details.homeDistrict)) is not a known postcode district (such as M14 or LS6)")
        }
        if let type = try await connection.first("SELECT womens_allowed FROM ap_type WHERE code = \(details.apType)") {
            if details.gender == "woman", try type.decode("womens_allowed", as: Bool.self) == false {
                v.add(field: "apType", rule: "gender", "there are no \(details.apType) APs for women")
            }
        } else {
            v.add(field: "apType", rule: "unknown", "apType must be a code from ap_types.csv, such as NORMAL or PIPE")
        }
        if try await connection.first("SELECT 1 AS found FROM release_type WHERE code = \(details.releaseType)") == nil {
            v.add(field: "releaseType", rule: "unknown", "releaseType must be a code from release_types.csv, such as licence")
        }
        try v.check()
    }

    /// One referral with its timeline (the read is written to the access log).
    public func get(_ id: UUID, by principal: Principal) async throws -> (Referral, [ReferralEvent]) {
        try principal.require(Self.readers, to: "see referrals")
        return try await pool.withConnection { connection in
            let referral = try await Self.load(id, visibleTo: principal, on: connection, lock: false)
            let events = try await connection.query(
                """
                SELECT e.kind, e.note, e.placement_id, s.display_name, e.created_at
                FROM referral_event e LEFT JOIN staff s ON s.id = e.staff_id WHERE e.referral_id = \(id)
                  -- An offer's entry and its row are written in one transaction (the same now()):
                  -- outside intake, only the offer to the caller's own premises is shown.
                  AND (\(Self.intake.contains(principal.role)) OR e.kind <> 'offered'
                       OR EXISTS (SELECT 1 FROM referral_offer o WHERE o.referral_id = e.referral_id
                                  AND o.created_at = e.created_at AND o.premises_id = \(principal.premisesID)))
                ORDER BY e.id
                """
            ).map { row in
                ReferralEvent(
                    kind: try row.decode("kind"), note: try row.decode("note"), placementID: try row.decode("placement_id"),
                    staffName: try row.decode("display_name"), at: try row.decode("created_at"))
            }
            try await AccessLog.record(.referral, crn: referral.details.crn, referralID: id, by: principal, on: connection)
            return (referral.shown(to: principal), events)
        }
    }

    /// The queue: referrals in the given states (and, when `region` is given, from referrers in
    /// that probation region), most urgent first (earliest expected arrival, then the oldest).
    public func queue(statuses: [Referral.Status], region: String? = nil, by principal: Principal, page: PageRequest) async throws -> Page<
        Referral
    > {
        try principal.require(Self.readers, to: "see the referral queue")
        let offset =
            try page.cursor.map { cursor -> Int in
                guard let value = Int(try cursor.cursorKey()), value >= 0 else {
                    throw DomainError.invalid(field: "cursor", rule: "cursor", "cursor is not one this service gave out")
                }
                return value
            } ?? 0
        let states = (statuses.isEmpty ? Referral.Status.allCases : statuses).map(\.rawValue)
        let rows = try await pool.query(
            """
            SELECT \(Self.columns) FROM referral r
            WHERE r.status = ANY (\(states)::text[]) AND \(Self.visible(to: principal))
              AND (\(region)::text IS NULL OR r.referrer_region_code = \(region))
            ORDER BY r.expected_arrival, r.created_at, r.id
            LIMIT \(page.limit + 1) OFFSET \(offset)
            """)
        let items = try rows.map { try Self.referral($0).shown(to: principal) }
        if items.count > page.limit {
            return Page(items: Array(items.prefix(page.limit)), nextCursor: String(cursor: offset + page.limit))
        }
        return Page(items: items, nextCursor: nil)
    }

    /// Records a decision, if the referral's state allows it; withdrawal cancels its upcoming
    /// placements ("Related referral withdrawn").
    public func decide(_ id: UUID, _ decision: Decision, expectedVersion: Int?, by principal: Principal) async throws -> Referral {
        let rule = decision.kind
        let (allowed, next, kind, note, roles) = (rule.from, rule.next, rule.event, decision.note, rule.roles)
        if principal.role == .probationPractitioner, !roles.contains(principal.role) {
            // Not a decision of theirs; and a referral not theirs is still not there (404, not 403).
            _ = try await pool.withConnection { try await Self.load(id, visibleTo: principal, on: $0, lock: false) }
        }
        try principal.require(roles, to: "record that decision on a referral")
        if rule == .withdraw, principal.role == .probationPractitioner, decision.withdrawalReason == nil {
            // A practitioner withdraws for a reason of the national list, the note being only more of it.
            throw DomainError.invalid(
                field: "withdrawalReason", rule: "needed",
                "say why the referral is withdrawn: a withdrawalReason from /reference/withdrawal-reasons")
        }
        if rule.needsNote(withdrawalReason: decision.withdrawalReason) {
            guard let note, !note.isBlank else {
                throw DomainError.invalid(field: "note", rule: "needed", "say why, or what you ask or answer, in note")
            }
        }
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let before = try await Self.load(id, visibleTo: principal, on: connection, lock: true)
                if let expectedVersion, expectedVersion != before.version {
                    throw DomainError(.preconditionFailed, "this referral was changed by someone else since you read it; read it again")
                }
                guard allowed.contains(before.status) else {
                    throw DomainError(
                        .conflict,
                        "a referral that is \(before.status.rawValue.replacingOccurrences(of: "_", with: " ")) cannot be \(kind.replacingOccurrences(of: "_", with: " "))"
                    )
                }
                if case .withdraw = decision {
                    let upcoming = try await connection.query(
                        """
                        SELECT id FROM placement WHERE referral_id = \(id) AND arrived_at IS NULL AND cancelled_at IS NULL AND non_arrived_at IS NULL
                        """)
                    for row in upcoming {
                        let placementID: UUID = try row.decode("id")
                        try await connection.execute(
                            """
                            UPDATE placement SET cancelled_at = now(), cancellation_reason_code = 'REFERRAL_WITHDRAWN',
                                cancellation_notes = \(note), version = version + 1, updated_at = now()
                            WHERE id = \(placementID)
                            """)
                        try await PlacementStore.fitAllocations(placementID, on: connection)
                    }
                }
                var said = note?.isBlank == false ? note : nil
                if let code = decision.withdrawalReason {
                    // The timeline says the reason in words, then the note.
                    guard let reason = try await connection.first("SELECT name FROM withdrawal_reason WHERE code = \(code) AND active")
                    else {
                        throw DomainError.invalid(
                            field: "withdrawalReason", rule: "unknown", "withdrawalReason must be a code of /reference/withdrawal-reasons")
                    }
                    let name: String = try reason.decode("name")
                    said = name + (said.map { ": " + $0 } ?? "")
                }
                try await connection.execute(
                    """
                    UPDATE referral SET status = \(next?.rawValue ?? before.status.rawValue), version = version + 1, updated_at = now(),
                        withdrawal_reason_code = \(decision.withdrawalReason)
                    WHERE id = \(id)
                    """)
                try await Self.event(id, kind, note: said, placement: nil, by: principal, on: connection)
                let after = try await Self.load(id, on: connection, lock: false)
                try await AuditLog.record(
                    on: connection, by: principal, action: "referral.\(kind)", entity: "referral",
                    entityID: id.uuidString, before: before, after: after)
                return after.shown(to: principal)
            }
        }
    }

    /// Books a ready-to-match referral into a premises (and, optionally, a bed) in one
    /// transaction; the referral becomes booked.
    public func book(
        _ id: UUID, premisesID: UUID, bedID: UUID?, arrival: CalendarDate?, departure: CalendarDate?,
        by principal: Principal
    ) async throws -> (Referral, Placement) {
        try principal.require(Self.bookers, to: "book referrals")
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await PremisesAccess.require(
                    principal, PlacementStore.bookers, to: "book placements", premisesID: premisesID, on: connection)
                let before = try await Self.load(id, visibleTo: principal, on: connection, lock: true)
                guard before.status == .readyToMatch else {
                    throw DomainError(
                        .conflict,
                        "only a referral ready to match can be booked; this one is \(before.status.rawValue.replacingOccurrences(of: "_", with: " "))"
                    )
                }
                let details = before.details
                let first = arrival ?? details.expectedArrival
                let end = departure ?? details.lengthOfStayDays.map { first.adding(days: $0) }
                let placement = try await PlacementStore.book(
                    NewPlacement(
                        premisesID: premisesID, crn: details.crn, personName: details.personName, expectedArrival: first,
                        expectedDeparture: end, needs: before.requiredRoomCharacteristics.sorted(), bedID: bedID),
                    referralID: id, by: principal, on: connection)
                try await connection.execute(
                    "UPDATE referral SET status = 'booked', version = version + 1, updated_at = now() WHERE id = \(id)")
                try await Self.event(id, "booked", note: nil, placement: placement.id, by: principal, on: connection)
                let after = try await Self.load(id, on: connection, lock: false)
                try await AuditLog.record(
                    on: connection, by: principal, action: "referral.booked", entity: "referral",
                    entityID: id.uuidString, before: before, after: after)
                return (after.shown(to: principal), placement)
            }
        }
    }

    /// The referral behind a placement: the resident's story, for the staff of their AP.
    public func profile(placementID: UUID, by principal: Principal) async throws -> Referral? {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see residents' profiles", premisesID: placement.premisesID, on: connection)
            guard
                let row = try await connection.first(
                    """
                    SELECT \(Self.columns) FROM referral r JOIN placement p ON p.referral_id = r.id WHERE p.id = \(placementID)
                    """)
            else { return nil }
            return try Self.referral(row).shown(to: principal)
        }
    }

    static func load(_ id: UUID, on connection: PostgresConnection, lock: Bool) async throws -> Referral {
        let lockClause: SQL = lock ? "FOR UPDATE OF r" : ""
        guard let row = try await connection.first("SELECT \(Self.columns) FROM referral r WHERE r.id = \(id) \(lockClause)") else {
            throw DomainError(.notFound, "there is no referral \(id.uuidString.lowercased())")
        }
        return try Self.referral(row)
    }

    static func event(
        _ id: UUID, _ kind: String, note: String?, placement: UUID?, by principal: Principal, on connection: PostgresConnection
    ) async throws {
        try await connection.execute(
            """
            INSERT INTO referral_event (referral_id, kind, note, placement_id, staff_id)
            VALUES (\(id), \(kind), \(note), \(placement), \(principal.staffID))
            """)
    }
}
