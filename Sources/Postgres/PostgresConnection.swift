import NIOPosix
import Synchronization

/// A connection lent by the pool for the duration of a closure. Each call runs on the pool's
/// thread pool, never on the caller's thread.
public struct PostgresConnection: Sendable {
    let raw: RawConnection
    let threadPool: NIOThreadPool
    let counter: StatementCounter

    /// Runs one parameterised statement and returns its rows.
    public func query(_ sql: SQL, reusingPlan: Bool = false) async throws -> [PostgresRow] {
        try await result(sql, reusingPlan: reusingPlan).rows
    }

    /// Runs one parameterised statement and returns its first row, if any.
    public func first(_ sql: SQL, reusingPlan: Bool = false) async throws -> PostgresRow? {
        try await result(sql, reusingPlan: reusingPlan).rows.first
    }

    /// Runs a statement that always answers a row (an insert's `RETURNING`, an aggregate, a row the
    /// caller has just read or locked) and returns that row; no row is a thrown error, never a crash.
    public func one(_ sql: SQL, reusingPlan: Bool = false) async throws -> PostgresRow {
        guard let row = try await first(sql, reusingPlan: reusingPlan) else {
            throw PostgresError(kind: .other, message: "a statement that always answers a row answered none: \(sql.text.prefix(80))")
        }
        return row
    }

    /// Runs one parameterised statement and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: SQL, reusingPlan: Bool = false) async throws -> Int {
        try await result(sql, reusingPlan: reusingPlan).affectedRows
    }

    /// Runs one parameterised statement.
    ///
    /// When the task waiting for it is cancelled (the service stopping, say), the server is asked
    /// to stop the statement, which then fails with `PostgresError.Kind.queryCanceled`.
    ///
    /// `reusingPlan`: prepare the statement once on this connection and run it by name after
    /// that, so that a busy statement is not planned again on every run (see `RawConnection`).
    public func result(_ sql: SQL, reusingPlan: Bool = false) async throws -> PostgresResult {
        let raw = self.raw
        counter.count.add(1, ordering: .relaxed)
        do {
            return try await withTaskCancellationHandler {
                try await threadPool.runIfActive { try raw.execute(sql, reusingPlan: reusingPlan) }
            } onCancel: {
                raw.cancel()
            }
        } catch let error as PostgresError {
            counter.failed(error)
            throw error
        }
    }

    /// Bulk-loads rows with `COPY table (columns) FROM STDIN`: each row's values are escaped
    /// for COPY's text format (nil is NULL). The table and column names are trusted text.
    @discardableResult
    public func copy(into table: String, columns: [String], rows: [[String?]]) async throws -> Int {
        let statement = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        let raw = self.raw
        // Written out on the pool's thread with the COPY itself: tens of thousands of rows are
        // seconds of work that would otherwise hold a thread of Swift's shared pool.
        return try await threadPool.runIfActive {
            var chunks = [String]()
            var chunk = ""
            chunk.reserveCapacity(1 << 20)
            for row in rows {
                chunk += row.map { $0.map(Self.escape) ?? "\\N" }.joined(separator: "\t")
                chunk += "\n"
                if chunk.utf8.count > 1 << 20 {
                    chunks.append(chunk)
                    chunk = ""
                }
            }
            if !chunk.isEmpty { chunks.append(chunk) }
            return try raw.copyIn(statement, data: chunks)
        }
    }

    /// Bulk-loads text already in COPY's text format (tab-separated, `\N` for NULL, escaped,
    /// each row ending in a newline), sent chunk by chunk. For loaders that write rows faster
    /// than `[[String?]]` allows. The table and column names are trusted text.
    @discardableResult
    public func copy(into table: String, columns: [String], text chunks: [String]) async throws -> Int {
        let statement = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        let raw = self.raw
        return try await threadPool.runIfActive { try raw.copyIn(statement, data: chunks) }
    }

    /// A value in COPY's text format: backslash, tab, newline and carriage return escaped.
    static func escape(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    /// Runs a script of several statements without parameters. For migrations, whose text is
    /// trusted and written by us; anything with input in it goes through `query`.
    public func executeScript(unsafeSQL text: String) async throws {
        let raw = self.raw
        try await threadPool.runIfActive { try raw.executeScript(text) }
    }
}

/// How many statements a pool's connections have run: for tests and benchmarks that check a
/// piece of work makes a bounded number of them.
final class StatementCounter: Sendable {
    let count = Atomic<Int>(0)
    /// Statements that failed, by the class of their SQLSTATE (its first two characters;
    /// `08` for a connection lost without one).
    let errors = Mutex<[String: Int]>([:])

    func failed(_ error: PostgresError) {
        let sqlClass = error.sqlState.map { String($0.prefix(2)) } ?? (error.kind == .connectionFailure ? "08" : "XX")
        errors.withLock { $0[sqlClass, default: 0] += 1 }
    }
}
