import Foundation
import Postgres

/// A small demo AP with one account for each role, for trying the system out.
/// Loading it twice changes nothing: what exists is left as it is.
public struct DemoData: Sendable {
    /// The password every demo account gets. Demo data is for a local machine only.
    public static let password = "demo-password"

    /// The demo accounts: username, name, role.
    public static let accounts: [(username: String, name: String, role: Role)] = [
        ("admin", "Ada Administrator", .administrator),
        ("manager", "Morgan Manager", .apManager),
        ("night", "Nico Night-Worker", .residentialWorker),
        ("keyworker", "Kit Keyworker", .keyWorker),
        ("referrals", "Remi Referrals", .referralManager),
        ("regional", "Rowan Regional", .regionalManager),
        ("other.manager", "Olu Other-Manager", .apManager),
    ]

    let pool: PostgresPool
    let staff: StaffStore

    public init(pool: PostgresPool, hasher: PasswordHasher) {
        self.pool = pool
        self.staff = StaffStore(pool: pool, hasher: hasher)
    }

    /// Loads the demo premises and accounts; returns the usernames it added.
    @discardableResult
    public func load() async throws -> [String] {
        let elm = try await premises(code: "DEMO-ELM", name: "Elm House (demo)", region: "NW", postcode: "M14")
        let oak = try await premises(code: "DEMO-OAK", name: "Oak Lodge (demo)", region: "YH", postcode: "LS6")
        var added = [String]()
        for account in Self.accounts {
            let exists = try await pool.query("SELECT 1 AS found FROM staff WHERE username = \(account.username)").first != nil
            if exists { continue }
            let premisesID: UUID? = switch account.role {
            case .residentialWorker, .keyWorker, .apManager: account.username == "other.manager" ? oak : elm
            default: nil
            }
            _ = try await staff.createAsOperator(NewStaff(
                username: account.username, displayName: account.name, role: account.role,
                premisesID: premisesID, regionCode: account.role == .regionalManager ? "NW" : nil, password: Self.password))
            added.append(account.username)
        }
        return added
    }

    private func premises(code: String, name: String, region: String, postcode: String) async throws -> UUID {
        try await pool.transaction { connection in
            if let row = try await connection.first("SELECT id FROM premises WHERE code = \(code)") {
                return try row.decode("id")
            }
            let row = try await connection.first("""
                INSERT INTO premises (code, name, region_code, ap_type_code, gender, postcode)
                VALUES (\(code), \(name), \(region), 'NORMAL', 'men', \(postcode))
                RETURNING id
                """)!
            let id: UUID = try row.decode("id")
            try await AuditLog.record(on: connection, by: nil, action: "premises.create", entity: "premises",
                                      entityID: id.uuidString, before: String?.none, after: ["code": code, "name": name, "source": "demo"])
            return id
        }
    }
}
