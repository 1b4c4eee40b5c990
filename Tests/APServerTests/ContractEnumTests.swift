import APIContract
import ApprovedPremises
import Foundation
import TestSupport
import Testing

@testable import APServer

/// The document lists the values of every code and kind, and those lists are the domain's: a
/// value the service can hold that the document lacks would be a 500 (`ContractDrift`), and a
/// value the document offers that the service refuses would mislead every client.
@Suite("The API document's codes and kinds are the domain's")
struct ContractEnumTests {
    static func words<E: RawRepresentable & CaseIterable>(_: E.Type) -> Set<String> where E.RawValue == String {
        Set(E.allCases.map(\.rawValue))
    }

    @Test("each enum in a request or an answer lists exactly the values the domain has")
    func sameValues() {
        typealias S = Components.Schemas
        typealias O = Operations
        let pairs: [(String, Set<String>, Set<String>)] = [
            ("handover shift", Self.words(O.WriteHandover.Input.Body.JsonPayload.ShiftPayload.self), ["day", "late", "night"]),
            ("handover shift (answer)", Self.words(S.Handover.ShiftPayload.self), ["day", "late", "night"]),
            (
                "breach outcome", Self.words(O.RecordCurfewBreachOutcome.Input.Body.JsonPayload.OutcomePayload.self),
                Self.words(CurfewBreach.Outcome.self)
            ),
            (
                "night-check observation",
                Self.words(O.RecordNightCheck.Input.Body.JsonPayload.ObservationsPayloadPayload.ObservationPayload.self),
                Self.words(NightCheckObservation.Kind.self)
            ),
            (
                "key-work session kind", Self.words(O.RecordKeyWorkSession.Input.Body.JsonPayload.KindPayload.self),
                Self.words(KeyWorkSession.Kind.self)
            ),
            ("test reason", Self.words(O.RecordTest.Input.Body.JsonPayload.ReasonPayload.self), Self.words(SubstanceTest.Reason.self)),
            (
                "testing authorisation reason", Self.words(O.AuthoriseTesting.Input.Body.JsonPayload.ReasonsPayloadPayload.self),
                Self.words(SubstanceTest.Reason.self)
            ),
            (
                "sample type", Self.words(O.RecordTest.Input.Body.JsonPayload.SampleTypePayload.self),
                Self.words(SubstanceTest.SampleType.self)
            ),
            (
                "missed reason", Self.words(O.RecordTest.Input.Body.JsonPayload.MissedReasonPayload.self),
                Self.words(SubstanceTest.MissedReason.self)
            ),
            ("custody step", Self.words(O.RecordCustodyStep.Input.Body.JsonPayload.StepPayload.self), Self.words(SubstanceTest.Step.self)),
            (
                "substance", Self.words(O.RecordTestResults.Input.Body.JsonPayload.ResultsPayloadPayload.SubstancePayload.self),
                Self.words(SubstanceTest.Substance.self)
            ),
            (
                "substance (answer)", Self.words(S.SubstanceTest.ResultsPayloadPayload.SubstancePayload.self),
                Self.words(SubstanceTest.Substance.self)
            ),
            (
                "result", Self.words(O.RecordTestResults.Input.Body.JsonPayload.ResultsPayloadPayload.ResultPayload.self),
                Self.words(SubstanceTest.Outcome.self)
            ),
            (
                "follow-up", Self.words(O.RecordTestFollowUp.Input.Body.JsonPayload.ActionPayload.self),
                Self.words(SubstanceTest.FollowUp.self)
            ),
            (
                "pathway kind", Self.words(O.AddMoveOnPathway.Input.Body.JsonPayload.KindPayload.self),
                Self.words(MoveOnPlan.PathwayKind.self)
            ),
            (
                "pathway kind (answer)", Self.words(S.MoveOnPlan.PathwaysPayloadPayload.KindPayload.self),
                Self.words(MoveOnPlan.PathwayKind.self)
            ),
            (
                "pathway status", Self.words(O.UpdateMoveOnPathway.Input.Body.JsonPayload.StatusPayload.self),
                Self.words(MoveOnPlan.PathwayStatus.self)
            ),
            (
                "pathway status (answer)", Self.words(S.MoveOnPlan.PathwaysPayloadPayload.StatusPayload.self),
                Self.words(MoveOnPlan.PathwayStatus.self)
            ),
            ("incident kind", Self.words(S.IncidentDetails.KindPayload.self), Self.words(Incident.Kind.self)),
            ("incident severity", Self.words(S.IncidentDetails.SeverityPayload.self), Self.words(Incident.Severity.self)),
            ("report period", Self.words(S.OccupancyReport.PeriodPayload.self), Self.words(ReportPeriod.self)),
            (
                "resident record status", Self.words(O.GetResidentRecord.Output.Ok.Body.JsonPayload.StatusPayload.self),
                Self.words(S.Placement.StatusPayload.self)
            ),
            ("transfer kind", Self.words(S.Transfer.KindPayload.self), Self.words(Transfer.Kind.self)),
            ("transfer status", Self.words(S.Transfer.StatusPayload.self), Self.words(Transfer.Status.self)),
            ("transfer status (query)", Self.words(O.ListTransfers.Input.Query.StatusPayload.self), Self.words(Transfer.Status.self)),
            ("appeal status", Self.words(S.PlacementAppeal.StatusPayload.self), Self.words(PlacementAppeal.Status.self)),
            ("appeal status (query)", Self.words(O.ListAppeals.Input.Query.StatusPayload.self), Self.words(PlacementAppeal.Status.self)),
            ("MAPPA category", Self.words(S.ReferralDetails.MappaCategoryPayload.self), ["1", "2", "3", "4"]),
            ("MAPPA level", Self.words(S.ReferralDetails.MappaLevelPayload.self), ["1", "2", "3"]),
        ]
        for (name, contract, domain) in pairs {
            #expect(contract == domain, "\(name): the document has \(contract.sorted()), the domain \(domain.sorted())")
        }
    }

    @Test(
        "kinds the database writes (timeline entries, record entries, movements) are the document's",
        .enabled(if: TestDatabase.isConfigured))
    func databaseKinds() async throws {
        try await TestDatabase.withDatabase { pool in
            // The CHECK constraints that list the kinds a table may hold.
            func allowed(_ constraint: String) async throws -> Set<String> {
                let definition: String = try await pool.query(
                    "SELECT pg_get_constraintdef(oid) AS d FROM pg_constraint WHERE conname = \(constraint)"
                ).first!.decode("d")
                return Set(definition.matches(of: /'([a-z_]+)'/).map { String($0.output.1) })
            }
            let eventKinds = try await allowed("referral_event_kind_is_known")
            #expect(eventKinds == Self.words(Components.Schemas.ReferralWithTimeline.TimelinePayloadPayload.KindPayload.self))
            let movementKinds = try await allowed("movement_kind_is_known")
            #expect(movementKinds == Self.words(Components.Schemas.Movement.KindPayload.self))
        }
        // The resident record's entry kinds are written by its SQL; each must be in the document.
        let source = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../Sources/ApprovedPremises/ResidentRecord/ResidentRecordStore.swift"), encoding: .utf8)
        let written = Set(source.matches(of: /SELECT '([a-z_]+)'/).map { String($0.output.1) })
        #expect(!written.isEmpty)
        #expect(written == Self.words(Operations.GetResidentRecord.Output.Ok.Body.JsonPayload.EntriesPayloadPayload.KindPayload.self))
    }

    @Test("a value the document does not list is a 400 naming the field, the value and where the values are listed")
    func unlistedValue() async throws {
        try await withApp { client, world in
            let response = try await client.execute(
                uri: "/premises/\(world.elm)/handovers", method: .post, headers: world.headers("night"),
                body: json(["shift": "dawn", "notes": "quiet"]))
            #expect(response.status == .badRequest)
            let errors = (try response.json()["errors"] as? [[String: Any]]) ?? []
            #expect(errors.first?["field"] as? String == "shift")
            #expect(errors.first?["rule"] as? String == "oneOf")
            #expect(errors.first?["message"] as? String == "shift must be one of day, late, night; not 'dawn'", "\(response.text)")
            // Nested, in arrays, through a reference: each named by its path, all at once.
            let results = try await client.execute(
                uri: "/tests/\(UUID())/results", method: .post, headers: world.headers("manager"),
                body: json(["results": [["substance": "tea", "result": "positive"], ["substance": "alcohol", "result": "maybe"]]]))
            #expect(Set(try results.problemFields()) == ["results[0].substance", "results[1].result"], "\(results.text)")
            let amendment = try await client.execute(
                uri: "/incidents/1/amendments", method: .post, headers: world.headers("manager"),
                body: json([
                    "incident": [
                        "kind": "fight", "severity": "low", "occurredAt": "\(testDay(-30))T10:00:00Z",
                        "location": "hall", "summary": "x", "actionTaken": "y",
                    ],
                    "reason": "typo", "amendsVersion": 1,
                ]))
            #expect(try amendment.problemFields() == ["incident.kind"], "\(amendment.text)")
            // A property the document does not give is refused, not dropped: a misspelt field would
            // otherwise be lost without a word (nested too; found by the fuzzer).
            let misspelt = try await client.execute(
                uri: "/premises/\(world.elm)/handovers", method: .post, headers: world.headers("night"),
                body: json([
                    "shift": "night", "notes": "quiet", "notse": "x",
                    "watch": [["placementId": UUID().uuidString, "why": "x", "extra": ["a": 1]]],
                ]))
            #expect(Set(try misspelt.problemFields()) == ["notse", "watch[0].extra"], "\(misspelt.text)")
        }
    }
}
