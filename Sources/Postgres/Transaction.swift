import Synchronization

/// How strictly a transaction is isolated from concurrent ones.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresPool {
    /// Runs `body` in a transaction on one connection: committed when it returns, rolled back
    /// when it throws. A serialization failure or deadlock, or a connection lost before the
    /// commit was sent, runs the whole transaction again, up to `maxAttempts` times in all, so
    /// `body` must do nothing outside the database that cannot be repeated.
    ///
    /// Inside `sharedTransaction` on this pool, `body` joins that transaction instead: it commits
    /// or rolls back with it, and a retry runs the whole shared transaction again.
    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 3,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        if let shared {
            let connection = try await shared.usableConnection()
            // After a failed statement only reads may follow (to explain the failure): a change
            // would commit on its own, apart from the rest of the shared work.
            if shared.abandoned.load(ordering: .relaxed) { throw SharedTransactionAbandoned() }
            return try await body(connection)
        }
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await Self.run(isolation: isolation, body, on: connection)
                }
            } catch let error as PostgresError
                where attempt < maxAttempts
                && (error.isTransient || error.kind == .connectionFailure)
            {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...25) * attempt))
            } catch let error as CommitOutcomeUnknown {
                throw error.underlying
            }
        }
    }

    /// One attempt: BEGIN, `body`, COMMIT on `connection`; ROLLBACK when anything throws.
    private static func run<T>(
        isolation: IsolationLevel, _ body: (PostgresConnection) async throws -> T,
        on connection: PostgresConnection
    ) async throws -> T {
        try await connection.execute(SQL(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
        let value: T
        do {
            value = try await body(connection)
        } catch {
            _ = try? await connection.execute("ROLLBACK")
            throw error
        }
        do {
            try await connection.execute("COMMIT")
        } catch let error as PostgresError where error.kind == .connectionFailure {
            // Whether the commit landed is unknown: never run it again.
            throw CommitOutcomeUnknown(underlying: error)
        } catch {
            _ = try? await connection.execute("ROLLBACK")
            throw error
        }
        return value
    }
}

/// The connection was lost while the commit was in flight.
private struct CommitOutcomeUnknown: Error {
    var underlying: PostgresError
}

/// The transaction that `sharedTransaction` opened, seen by the task that runs inside it (and
/// by any child task, which is why the work inside must not run two statements at once).
final class SharedTransaction: Sendable {
    let pool: ObjectIdentifier
    let connection: PostgresConnection
    /// Rolled back early: a statement failed and a caller then asked for the connection (to read
    /// what it needs to explain the failure). The shared transaction then fails as a whole.
    let abandoned = Atomic<Bool>(false)

    init(pool: ObjectIdentifier, connection: PostgresConnection) {
        self.pool = pool
        self.connection = connection
    }

    @TaskLocal static var current: SharedTransaction?

    /// The connection, fit for another statement: after a failed statement the transaction is
    /// rolled back first, and from then on each statement (a read) stands on its own.
    func usableConnection() async throws -> PostgresConnection {
        if connection.raw.isInFailedTransaction {
            try await connection.execute("ROLLBACK")
            abandoned.store(true, ordering: .relaxed)
        }
        return connection
    }
}

/// A shared transaction was rolled back after one of its statements failed.
struct SharedTransactionAbandoned: Error, CustomStringConvertible {
    var description: String { "the transaction was rolled back after one of its statements failed" }
}

extension PostgresPool {
    /// Runs `body` in one transaction that every `transaction`, `withConnection`, `query` and
    /// `execute` on this pool inside it joins, so that work made of several stores' calls (a
    /// request's idempotency claim, its change, its audit row and its stored answer) commits
    /// once, or not at all. Retried as a whole like `transaction`. The work inside must run its
    /// statements one after another, never two at once.
    ///
    /// When a statement inside fails and the work goes on to ask for the connection (to explain
    /// the failure, say), the transaction is rolled back there and then, and the shared
    /// transaction fails as a whole even if `body` returns: nothing of it is ever half-kept.
    @discardableResult
    public func sharedTransaction<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction { connection in
            let shared = SharedTransaction(pool: ObjectIdentifier(self), connection: connection)
            let value = try await SharedTransaction.$current.withValue(shared) {
                try await body(connection)
            }
            if shared.abandoned.load(ordering: .relaxed) { throw SharedTransactionAbandoned() }
            return value
        }
    }

    /// The shared transaction this task is in, if it is on this pool.
    var shared: SharedTransaction? {
        guard let shared = SharedTransaction.current, shared.pool == ObjectIdentifier(self) else { return nil }
        return shared
    }
}
