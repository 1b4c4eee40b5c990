import Foundation
import Postgres

/// The append-only record of every change: who, when, what, before and after.
/// Rows are written in the same transaction as the change they describe, so writing one is a
/// helper on that transaction's connection (`AuditLog.record(on:...)`); reading the log is
/// `AuditStore`'s.
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
        try await connection.execute(
            """
            INSERT INTO audit_event (staff_id, action, entity, entity_id, before, after, request_id)
            VALUES (\(principal?.staffID), \(action), \(entity), \(entityID),
                    \(beforeJSON)::jsonb, \(afterJSON)::jsonb, \(principal?.requestID))
            """, reusingPlan: true)
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
