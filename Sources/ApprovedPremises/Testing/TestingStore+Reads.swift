import Foundation
import Postgres

extension TestingStore {
    static func load(_ id: UUID, on connection: PostgresConnection) async throws -> SubstanceTest {
        guard let test = try await tests(where: "t.id = \(id)", on: connection).first else {
            throw DomainError(.notFound, "there is no test \(id.uuidString.lowercased())")
        }
        return test
    }

    static func tests(where condition: SQL, on connection: PostgresConnection) async throws -> [SubstanceTest] {
        let rows = try await connection.query(
            """
            SELECT t.id, t.placement_id, p.person_name, t.reason, t.sample_type, t.required_at, t.taken_at, s.display_name AS taken_by,
                   t.sample_number, t.missed_reason, t.missed_note
            FROM substance_test t JOIN placement p ON p.id = t.placement_id LEFT JOIN staff s ON s.id = t.taken_by
            WHERE \(condition) ORDER BY t.required_at DESC LIMIT 500
            """)
        let ids = try rows.map { try $0.decode("id", as: UUID.self).uuidString }
        var custody = [UUID: [SubstanceTest.CustodyStep]]()
        for row in try await connection.query(
            """
            SELECT test_id, step, occurred_at, person FROM substance_test_custody WHERE test_id = ANY (\(ids)::uuid[]) ORDER BY occurred_at, step
            """)
        {
            custody[try row.decode("test_id"), default: []].append(
                .init(
                    step: .init(rawValue: try row.decode("step"))!,
                    at: try row.decode("occurred_at"), person: try row.decode("person")))
        }
        var results = [UUID: [SubstanceTest.Result]]()
        for row in try await connection.query(
            """
            SELECT test_id, substance, result, reading::float8 AS reading, recorded_at, corrected_from, correction_reason, corrected_at
            FROM substance_test_result_now
            WHERE test_id = ANY (\(ids)::uuid[]) ORDER BY substance
            """)
        {
            results[try row.decode("test_id"), default: []].append(
                .init(
                    substance: .init(rawValue: try row.decode("substance"))!,
                    result: .init(rawValue: try row.decode("result"))!,
                    reading: try row.decode("reading"), recordedAt: try row.decode("recorded_at"),
                    correctedFrom: (try row.decode("corrected_from", as: String?.self)).flatMap(SubstanceTest.Outcome.init(rawValue:)),
                    correctionReason: try row.decode("correction_reason"), correctedAt: try row.decode("corrected_at")))
        }
        var followUps = [UUID: [SubstanceTest.FollowUpTaken]]()
        for row in try await connection.query(
            """
            SELECT f.test_id, f.action, f.note, s.display_name AS by, f.recorded_at FROM substance_test_follow_up f JOIN staff s ON s.id = f.recorded_by
            WHERE f.test_id = ANY (\(ids)::uuid[]) ORDER BY f.recorded_at
            """)
        {
            followUps[try row.decode("test_id"), default: []].append(
                .init(
                    action: .init(rawValue: try row.decode("action"))!, note: try row.decode("note"),
                    by: try row.decode("by"), at: try row.decode("recorded_at")))
        }
        return try rows.map { row in
            let id: UUID = try row.decode("id")
            return SubstanceTest(
                id: id, placementID: try row.decode("placement_id"), personName: try row.decode("person_name"),
                reason: .init(rawValue: try row.decode("reason"))!, sampleType: .init(rawValue: try row.decode("sample_type"))!,
                requiredAt: try row.decode("required_at"), takenAt: try row.decode("taken_at"), takenBy: try row.decode("taken_by"),
                sampleNumber: try row.decode("sample_number"),
                missedReason: (try row.decode("missed_reason", as: String?.self)).flatMap(SubstanceTest.MissedReason.init(rawValue:)),
                missedNote: try row.decode("missed_note"), custody: custody[id] ?? [], results: results[id] ?? [],
                followUps: followUps[id] ?? [])
        }
    }

    /// One test, for anyone at its premises.
    public func test(_ testID: UUID, by principal: Principal) async throws -> SubstanceTest {
        try await pool.withConnection { connection in
            guard let row = try await connection.first("SELECT premises_id FROM substance_test WHERE id = \(testID)") else {
                throw DomainError(.notFound, "there is no test \(testID.uuidString.lowercased())")
            }
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see tests", premisesID: try row.decode("premises_id"), on: connection)
            return try await Self.load(testID, on: connection)
        }
    }

    /// A resident's tests, newest first.
    public func tests(placementID: UUID, by principal: Principal) async throws -> [SubstanceTest] {
        try await pool.withConnection { connection in
            let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see tests", premisesID: placement.premisesID, on: connection)
            return try await Self.tests(where: "t.placement_id = \(placementID)", on: connection)
        }
    }

    /// A premises' tests, newest first (at most 500); `pendingOnly` for laboratory samples whose
    /// results are still awaited more than the premises' `lab_result_days` after they were taken.
    /// `awaitingFollowUp`: only the tests of residents in residence with a result that calls for a
    /// follow-up (positive, refused, dilute, tampered, unable to provide) and none recorded.
    public func tests(premisesID: UUID, pendingOnly: Bool, awaitingFollowUp: Bool = false, by principal: Principal, now: Date = Date())
        async throws -> [SubstanceTest]
    {
        if pendingOnly && awaitingFollowUp {
            throw DomainError.invalid(
                field: "followUp", rule: "exclusive",
                "pending and followUp cannot both be asked for: a test awaiting its results has none to follow up")
        }
        return try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see tests", premisesID: premisesID, on: connection)
            if awaitingFollowUp {
                let outcomes = SubstanceTest.Outcome.allCases.filter(\.needsFollowUp).map(\.rawValue)
                return try await Self.tests(
                    where: """
                        t.placement_id = ANY (ARRAY(SELECT id FROM placement
                                                    WHERE premises_id = \(premisesID) AND arrived_at IS NOT NULL AND departed_at IS NULL))
                        AND EXISTS (SELECT 1 FROM substance_test_result_now r WHERE r.test_id = t.id AND r.result = ANY (\(outcomes)::text[]))
                        AND NOT EXISTS (SELECT 1 FROM substance_test_follow_up f WHERE f.test_id = t.id)
                        """, on: connection)
            }
            if pendingOnly {
                return try await Self.tests(
                    where: """
                        t.premises_id = \(premisesID) AND t.sample_type = 'urine_lab' AND t.taken_at IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM substance_test_result r WHERE r.test_id = t.id)
                        AND t.taken_at < \(now)::timestamptz - make_interval(days => (SELECT lab_result_days FROM premises WHERE id = t.premises_id))
                        """, on: connection)
            }
            return try await Self.tests(where: "t.premises_id = \(premisesID)", on: connection)
        }
    }
}
