import Foundation
import Postgres

/// The first answer to each POST that carried an `Idempotency-Key`, so that a retry is
/// answered the same way and records nothing twice. Keys are kept per member of staff.
public struct IdempotencyStore: Sendable {
    let pool: PostgresPool
    /// After this long, a request still marked in progress is taken as abandoned (its process
    /// died), and a retry may run it again.
    public var abandonedAfterSeconds: Int

    public init(pool: PostgresPool, abandonedAfterSeconds: Int = 300) {
        self.pool = pool
        self.abandonedAfterSeconds = abandonedAfterSeconds
    }

    /// A stored answer.
    public struct StoredResponse: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        public init(status: Int, headers: [String: String], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// What to do with a request that carries a key.
    public enum Decision: Sendable {
        /// First time: run it, then `complete` or `abandon`.
        case proceed
        /// Seen and answered: send this answer again.
        case replay(StoredResponse)
        /// The key was used for a different request.
        case keyReused
        /// The first request with this key has not finished yet.
        case inProgress
    }

    /// Claims a key for a request, or says how it was answered before.
    public func begin(staffID: UUID, key: String, fingerprint: Data) async throws -> Decision {
        guard (1...200).contains(key.count) else {
            throw DomainError.invalid(field: "Idempotency-Key", rule: "length", "Idempotency-Key must be 1-200 characters")
        }
        return try await pool.transaction { connection in
            try await connection.execute("""
                DELETE FROM idempotency_record
                WHERE staff_id = \(staffID) AND idempotency_key = \(key) AND completed_at IS NULL
                  AND created_at < now() - make_interval(secs => \(abandonedAfterSeconds))
                """)
            let claimed = try await connection.execute("""
                INSERT INTO idempotency_record (staff_id, idempotency_key, request_fingerprint)
                VALUES (\(staffID), \(key), \(fingerprint))
                ON CONFLICT (staff_id, idempotency_key) DO NOTHING
                """)
            if claimed == 1 { return .proceed }
            guard let row = try await connection.first("""
                SELECT request_fingerprint, status, response_headers::text AS headers, response_body
                FROM idempotency_record WHERE staff_id = \(staffID) AND idempotency_key = \(key)
                """) else { return .inProgress }
            guard try row.decode("request_fingerprint", as: Data.self) == fingerprint else { return .keyReused }
            guard let status: Int = try row.decode("status") else { return .inProgress }
            let headersJSON: String = try row.decode("headers") ?? "{}"
            let headers = (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
            return .replay(StoredResponse(status: status, headers: headers, body: try row.decode("response_body") ?? Data()))
        }
    }

    /// Stores the answer to a claimed key.
    public func complete(staffID: UUID, key: String, response: StoredResponse) async throws {
        let headers = String(decoding: try JSONEncoder().encode(response.headers), as: UTF8.self)
        try await pool.execute("""
            UPDATE idempotency_record
            SET status = \(response.status), response_headers = \(headers)::jsonb, response_body = \(response.body), completed_at = now()
            WHERE staff_id = \(staffID) AND idempotency_key = \(key)
            """)
    }

    /// Releases a claimed key whose request failed, so that a retry runs it again.
    public func abandon(staffID: UUID, key: String) async throws {
        try await pool.execute("""
            DELETE FROM idempotency_record WHERE staff_id = \(staffID) AND idempotency_key = \(key) AND completed_at IS NULL
            """)
    }
}
