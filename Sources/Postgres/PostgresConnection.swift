import NIOPosix

/// A connection lent by the pool for the duration of a closure. Each call runs on the pool's
/// thread pool, never on the caller's thread.
public struct PostgresConnection: Sendable {
    let raw: RawConnection
    let threadPool: NIOThreadPool

    /// Runs one parameterised statement and returns its rows.
    public func query(_ sql: SQL) async throws -> [PostgresRow] {
        try await result(sql).rows
    }

    /// Runs one parameterised statement and returns its first row, if any.
    public func first(_ sql: SQL) async throws -> PostgresRow? {
        try await result(sql).rows.first
    }

    /// Runs one parameterised statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await result(sql).affectedRows
    }

    /// Runs one parameterised statement.
    public func result(_ sql: SQL) async throws -> PostgresResult {
        let raw = self.raw
        return try await threadPool.runIfActive { try raw.execute(sql) }
    }

    /// Runs a script of several statements without parameters. For migrations, whose text is
    /// trusted and written by us; anything with input in it goes through `query`.
    public func executeScript(unsafeSQL text: String) async throws {
        let raw = self.raw
        try await threadPool.runIfActive { try raw.executeScript(text) }
    }
}
