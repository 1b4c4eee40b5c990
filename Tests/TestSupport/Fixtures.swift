import ApprovedPremises
import Foundation
import Postgres

/// Premises and accounts for tests, made through the domain as an operator would.
public struct Fixtures: Sendable {
    /// The password of every fixture account.
    public static let password = "correct-horse-battery"

    public let pool: PostgresPool
    public let hasher = PasswordHasher(cost: 4)

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// A premises with that code, in that region.
    public func premises(_ code: String, region: String = "NW") async throws -> UUID {
        try await pool.query(
            """
            INSERT INTO premises (code, name, region_code, ap_type_code, gender)
            VALUES (\(code), \("Premises " + code), \(region), 'NORMAL', 'men') RETURNING id
            """
        ).first!.decode("id")
    }

    /// An account with that username and role.
    @discardableResult
    public func staff(_ username: String, _ role: Role, premises: UUID? = nil, region: String? = nil) async throws -> Staff {
        // A probation practitioner is told by e-mail, so has an address.
        try await StaffStore(pool: pool, hasher: hasher).createAsOperator(
            NewStaff(
                username: username, displayName: username.capitalized,
                email: role == .probationPractitioner ? "\(username)@probation.example" : nil, role: role,
                premisesID: premises, regionCode: region, password: Self.password))
    }

    /// A signed-in principal for an account.
    public func signIn(_ username: String) async throws -> (token: String, principal: Principal) {
        let sessions = SessionStore(pool: pool, hasher: hasher)
        let signedIn = try await sessions.signIn(username: username, password: Self.password)
        return (signedIn.token, try await sessions.authenticate(token: signedIn.token))
    }
}
