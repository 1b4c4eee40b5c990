import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A bounded pool of libpq connections whose blocking calls run on a thread pool of their own.
///
/// A connection found broken (the server restarted, a network cut) is closed and replaced by a
/// new one on the next use, so the service recovers by itself once PostgreSQL is back.
/// Add the pool to the application's services so it closes on graceful shutdown.
public final class PostgresPool: Service, Sendable {
    /// The connection settings every new connection uses.
    public let settings: ConnectionSettings
    /// The most connections open at once; callers beyond it wait for one to be released.
    public let maxConnections: Int
    let threadPool: NIOThreadPool
    let counter = StatementCounter()
    private let logger: Logger
    private let state: Mutex<State>

    private struct State {
        var idle: [RawConnection] = []
        var open = 0
        var waiters: [CheckedContinuation<RawConnection?, any Error>] = []
        var closed = false
        var replaced = 0
    }

    /// What the pool holds now, and what it has replaced and failed so far (for `/metrics`).
    public struct Statistics: Sendable, Equatable {
        /// Connections lent out.
        public var inUse: Int
        /// Connections open and waiting to be lent.
        public var idle: Int
        /// Callers waiting for a connection.
        public var waiting: Int
        /// Connections found broken and closed, to be replaced by new ones.
        public var replaced: Int
        /// Statements that failed, by SQLSTATE class (`23` integrity, `40` rollback, `08` connection, …).
        public var errorsByClass: [String: Int]
    }

    public var statistics: Statistics {
        let errors = counter.errors.withLock { $0 }
        return state.withLock { state in
            Statistics(
                inUse: state.open - state.idle.count, idle: state.idle.count, waiting: state.waiters.count,
                replaced: state.replaced, errorsByClass: errors)
        }
    }

    /// Creates a pool; no connection is opened until one is needed.
    public init(settings: ConnectionSettings, maxConnections: Int = 8, logger: Logger = Logger(label: "postgres")) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.settings = settings
        self.maxConnections = maxConnections
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: maxConnections)
        self.threadPool.start()
        self.state = Mutex(State())
    }

    /// How many statements this pool's connections have run so far.
    public var statementsRun: Int { counter.count.load(ordering: .relaxed) }

    /// Lends a connection to `body` and takes it back afterwards, whatever happens.
    ///
    /// Inside `sharedTransaction` on this pool, `body` gets that transaction's connection (rolled
    /// back first if a statement has failed in it, so that a caller can still read what it needs
    /// to explain the failure; see `sharedTransaction`).
    @discardableResult
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        if let shared {
            return try await body(try await shared.usableConnection())
        }
        let raw = try await acquire()
        let connection = PostgresConnection(raw: raw, threadPool: threadPool, counter: counter)
        do {
            let value = try await body(connection)
            release(raw)
            return value
        } catch {
            release(raw)
            throw error
        }
    }

    /// Runs one statement on a pooled connection and returns its rows.
    public func query(_ sql: SQL, reusingPlan: Bool = false) async throws -> [PostgresRow] {
        try await withConnection { try await $0.query(sql, reusingPlan: reusingPlan) }
    }

    /// Runs one statement on a pooled connection and returns how many rows it changed.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await withConnection { try await $0.execute(sql) }
    }

    /// Waits for graceful shutdown, then closes every connection and the thread pool.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes every idle connection and the thread pool; callers waiting get an error.
    public func close() async {
        let (idle, waiters) = state.withLock { state -> ([RawConnection], [CheckedContinuation<RawConnection?, any Error>]) in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            state.open -= state.idle.count
            return (state.idle, state.waiters)
        }
        for waiter in waiters {
            waiter.resume(throwing: PostgresError(kind: .connectionFailure, message: "pool closed"))
        }
        for connection in idle {
            connection.close()
        }
        try? await threadPool.shutdownGracefully()
    }

    private enum Lease {
        case reuse(RawConnection)
        case open
        case wait
    }

    private func acquire() async throws -> RawConnection {
        while true {
            let lease: Lease = try state.withLock { state in
                if state.closed {
                    throw PostgresError(kind: .connectionFailure, message: "pool closed")
                }
                if let connection = state.idle.popLast() { return .reuse(connection) }
                if state.open < maxConnections {
                    state.open += 1
                    return .open
                }
                return .wait
            }
            switch lease {
            case .reuse(let connection):
                // Checked here, not on the thread pool: the check never blocks (libpq's socket is
                // non-blocking underneath; `isHealthy` reads only what has already arrived), and
                // a hop to the pool and back would cost every request as much as a small query.
                if connection.isHealthy { return connection }
                logger.info("replacing a broken database connection")
                discard(connection)
            case .open:
                return try await open()
            case .wait:
                let handed: RawConnection? = try await withCheckedThrowingContinuation { continuation in
                    let waiting = state.withLock { state -> Bool in
                        // A connection may have come back between the two locks.
                        if !state.idle.isEmpty || state.open < maxConnections || state.closed { return false }
                        state.waiters.append(continuation)
                        return true
                    }
                    if !waiting { continuation.resume(returning: nil) }
                }
                if let handed { return handed }
            }
        }
    }

    /// Opens a new connection for a slot already counted in `open`.
    private func open() async throws -> RawConnection {
        do {
            let settings = self.settings
            return try await threadPool.runIfActive { try RawConnection(settings: settings) }
        } catch {
            freeSlot()
            throw error
        }
    }

    private func release(_ connection: RawConnection) {
        let broken = connection.isBrokenAfterUse
        if broken {
            discard(connection)
            return
        }
        let waiter = state.withLock { state -> CheckedContinuation<RawConnection?, any Error>? in
            if state.closed {
                state.open -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(connection)
            return nil
        }
        if let waiter {
            waiter.resume(returning: connection)
        } else if state.withLock({ $0.closed }) {
            connection.close()
        }
    }

    private func discard(_ connection: RawConnection) {
        connection.close()
        state.withLock { $0.replaced += 1 }
        freeSlot()
    }

    /// Gives back a slot; a waiter, if any, is told to try again (and so opens a connection).
    private func freeSlot() {
        let waiter = state.withLock { state -> CheckedContinuation<RawConnection?, any Error>? in
            state.open -= 1
            return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
        }
        waiter?.resume(returning: nil)
    }
}
