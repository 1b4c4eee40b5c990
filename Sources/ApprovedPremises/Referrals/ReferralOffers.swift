import Foundation
import Postgres

extension ReferralStore {
    /// Who offers a referral to a premises: intake (the Central Referral Unit).
    public static let offerers: Set<Role> = intake

    /// The states in which a referral can still be offered: open, and not yet booked.
    static let offerable: [Referral.Status] = [.submitted, .awaitingInformation, .readyToMatch, .unableToMatch]

    /// Offers a referral to a premises, for its AP manager to assess and book: from then on they
    /// see it in their queue. Offering it again to the same premises is no change (no second
    /// timeline entry); an archived premises cannot be offered anything.
    public func offer(_ id: UUID, to premisesID: UUID, by principal: Principal) async throws -> Referral {
        try principal.require(Self.offerers, to: "offer referrals to premises")
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let before = try await Self.load(id, visibleTo: principal, on: connection, lock: true)
                guard Self.offerable.contains(before.status) else {
                    throw DomainError(
                        .conflict, "a referral that is \(before.status.rawValue.replacingOccurrences(of: "_", with: " ")) cannot be offered"
                    )
                }
                guard let premises = try await connection.first("SELECT code, name, active FROM premises WHERE id = \(premisesID)") else {
                    throw DomainError.invalid(
                        field: "premisesId", rule: "unknown", "there is no premises \(premisesID.uuidString.lowercased())")
                }
                guard try premises.decode("active", as: Bool.self) else {
                    throw DomainError.invalid(field: "premisesId", rule: "active", "that premises is archived and takes no referrals")
                }
                let inserted = try await connection.first(
                    """
                    INSERT INTO referral_offer (referral_id, premises_id, staff_id) VALUES (\(id), \(premisesID), \(principal.staffID))
                    ON CONFLICT (referral_id, premises_id) DO NOTHING RETURNING premises_id
                    """)
                guard inserted != nil else { return before }
                let name: String = try premises.decode("name")
                let code: String = try premises.decode("code")
                try await Self.event(id, "offered", note: "offered to \(name) (\(code))", placement: nil, by: principal, on: connection)
                let after = try await Self.load(id, on: connection, lock: false)
                try await AuditLog.record(
                    on: connection, by: principal, action: "referral.offered", entity: "referral",
                    entityID: id.uuidString, before: before, after: after)
                return after
            }
        }
    }
}
