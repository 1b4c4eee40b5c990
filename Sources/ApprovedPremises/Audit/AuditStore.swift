import Foundation
import Postgres

/// Reading the audit log (administrators).
public struct AuditStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who reads the audit log.
    public static let readers: Set<Role> = [.administrator]

    /// One page of the log, newest first.
    public func list(entity: String?, entityID: String?, page: PageRequest) async throws -> Page<AuditEvent> {
        let before = try page.cursor.map { try Int64(cursor: $0) } ?? Int64.max
        let rows = try await pool.query(
            """
            SELECT a.id, a.occurred_at, a.staff_id, s.username, a.action, a.entity, a.entity_id,
                   a.before::text AS before, a.after::text AS after, a.request_id
            FROM audit_event a LEFT JOIN staff s ON s.id = a.staff_id
            WHERE a.id < \(before)
              AND (\(entity)::text IS NULL OR a.entity = \(entity))
              AND (\(entityID)::text IS NULL OR a.entity_id = \(entityID))
            ORDER BY a.id DESC
            LIMIT \(page.limit + 1)
            """)
        let events = try rows.map { row in
            AuditEvent(
                id: try row.decode("id"), occurredAt: try row.decode("occurred_at"),
                staffID: try row.decode("staff_id"), username: try row.decode("username"),
                action: try row.decode("action"), entity: try row.decode("entity"),
                entityID: try row.decode("entity_id"), before: try row.decode("before"),
                after: try row.decode("after"), requestID: try row.decode("request_id"))
        }
        return Page(items: events, limit: page.limit) { String(cursor: $0.id) }
    }
}
