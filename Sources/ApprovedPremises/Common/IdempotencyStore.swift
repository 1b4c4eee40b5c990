import Foundation
import Postgres

/// The first answer to each POST that carried an `Idempotency-Key`, so that a retry is
/// answered the same way and records nothing twice. Keys are kept per member of staff.
///
/// The key's claim, the change, its audit row and the stored answer are one transaction: they
/// commit together or not at all, so no key is ever left claimed by a request that died, and a
/// change is never committed without its answer. A retry that arrives while the first request
/// is still running waits for it (on the key's row) and then gets its answer, or runs itself if
/// the first one failed.
public struct IdempotencyStore: Sendable {
    let pool: PostgresPool
    /// Fault points for tests of the crash window; none in the service.
    public var faults: Faults

    /// Where a test makes a request fail as a crash would: after the change and its answer are
    /// written but before they commit, or after the commit but before the answer is returned.
    public struct Faults: Sendable {
        public var beforeCommit: @Sendable (_ key: String) throws -> Void
        public var afterCommit: @Sendable (_ key: String) throws -> Void

        /// No faults.
        public static let none = Faults(beforeCommit: { _ in }, afterCommit: { _ in })

        /// A value with each point given.
        public init(
            beforeCommit: @escaping @Sendable (_ key: String) throws -> Void,
            afterCommit: @escaping @Sendable (_ key: String) throws -> Void
        ) {
            self.beforeCommit = beforeCommit
            self.afterCommit = afterCommit
        }
    }

    /// A store over the pool.
    public init(pool: PostgresPool, faults: Faults = .none) {
        self.pool = pool
        self.faults = faults
    }

    /// A stored answer.
    public struct StoredResponse: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data

        /// A value with each field given.
        public init(status: Int, headers: [String: String], body: Data) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// Runs `change` once for this key: the first time, in one transaction with the key's claim
    /// and the answer it returns (every store call inside joins that transaction); after that,
    /// `replay` with the stored answer. If `change` throws, nothing of it stays and the key is
    /// free again. The same key with a different request (another `fingerprint`) is refused.
    public func run<T>(
        staffID: UUID, key: String, fingerprint: Data,
        replay: (StoredResponse) -> T,
        change: () async throws -> (value: T, answer: StoredResponse)
    ) async throws -> T {
        guard (1...200).contains(key.unicodeScalars.count) else {
            throw DomainError.invalid(field: "Idempotency-Key", rule: "length", "Idempotency-Key must be 1-200 characters")
        }
        let value = try await pool.sharedTransaction { connection in
            if let stored = try await claim(staffID: staffID, key: key, fingerprint: fingerprint, on: connection) {
                return replay(stored)
            }
            let (value, answer) = try await change()
            let headers = String(decoding: try JSONEncoder().encode(answer.headers), as: UTF8.self)
            try await connection.execute(
                """
                UPDATE idempotency_record
                SET status = \(answer.status), response_headers = \(headers)::jsonb, response_body = \(answer.body), completed_at = now()
                WHERE staff_id = \(staffID) AND idempotency_key = \(key)
                """, reusingPlan: true)
            try faults.beforeCommit(key)
            return value
        }
        try faults.afterCommit(key)
        return value
    }

    /// Claims the key in the transaction of `connection` (nil), or returns the answer stored for it.
    /// A claim by a transaction still running blocks here until that one ends.
    private func claim(staffID: UUID, key: String, fingerprint: Data, on connection: PostgresConnection) async throws -> StoredResponse? {
        let insert: SQL = """
            INSERT INTO idempotency_record (staff_id, idempotency_key, request_fingerprint)
            VALUES (\(staffID), \(key), \(fingerprint))
            ON CONFLICT (staff_id, idempotency_key) DO NOTHING
            """
        if try await connection.execute(insert, reusingPlan: true) == 1 { return nil }
        guard
            let row = try await connection.first(
                """
                SELECT request_fingerprint, status, response_headers::text AS headers, response_body
                FROM idempotency_record WHERE staff_id = \(staffID) AND idempotency_key = \(key)
                """)
        else {
            // The claim that was in the way rolled back after all: ours is the first.
            if try await connection.execute(insert) == 1 { return nil }
            throw DomainError(.conflict, "a request with this Idempotency-Key is still being processed; retry in a moment")
        }
        guard try row.decode("request_fingerprint", as: Data.self) == fingerprint else {
            throw DomainError(
                .unprocessable, "this Idempotency-Key was already used for a different request; use a new key for a new change",
                problems: [FieldProblem(field: "Idempotency-Key", rule: "reused", message: "already used for a different request")])
        }
        // A claim commits with its answer (and 0015 cleared any left by earlier versions), so a
        // claim without one is another request's that committed in between our two reads.
        guard let status: Int = try row.decode("status") else {
            throw DomainError(.conflict, "a request with this Idempotency-Key is still being processed; retry in a moment")
        }
        let headersJSON: String = try row.decode("headers") ?? "{}"
        let headers = (try? JSONDecoder().decode([String: String].self, from: Data(headersJSON.utf8))) ?? [:]
        return StoredResponse(status: status, headers: headers, body: try row.decode("response_body") ?? Data())
    }
}
