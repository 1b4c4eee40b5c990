import Foundation
import Postgres

/// Drug and alcohol testing. Key workers and managers record tests; the AP manager authorises.
public struct TestingStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who records tests, custody, results and follow-ups: key workers and managers.
    public static let recorders: Set<Role> = [.administrator, .apManager, .keyWorker]
    /// The highest breath-alcohol reading recorded, in µg per 100 ml (a reading above it is a
    /// typing mistake, not a resident).
    public static let maximumReading = 500.0
    /// Who authorises testing at a premises: its AP manager.
    public static let authorisers: Set<Role> = [.administrator, .apManager]

    /// Records the AP manager's testing authorisation for a premises.
    public func authorise(
        premisesID: UUID, reasons: [String], from: CalendarDate, until: CalendarDate?, note: String,
        by principal: Principal
    ) async throws -> TestingAuthorisation {
        var v = Validation()
        v.require(
            !reasons.isEmpty && reasons.allSatisfy { SubstanceTest.Reason(rawValue: $0) != nil }, field: "reasons", rule: "oneOf",
            "reasons is one or more of " + SubstanceTest.Reason.allCases.map(\.rawValue).joined(separator: ", "))
        if let until { v.require(until > from, field: "until", rule: "order", "until must be after from") }
        v.require(!note.isBlank, field: "note", rule: "required", "note says what the authorisation rests on")
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await PremisesAccess.require(
                    principal, Self.authorisers, to: "authorise testing", premisesID: premisesID, on: connection)
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO testing_authorisation (premises_id, reasons, valid, note, authorised_by)
                    VALUES (\(premisesID), \(Array(Set(reasons)).sorted())::text[], daterange(\(from)::date, \(until)::date, '[)'), \(note), \(principal.staffID))
                    RETURNING id
                    """
                ).decode("id")
                let authorisation = try await Self.authorisations(premisesID, on: connection).first { $0.id == id }!
                try await AuditLog.record(
                    on: connection, by: principal, action: "testing.authorise", entity: "testing_authorisation",
                    entityID: id.uuidString, before: TestingAuthorisation?.none, after: authorisation)
                return authorisation
            }
        }
    }

    /// A premises' authorisations, the newest first.
    public func authorisations(premisesID: UUID, by principal: Principal) async throws -> [TestingAuthorisation] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see testing", premisesID: premisesID, on: connection)
            return try await Self.authorisations(premisesID, on: connection)
        }
    }

    static func authorisations(_ premisesID: UUID, on connection: PostgresConnection) async throws -> [TestingAuthorisation] {
        try await connection.query(
            """
            SELECT a.id, a.premises_id, array_to_string(a.reasons, ',') AS reasons, lower(a.valid) AS first, upper(a.valid) AS until, a.note,
                   s.display_name AS authorised_by
            FROM testing_authorisation a JOIN staff s ON s.id = a.authorised_by
            WHERE a.premises_id = \(premisesID) ORDER BY a.created_at DESC
            """
        ).map { row in
            TestingAuthorisation(
                id: try row.decode("id"), premisesID: try row.decode("premises_id"),
                reasons: (try row.decode("reasons", as: String.self)).split(separator: ",").map(String.init),
                from: try row.decode("first"), until: try row.decode("until"), note: try row.decode("note"),
                authorisedBy: try row.decode("authorised_by"))
        }
    }

    /// What staff record when a test is due: taken (with the sample number for the laboratory)
    /// or missed (with the reason).
    public struct NewTest: Sendable {
        public var reason: String
        public var sampleType: String
        public var requiredAt: Date
        public var takenAt: Date?
        public var sampleNumber: String?
        public var missedReason: String?
        public var missedNote: String?

        /// A value with each field given.
        public init(
            reason: String, sampleType: String, requiredAt: Date, takenAt: Date? = nil, sampleNumber: String? = nil,
            missedReason: String? = nil, missedNote: String? = nil
        ) {
            self.reason = reason
            self.sampleType = sampleType
            self.requiredAt = requiredAt
            self.takenAt = takenAt
            self.sampleNumber = sampleNumber
            self.missedReason = missedReason
            self.missedNote = missedNote
        }
    }

    /// Records a test that was required: taken or missed, never blank. Refused unless an
    /// authorisation of the premises covers its reason on the day it was required.
    public func record(_ placementID: UUID, _ test: NewTest, by principal: Principal, now: Date = Date()) async throws -> SubstanceTest {
        var v = Validation()
        v.require(
            SubstanceTest.Reason(rawValue: test.reason) != nil, field: "reason", rule: "oneOf",
            "reason must be one of " + SubstanceTest.Reason.allCases.map(\.rawValue).joined(separator: ", "))
        v.require(
            SubstanceTest.SampleType(rawValue: test.sampleType) != nil, field: "sampleType", rule: "oneOf",
            "sampleType must be one of " + SubstanceTest.SampleType.allCases.map(\.rawValue).joined(separator: ", "))
        v.require(
            test.requiredAt <= now.addingTimeInterval(120), field: "requiredAt", rule: "future", "requiredAt must not be in the future")
        if let taken = test.takenAt {
            v.require(taken <= now.addingTimeInterval(120), field: "takenAt", rule: "future", "takenAt must not be in the future")
            v.require(test.missedReason == nil, field: "missedReason", rule: "exclusive", "a test is taken or missed, not both")
            if test.sampleType == "urine_lab" {
                v.require(
                    !(test.sampleNumber ?? "").isBlank, field: "sampleNumber", rule: "needed",
                    "a laboratory sample needs its seal or sample number")
            }
        } else {
            v.require(
                test.missedReason.flatMap(SubstanceTest.MissedReason.init(rawValue:)) != nil, field: "missedReason", rule: "missed",
                "a test not taken is missed with a reason: " + SubstanceTest.MissedReason.allCases.map(\.rawValue).joined(separator: ", "))
            if test.missedReason == "other" {
                v.require(
                    !(test.missedNote ?? "").isBlank, field: "missedNote", rule: "needed",
                    "a test missed for another reason says what it was")
            }
        }
        try v.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let placement = try await PlacementStore.load(placementID, on: connection, lock: false)
                let premises = try await PremisesAccess.require(
                    principal, Self.recorders, to: "record tests", premisesID: placement.premisesID, on: connection)
                guard placement.status == .arrived else {
                    throw DomainError(.conflict, "\(placement.personName) is not resident here, so cannot be tested")
                }
                try placement.requireHere(at: test.requiredAt, field: "requiredAt")
                let day = CalendarDate.today(in: premises.timeZone, now: test.requiredAt)
                guard
                    let authorisation: UUID = try await connection.first(
                        """
                        SELECT id FROM testing_authorisation
                        WHERE premises_id = \(placement.premisesID) AND valid @> \(day)::date AND \(test.reason) = ANY (reasons)
                        ORDER BY created_at DESC LIMIT 1
                        """)?.decode("id")
                else {
                    throw DomainError(
                        .conflict,
                        "no testing authorisation of \(premises.name) covers \(test.reason.replacingOccurrences(of: "_", with: " ")) tests on \(day): the AP manager must authorise them first"
                    )
                }
                let id: UUID = try await connection.one(
                    """
                    INSERT INTO substance_test (placement_id, premises_id, authorisation_id, reason, sample_type, required_at, taken_at, taken_by,
                                                sample_number, missed_reason, missed_note, recorded_by, recorded_at)
                    VALUES (\(placementID), \(placement.premisesID), \(authorisation), \(test.reason), \(test.sampleType), \(test.requiredAt),
                            \(test.takenAt), \(test.takenAt == nil ? nil : principal.staffID), \(test.sampleNumber), \(test.missedReason),
                            \(test.missedNote), \(principal.staffID), \(now))
                    RETURNING id
                    """
                ).decode("id")
                if let taken = test.takenAt, test.sampleType == "urine_lab" {
                    try await connection.execute(
                        """
                        INSERT INTO substance_test_custody (test_id, step, occurred_at, person, recorded_by, recorded_at)
                        VALUES (\(id), 'collected', \(taken), \(principal.displayName), \(principal.staffID), \(now))
                        """)
                }
                let recorded = try await Self.load(id, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: test.takenAt == nil ? "testing.missed" : "testing.taken",
                    entity: "substance_test", entityID: id.uuidString, before: SubstanceTest?.none, after: recorded)
                return recorded
            }
        }
    }

    /// Records the next step of a laboratory sample's chain of custody.
    public func custody(_ testID: UUID, step: String, at: Date, person: String, by principal: Principal, now: Date = Date()) async throws
        -> SubstanceTest
    {
        var v = Validation()
        v.require(
            SubstanceTest.Step(rawValue: step) != nil, field: "step", rule: "oneOf",
            "step must be one of " + SubstanceTest.Step.allCases.map(\.rawValue).joined(separator: ", "))
        v.require(at <= now.addingTimeInterval(120), field: "at", rule: "future", "at must not be in the future")
        v.require(!person.isBlank, field: "person", rule: "required", "person says who handled the sample")
        try v.check()
        return try await change(testID, action: "testing.custody", by: principal) { test, connection in
            guard test.sampleType == .urineLab, test.takenAt != nil else {
                throw DomainError(.conflict, "only a laboratory sample that was taken has a chain of custody")
            }
            if test.custody.contains(where: { $0.step.rawValue == step }) {
                throw DomainError(.conflict, "the sample's \(step.replacingOccurrences(of: "_", with: " ")) step is already recorded")
            }
            try await connection.execute(
                """
                INSERT INTO substance_test_custody (test_id, step, occurred_at, person, recorded_by, recorded_at)
                VALUES (\(testID), \(step), \(at), \(person), \(principal.staffID), \(now))
                """)
        }
    }

    /// Records a test's results, once: one per substance. For a laboratory sample this is also
    /// the last custody step (the result received), at `receivedAt`.
    public func results(
        _ testID: UUID, _ results: [(substance: String, result: String, reading: Double?)], receivedAt: Date?,
        by principal: Principal, now: Date = Date()
    ) async throws -> SubstanceTest {
        var v = Validation()
        v.require(!results.isEmpty, field: "results", rule: "required", "results has one entry per substance tested")
        for (index, result) in results.enumerated() {
            v.require(
                SubstanceTest.Substance(rawValue: result.substance) != nil, field: "results[\(index)].substance", rule: "oneOf",
                "substance must be one of " + SubstanceTest.Substance.allCases.map(\.rawValue).joined(separator: ", "))
            v.require(
                SubstanceTest.Outcome(rawValue: result.result) != nil, field: "results[\(index)].result", rule: "oneOf",
                "result must be one of " + SubstanceTest.Outcome.allCases.map(\.rawValue).joined(separator: ", "))
            if let reading = result.reading {
                v.require(
                    result.substance == "alcohol" && (0...Self.maximumReading).contains(reading), field: "results[\(index)].reading",
                    rule: "alcohol",
                    "a reading is for breath alcohol only, from 0 to \(Int(Self.maximumReading)) µg per 100 ml")
            }
        }
        v.require(Set(results.map(\.substance)).count == results.count, field: "results", rule: "unique", "each substance appears once")
        if let receivedAt {
            v.require(
                receivedAt <= now.addingTimeInterval(120), field: "receivedAt", rule: "future", "receivedAt must not be in the future")
        }
        try v.check()
        return try await change(testID, action: "testing.results", by: principal) { test, connection in
            guard let takenAt = test.takenAt else { throw DomainError(.conflict, "the test was missed: it has no results") }
            if let receivedAt, receivedAt < takenAt {
                throw DomainError.invalid(
                    field: "receivedAt", rule: "order", "receivedAt is before the sample was taken (\(takenAt.formatted(.iso8601)))")
            }
            guard test.results.isEmpty else { throw DomainError(.conflict, "the test's results are already recorded") }
            if test.sampleType == .urineLab {
                guard test.custody.contains(where: { $0.step == .receivedByLab }) else {
                    throw DomainError(
                        .conflict, "the laboratory has not yet received the sample (record sent_to_lab and received_by_lab first)")
                }
                try await connection.execute(
                    """
                    INSERT INTO substance_test_custody (test_id, step, occurred_at, person, recorded_by, recorded_at)
                    VALUES (\(testID), 'result_received', \(receivedAt ?? now), \(principal.displayName), \(principal.staffID), \(now))
                    """)
            }
            for result in results {
                try await connection.execute(
                    """
                    INSERT INTO substance_test_result (test_id, substance, result, reading, recorded_by, recorded_at)
                    VALUES (\(testID), \(result.substance), \(result.result), \(result.reading), \(principal.staffID), \(now))
                    """)
            }
        }
    }

    /// Records what was done about a positive or refused result.
    public func followUp(_ testID: UUID, action: String, note: String?, by principal: Principal, now: Date = Date()) async throws
        -> SubstanceTest
    {
        guard SubstanceTest.FollowUp(rawValue: action) != nil else {
            throw DomainError.invalid(
                field: "action", rule: "oneOf",
                "action must be one of " + SubstanceTest.FollowUp.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return try await change(testID, action: "testing.follow_up", by: principal) { test, connection in
            guard test.results.contains(where: { $0.result.needsFollowUp }) else {
                throw DomainError(.conflict, "a follow-up is for a positive, refused, dilute or tampered result; this test has none")
            }
            try await connection.execute(
                """
                INSERT INTO substance_test_follow_up (test_id, action, note, recorded_by, recorded_at)
                VALUES (\(testID), \(action), \(note), \(principal.staffID), \(now))
                """)
        }
    }

    /// Corrects one substance's result (the right to rectification), with the reason: the result
    /// as first recorded is kept, and the latest correction is what is shown and counted.
    public func correctResult(
        _ testID: UUID, substance: String, result: String, reading: Double?, reason: String, by principal: Principal, now: Date = Date()
    ) async throws -> SubstanceTest {
        var v = Validation()
        v.require(
            SubstanceTest.Outcome(rawValue: result) != nil, field: "result", rule: "oneOf",
            "result must be one of " + SubstanceTest.Outcome.allCases.map(\.rawValue).joined(separator: ", "))
        if let reading {
            v.require(
                substance == "alcohol" && (0...Self.maximumReading).contains(reading), field: "reading", rule: "alcohol",
                "a reading is for breath alcohol only, from 0 to \(Int(Self.maximumReading)) µg per 100 ml")
        }
        v.require(!reason.isBlank, field: "reason", rule: "required", "reason says what was wrong")
        try v.check()
        return try await change(testID, action: "testing.result_correction", by: principal) { test, connection in
            guard let current = test.results.first(where: { $0.substance.rawValue == substance }) else {
                throw DomainError.invalid(
                    field: "substance", rule: "recorded",
                    "substance must be one the test has a result for: "
                        + (test.results.isEmpty ? "it has none yet" : test.results.map(\.substance.rawValue).joined(separator: ", ")))
            }
            guard current.result.rawValue != result || current.reading != reading else {
                throw DomainError(.conflict, "the \(substance) result already reads \(result): there is nothing to correct")
            }
            try await connection.execute(
                """
                INSERT INTO substance_test_result_correction (test_id, substance, result, reading, reason, recorded_by, recorded_at)
                VALUES (\(testID), \(substance), \(result), \(reading), \(reason), \(principal.staffID), \(now))
                """)
        }
    }

    private func change(
        _ testID: UUID, action: String, by principal: Principal,
        _ body: (SubstanceTest, PostgresConnection) async throws -> Void
    ) async throws -> SubstanceTest {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                guard
                    let premisesID: UUID = try await connection.first(
                        "SELECT premises_id FROM substance_test WHERE id = \(testID) FOR UPDATE")?
                        .decode("premises_id")
                else {
                    throw DomainError(.notFound, "there is no test \(testID.uuidString.lowercased())")
                }
                try await PremisesAccess.require(principal, Self.recorders, to: "record tests", premisesID: premisesID, on: connection)
                let before = try await Self.load(testID, on: connection)
                try await body(before, connection)
                let after = try await Self.load(testID, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: action, entity: "substance_test",
                    entityID: testID.uuidString, before: before, after: after)
                return after
            }
        }
    }

}
