import Foundation
import Postgres

/// The append-only record of every change: who, when, what, before and after.
/// Rows are written in the same transaction as the change they describe.
public enum AuditLog {
    /// Records one change on the connection of its transaction.
    public static func record(
        on connection: PostgresConnection,
        by principal: Principal?,
        action: String,
        entity: String,
        entityID: String,
        before: (some Encodable & Sendable)?,
        after: (some Encodable & Sendable)?
    ) async throws {
        let beforeJSON = try before.map(JSON.string)
        let afterJSON = try after.map(JSON.string)
        try await connection.execute("""
            INSERT INTO audit_event (staff_id, action, entity, entity_id, before, after, request_id)
            VALUES (\(principal?.staffID), \(action), \(entity), \(entityID),
                    \(beforeJSON)::jsonb, \(afterJSON)::jsonb, \(principal?.requestID))
            """, reusingPlan: true)
    }

    /// One page of the log, newest first.
    public static func list(
        in pool: PostgresPool, entity: String?, entityID: String?, page: PageRequest
    ) async throws -> Page<AuditEvent> {
        let before = try page.cursor.map { try Int64(cursor: $0) } ?? Int64.max
        let rows = try await pool.query("""
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

/// One row of the audit log.
public struct AuditEvent: Sendable, Equatable {
    public var id: Int64
    public var occurredAt: Date
    public var staffID: UUID?
    public var username: String?
    public var action: String
    public var entity: String
    public var entityID: String
    /// The record before the change, as JSON text.
    public var before: String?
    /// The record after the change, as JSON text.
    public var after: String?
    public var requestID: String?
}

/// JSON for audit rows: sorted keys, ISO 8601 dates.
enum JSON {
    static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
