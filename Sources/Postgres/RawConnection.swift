import CLibPQ
import Foundation
import Synchronization

/// One libpq connection. Its calls block, so they only ever run on the pool's thread pool.
///
/// `@unchecked Sendable`: the pool lends a connection to one task at a time, and that task
/// runs each call to completion on a thread-pool thread before making the next, so the libpq
/// handle is never used from two threads at once.
final class RawConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Statements prepared on this connection (text → name), for `execute(_:reusingPlan:)`.
    private var prepared: [String: String] = [:]
    /// What `cancel()` needs to ask the server to stop the statement running on this connection;
    /// made once at connect time, since `PQgetCancel` may not run beside a statement. The lock
    /// keeps `close()` from freeing it while another thread is using it. Kept as the pointer's
    /// bit pattern (0 for none), since a raw pointer is not Sendable and the lock hands it across threads.
    private let canceller = Mutex<Int>(0)

    /// Opens a connection; `PQfinish` runs on every path, a failed connect included.
    init(settings: ConnectionSettings) throws {
        let pairs = settings.libpqParameters
        let handle = withCStringArray(pairs.map(\.0)) { keywords in
            withCStringArray(pairs.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let handle else {
            throw PostgresError(kind: .connectionFailure, message: "out of memory")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(handle)
            throw PostgresError(kind: .connectionFailure, message: message)
        }
        self.handle = handle
        let cancel = Int(bitPattern: PQgetCancel(handle))
        canceller.withLock { $0 = cancel }
        // Notices (such as "already exists, skipping") are not for the terminal.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        do {
            _ = try execute(SQL(unsafeSQL: "SET TIME ZONE 'UTC'"))
            _ = try execute(SQL(unsafeSQL: "SET DateStyle = 'ISO, YMD'"))
            _ = try execute(SQL(unsafeSQL: "SET IntervalStyle = 'iso_8601'"))
            // Every statement of ours is short and planned once; PostgreSQL's JIT compiler (on by
            // default) spent about two seconds compiling each regional report's statement, for tens
            // of milliseconds of running, and a cancel waits for it. Off, whatever the server says
            // (a benchmark may turn it on to show the difference).
            _ = try execute(SQL(unsafeSQL: settings.jit ? "SET jit = on" : "SET jit = off"))
            if let seconds = settings.statementTimeoutSeconds {
                _ = try execute(SQL(unsafeSQL: "SET statement_timeout = \(seconds * 1000)"))
            }
            for (name, value) in settings.sessionSettings {
                _ = try execute("SELECT set_config(\(name), \(value), false)")
            }
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Closes the connection; safe to call twice.
    func close() {
        canceller.withLock { cancel in
            if let pointer = OpaquePointer(bitPattern: cancel) { PQfreeCancel(pointer) }
            cancel = 0
        }
        if let handle {
            PQfinish(handle)
            self.handle = nil
        }
    }

    /// Whether the connection is still usable. Reads what the server may have sent meanwhile
    /// (a shutdown notice after a restart, say) without blocking, so a connection that the
    /// server dropped while it sat idle is seen as broken before it is lent out.
    var isHealthy: Bool {
        guard let handle else { return false }
        if PQstatus(handle) != CONNECTION_OK { return false }
        // A dropped connection usually shows as a notice from the server ("terminating
        // connection") followed by end of file; each call reads what has arrived, so read
        // until nothing more comes or the end is seen.
        for _ in 0..<4 {
            if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK { return false }
            if !Self.hasPendingInput(PQsocket(handle)) { break }
        }
        return PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) == PQTRANS_IDLE
    }

    /// Asks the server to stop the statement running on this connection, if any (it then fails
    /// with 57014). Safe from any thread while another runs the statement.
    func cancel() {
        canceller.withLock { cancel in
            guard let pointer = OpaquePointer(bitPattern: cancel) else { return }
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(pointer, &message, Int32(message.count))
        }
    }

    /// Whether a statement failed in the transaction that is open, so that only a rollback can follow.
    var isInFailedTransaction: Bool {
        guard let handle else { return true }
        return PQtransactionStatus(handle) == PQTRANS_INERROR
    }

    /// Whether the connection must not go back to the pool: lost, or left inside a transaction.
    var isBrokenAfterUse: Bool {
        guard let handle else { return true }
        return PQstatus(handle) != CONNECTION_OK || PQtransactionStatus(handle) != PQTRANS_IDLE
    }

    /// Whether the socket has something to read now (data, or the end of the stream).
    static func hasPendingInput(_ socket: Int32) -> Bool {
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// Runs one parameterised statement (`PQexecParams` refuses several in one string).
    ///
    /// With `reusingPlan`, the statement is prepared once on this connection (`PQprepare`) and
    /// then executed by name (`PQexecPrepared`): PostgreSQL plans it anew for its first few runs
    /// and then may keep a plan, which spares a busy statement its planning time. For
    /// statements whose best plan does not change with their values.
    func execute(_ sql: SQL, reusingPlan: Bool = false) throws -> PostgresResult {
        guard let handle else {
            throw PostgresError(kind: .connectionFailure, message: "connection closed")
        }
        guard reusingPlan else {
            let result = withOptionalCStringArray(sql.binds) { values in
                PQexecParams(handle, sql.text, Int32(sql.binds.count), nil, values, nil, nil, 0)
            }
            defer { PQclear(result) }
            return try read(result, handle: handle)
        }
        let name: String
        if let known = prepared[sql.text] {
            name = known
        } else {
            name = "ap_\(prepared.count + 1)"
            let made = PQprepare(handle, name, sql.text, Int32(sql.binds.count), nil)
            defer { PQclear(made) }
            _ = try read(made, handle: handle)
            prepared[sql.text] = name
        }
        let result = withOptionalCStringArray(sql.binds) { values in
            PQexecPrepared(handle, name, Int32(sql.binds.count), values, nil, nil, 0)
        }
        defer { PQclear(result) }
        return try read(result, handle: handle)
    }

    /// Runs a script of several statements with no parameters (`PQexec`): migrations only.
    func executeScript(_ text: String) throws {
        guard let handle else {
            throw PostgresError(kind: .connectionFailure, message: "connection closed")
        }
        let result = PQexec(handle, text)
        defer { PQclear(result) }
        _ = try read(result, handle: handle)
    }

    /// Loads rows with `COPY … FROM STDIN` (text format): `statement` is the COPY command, and
    /// `data` chunks of tab-separated lines. Returns how many rows were loaded.
    func copyIn(_ statement: String, data: [String]) throws -> Int {
        guard let handle else {
            throw PostgresError(kind: .connectionFailure, message: "connection closed")
        }
        let started = PQexec(handle, statement)
        defer { PQclear(started) }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            throw error(from: started, handle: handle)
        }
        var failure: String? = nil
        for chunk in data where failure == nil {
            let sent = chunk.withCString { PQputCopyData(handle, $0, Int32(strlen($0))) }
            if sent != 1 { failure = String(cString: PQerrorMessage(handle)) }
        }
        if PQputCopyEnd(handle, failure) != 1 {
            throw PostgresError(kind: .connectionFailure, message: String(cString: PQerrorMessage(handle)))
        }
        var loaded = 0
        var problem: PostgresError? = nil
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                loaded = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if problem == nil {
                problem = error(from: result, handle: handle)
            }
        }
        if let problem { throw problem }
        return loaded
    }

    private func read(_ result: OpaquePointer?, handle: OpaquePointer) throws -> PostgresResult {
        guard let result else {
            throw error(from: nil, handle: handle)
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(rows: [], affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0)
        case PGRES_TUPLES_OK:
            let columnCount = Int(PQnfields(result))
            let rowCount = Int(PQntuples(result))
            let columns = PostgresColumns(names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) })
            var rows = [PostgresRow]()
            rows.reserveCapacity(rowCount)
            for row in 0..<Int32(rowCount) {
                var values = [String?]()
                values.reserveCapacity(columnCount)
                for column in 0..<Int32(columnCount) {
                    if PQgetisnull(result, row, column) == 1 {
                        values.append(nil)
                    } else {
                        values.append(String(cString: PQgetvalue(result, row, column)))
                    }
                }
                rows.append(PostgresRow(columns: columns, values: values))
            }
            return PostgresResult(rows: rows, affectedRows: rowCount)
        default:
            throw error(from: result, handle: handle)
        }
    }

    private func error(from result: OpaquePointer?, handle: OpaquePointer) -> PostgresError {
        func field(_ code: Int32) -> String? {
            guard let result, let value = PQresultErrorField(result, code) else { return nil }
            return String(cString: value)
        }
        let state = field(CLibPQ_DIAG_SQLSTATE)
        var kind = PostgresError.kind(forSQLState: state)
        if PQstatus(handle) != CONNECTION_OK {
            kind = .connectionFailure
        }
        let message =
            field(CLibPQ_DIAG_MESSAGE_PRIMARY)
            ?? String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresError(
            kind: kind, sqlState: state,
            constraint: field(CLibPQ_DIAG_CONSTRAINT_NAME),
            table: field(CLibPQ_DIAG_TABLE_NAME),
            column: field(CLibPQ_DIAG_COLUMN_NAME),
            message: message,
            detail: field(CLibPQ_DIAG_MESSAGE_DETAIL))
    }
}

/// Calls `body` with a C array of C strings that live for the duration of the call.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    withOptionalCStringArray(strings.map(Optional.some)) { pointer in
        body(pointer!)
    }
}

/// Calls `body` with a NULL-terminated C array of optional C strings (`nil` stays NULL).
private func withOptionalCStringArray<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    let duplicates: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { duplicates.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = duplicates.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
