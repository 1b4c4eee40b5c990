import APIContract
import ApprovedPremises
import Foundation

// The practitioner's way in: drafts written section by section, submitted into the queue, and
// what became of a referral after the decision.
extension APIHandler {
    func listReferralDrafts(_ input: Operations.ListReferralDrafts.Input) async throws -> Operations.ListReferralDrafts.Output {
        let drafts = try await stores.referralDrafts.mine(by: try RequestScope.caller())
        return .ok(.init(body: .json(.init(items: try drafts.map(Components.Schemas.ReferralDraft.init)))))
    }

    func startReferralDraft(_ input: Operations.StartReferralDraft.Input) async throws -> Operations.StartReferralDraft.Output {
        let draft = try await stores.referralDrafts.start(by: try RequestScope.caller())
        return .created(.init(body: .json(try .init(draft))))
    }

    func getReferralDraft(_ input: Operations.GetReferralDraft.Input) async throws -> Operations.GetReferralDraft.Output {
        let caller = try RequestScope.caller()
        let id = try Input.uuid(input.path.draftId, field: "draftId")
        let (draft, problems) = try await stores.referralDrafts.checked(id, by: caller, today: Self.today)
        return .ok(
            .init(
                body: .json(
                    .init(
                        draft: try .init(draft),
                        problems: problems.map { .init(field: $0.field, rule: $0.rule, message: $0.message) }))))
    }

    func discardReferralDraft(_ input: Operations.DiscardReferralDraft.Input) async throws -> Operations.DiscardReferralDraft.Output {
        try await stores.referralDrafts.discard(try Input.uuid(input.path.draftId, field: "draftId"), by: try RequestScope.caller())
        return .noContent(.init())
    }

    func saveReferralDraftSection(_ input: Operations.SaveReferralDraftSection.Input) async throws
        -> Operations.SaveReferralDraftSection.Output
    {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the section's answers as JSON") }
        guard let section = ReferralDraft.Section(rawValue: input.path.section.rawValue) else {
            throw DomainError.invalid(field: "section", rule: "oneOf", "section is not a section of the apply journey")
        }
        let draft = try await stores.referralDrafts.save(
            try Input.uuid(input.path.draftId, field: "draftId"), section: section, answers: try body.domain(),
            expectedVersion: try Input.optionalVersion(ifMatch: input.headers.ifMatch), by: try RequestScope.caller(),
            today: Self.today)
        return .ok(.init(body: .json(try .init(draft))))
    }

    func submitReferralDraft(_ input: Operations.SubmitReferralDraft.Input) async throws -> Operations.SubmitReferralDraft.Output {
        guard case .json(let body) = input.body else { throw DomainError(.invalid, "send the declaration as JSON") }
        let referral = try await stores.referralDrafts.submit(
            try Input.uuid(input.path.draftId, field: "draftId"), declaration: body.declaration, practitioner: body.practitioner,
            by: try RequestScope.caller(),
            today: Self.today)
        return .created(.init(body: .json(try .init(referral))))
    }

    static var today: CalendarDate { CalendarDate.today(in: Premises.defaultTimeZone) }

    /// A domain value as the contract's type of the same shape (the same names, dates as text).
    static func transcoded<Domain: Encodable, Contract: Decodable>(_ value: Domain, as type: Contract.Type = Contract.self) throws
        -> Contract
    {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Contract.self, from: try encoder.encode(value))
    }
}

extension Components.Schemas.ReferralDraft {
    init(_ draft: ApprovedPremises.ReferralDraft) throws {
        self.init(
            id: draft.id.lowercased, answers: try APIHandler.transcoded(draft.answers),
            sectionsSaved: draft.sectionsSaved.compactMap { .init(rawValue: $0.rawValue) }, version: draft.version,
            createdAt: draft.createdAt, updatedAt: draft.updatedAt)
    }
}

extension Components.Schemas.ReferralAnswers {
    /// The domain's answers: the same fields by the same names.
    func domain() throws -> ApprovedPremises.ReferralAnswers {
        try APIHandler.transcoded(self)
    }
}
