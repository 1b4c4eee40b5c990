import APIContract
import ApprovedPremises
import Foundation

extension APIHandler {
    func listTestingAuthorisations(_ input: Operations.ListTestingAuthorisations.Input) async throws
        -> Operations.ListTestingAuthorisations.Output
    {
        let list = try await stores.testing.authorisations(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            by: try RequestScope.caller())
        return try .ok(.init(body: .json(list.map(Components.Schemas.TestingAuthorisation.init))))
    }

    func authoriseTesting(_ input: Operations.AuthoriseTesting.Input) async throws -> Operations.AuthoriseTesting.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the authorisation as JSON") }
        let authorisation = try await stores.testing.authorise(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"), reasons: body.reasons.map(\.rawValue),
            from: try Input.date(body.from, field: "from"), until: try Input.optionalDate(body.until, field: "until"), note: body.note,
            by: try RequestScope.caller())
        return try .created(.init(body: .json(.init(authorisation))))
    }

    func listPremisesTests(_ input: Operations.ListPremisesTests.Input) async throws -> Operations.ListPremisesTests.Output {
        let tests = try await stores.testing.tests(
            premisesID: try Input.uuid(input.path.premisesId, field: "premisesId"),
            pendingOnly: input.query.pending ?? false, awaitingFollowUp: input.query.followUp ?? false,
            by: try RequestScope.caller())
        return try .ok(.init(body: .json(tests.map(Components.Schemas.SubstanceTest.init))))
    }

    func listResidentTests(_ input: Operations.ListResidentTests.Input) async throws -> Operations.ListResidentTests.Output {
        let tests = try await stores.testing.tests(
            placementID: try Input.uuid(input.path.placementId, field: "placementId"),
            by: try RequestScope.caller())
        return try .ok(.init(body: .json(tests.map(Components.Schemas.SubstanceTest.init))))
    }

    func recordTest(_ input: Operations.RecordTest.Input) async throws -> Operations.RecordTest.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the test as JSON") }
        let test = try await stores.testing.record(
            try Input.uuid(input.path.placementId, field: "placementId"),
            .init(
                reason: body.reason.rawValue, sampleType: body.sampleType.rawValue, requiredAt: body.requiredAt ?? Date(),
                takenAt: body.takenAt,
                sampleNumber: body.sampleNumber, missedReason: body.missedReason?.rawValue, missedNote: body.missedNote),
            by: try RequestScope.caller())
        return try .created(.init(body: .json(.init(test))))
    }

    func recordCustodyStep(_ input: Operations.RecordCustodyStep.Input) async throws -> Operations.RecordCustodyStep.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the step as JSON") }
        let test = try await stores.testing.custody(
            try Input.uuid(input.path.testId, field: "testId"), step: body.step.rawValue,
            at: body.at ?? Date(), person: body.person, by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(test))))
    }

    func recordTestResults(_ input: Operations.RecordTestResults.Input) async throws -> Operations.RecordTestResults.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the results as JSON") }
        let test = try await stores.testing.results(
            try Input.uuid(input.path.testId, field: "testId"),
            body.results.map { ($0.substance.rawValue, $0.result.rawValue, $0.reading) },
            receivedAt: body.receivedAt, by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(test))))
    }

    func correctTestResult(_ input: Operations.CorrectTestResult.Input) async throws -> Operations.CorrectTestResult.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the correction as JSON") }
        let test = try await stores.testing.correctResult(
            try Input.uuid(input.path.testId, field: "testId"), substance: body.substance.rawValue, result: body.result.rawValue,
            reading: body.reading, reason: body.reason, by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(test))))
    }

    func recordTestFollowUp(_ input: Operations.RecordTestFollowUp.Input) async throws -> Operations.RecordTestFollowUp.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the follow-up as JSON") }
        let test = try await stores.testing.followUp(
            try Input.uuid(input.path.testId, field: "testId"), action: body.action.rawValue,
            note: body.note, by: try RequestScope.caller())
        return try .ok(.init(body: .json(.init(test))))
    }
}

extension Components.Schemas.TestingAuthorisation {
    init(_ authorisation: ApprovedPremises.TestingAuthorisation) throws {
        self.init(
            id: authorisation.id.lowercased, premisesId: authorisation.premisesID.lowercased,
            reasons: try authorisation.reasons.map { try contractValue($0, field: "reasons") },
            from: authorisation.from.description, until: authorisation.until?.description, note: authorisation.note,
            authorisedBy: authorisation.authorisedBy)
    }
}

extension Components.Schemas.SubstanceTest {
    init(_ test: ApprovedPremises.SubstanceTest) throws {
        self.init(
            id: test.id.lowercased, placementId: test.placementID.lowercased, personName: test.personName,
            reason: .init(test.reason), sampleType: .init(test.sampleType),
            requiredAt: test.requiredAt, takenAt: test.takenAt, takenBy: test.takenBy, sampleNumber: test.sampleNumber,
            missedReason: test.missedReason.flatMap { .init(rawValue: $0.rawValue) }, missedNote: test.missedNote,
            awaitingResults: test.awaitingResults, needsFollowUp: test.needsFollowUp,
            custody: test.custody.map { .init(step: .init($0.step), at: $0.at, person: $0.person) },
            results: try test.results.map {
                .init(
                    substance: try contractValue($0.substance.rawValue, field: "substance"), result: .init($0.result), reading: $0.reading,
                    recordedAt: $0.recordedAt,
                    correctedFrom: try $0.correctedFrom.map { try contractValue($0.rawValue, field: "correctedFrom") },
                    correctionReason: $0.correctionReason, correctedAt: $0.correctedAt)
            },
            followUps: test.followUps.map { .init(action: .init($0.action), note: $0.note, by: $0.by, at: $0.at) })
    }
}
