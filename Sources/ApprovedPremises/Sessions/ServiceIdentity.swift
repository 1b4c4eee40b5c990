import Foundation
import Postgres
import Synchronization

/// Which service this is: the id its database was given once (migration 0018). `ap` keeps it
/// beside what it saves for working offline, so that nothing recorded against one service's
/// list of residents is ever sent to another (the training service beside the live one, say).
public final class ServiceIdentity: Sendable {
    let pool: PostgresPool
    private let known = Mutex<UUID?>(nil)

    /// The identity of the service whose database `pool` reaches.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// The service's id, read from the database once and then remembered (it never changes).
    public func id() async throws -> UUID {
        if let id = known.withLock({ $0 }) { return id }
        guard let row = try await pool.query("SELECT id FROM service_identity").first else {
            throw DomainError(.unavailable, "the database has no service identity: run `ap db migrate`")
        }
        let id: UUID = try row.decode("id")
        known.withLock { $0 = id }
        return id
    }
}
