import ApprovedPremises
import Foundation
import Testing

@Suite("Roles and what they reach")
struct AccessRulesTests {
    func principal(_ role: Role, premises: UUID? = nil, region: String? = nil) -> Principal {
        Principal(
            staffID: UUID(), username: "x", displayName: "X", role: role, premisesID: premises, regionCode: region,
            sessionID: UUID(), expiresAt: .distantFuture)
    }

    @Test("AP staff see only their own premises; regional managers their region; national roles all")
    func premisesVisibility() {
        let elm = UUID()
        let oak = UUID()
        for role in [Role.residentialWorker, .keyWorker, .apManager] {
            #expect(principal(role, premises: elm).canSee(premisesID: elm, regionCode: "NW"))
            #expect(!principal(role, premises: elm).canSee(premisesID: oak, regionCode: "NW"))
        }
        #expect(principal(.regionalManager, region: "NW").canSee(premisesID: oak, regionCode: "NW"))
        #expect(!principal(.regionalManager, region: "NW").canSee(premisesID: oak, regionCode: "YH"))
        #expect(principal(.referralManager).canSee(premisesID: oak, regionCode: "YH"))
        #expect(principal(.administrator).canSee(premisesID: oak, regionCode: "YH"))
    }

    @Test("a role outside the allowed set is refused with a sentence naming who may")
    func roleRefusal() {
        #expect(throws: DomainError(.forbidden, "a residential worker may not open staff accounts; it needs one of: administrator")) {
            try principal(.residentialWorker, premises: UUID()).require([.administrator], to: "open staff accounts")
        }
        #expect(throws: Never.self) { try principal(.administrator).require([.administrator], to: "open staff accounts") }
    }

    @Test("a page size outside 1-200 is refused, naming limit")
    func pageLimits() {
        #expect(throws: DomainError.invalid(field: "limit", rule: "range", "limit must be between 1 and 200")) { try PageRequest(limit: 0) }
        #expect(throws: DomainError.self) { try PageRequest(limit: 201) }
        #expect(throws: Never.self) { try PageRequest(limit: 200) }
    }
}
