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
    @discardableResult
    public func transaction<T>(
        isolation: IsolationLevel = .readCommitted,
        maxAttempts: Int = 3,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
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
            } catch let error as PostgresError where attempt < maxAttempts
                && (error.isTransient || error.kind == .connectionFailure)
            {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 5...25) * attempt))
            } catch let error as CommitOutcomeUnknown {
                throw error.underlying
            }
        }
    }
}

/// The connection was lost while the commit was in flight.
private struct CommitOutcomeUnknown: Error {
    var underlying: PostgresError
}
