import Foundation
import Postgres

extension CurfewStore {
    /// A premises' sign-outs and sign-ins that happened in `from ..< to`, in the order they
    /// happened, corrected entries and their corrections included (each correction names the
    /// entry it corrects), each with the resident's name. At most 2,000.
    public func log(premisesID: UUID, from: Date, to: Date, by principal: Principal) async throws -> [(
        movement: Movement, personName: String
    )] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(
                principal, Set(Role.allCases), to: "see the curfew log", premisesID: premisesID, on: connection)
            return try await connection.query(
                """
                SELECT \(Self.columns), p.person_name FROM movement m JOIN staff s ON s.id = m.recorded_by
                JOIN placement p ON p.id = m.placement_id
                WHERE m.premises_id = \(premisesID) AND m.occurred_at >= \(from) AND m.occurred_at < \(to)
                ORDER BY m.occurred_at, m.id
                LIMIT 2000
                """
            ).map { (try Self.movement($0), try $0.decode("person_name", as: String.self)) }
        }
    }
}
