import Foundation

/// Where and how to connect, in libpq's own terms.
///
/// The standard settings work because libpq reads them itself: `DATABASE_URL` (a
/// `postgresql://` URL or a `key=value` connection string) when given, and otherwise the `PG*`
/// variables (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD`, `PGSERVICE`, ...) and
/// `pg_service.conf`.
public struct ConnectionSettings: Sendable {
    /// A connection URL or connection string; empty means libpq's defaults and `PG*` variables.
    public var connectionString: String
    /// Seconds to wait for a connection before giving up (libpq's `connect_timeout`).
    public var connectTimeoutSeconds: Int
    /// Shown in `pg_stat_activity`.
    public var applicationName: String
    /// How long one statement may run before the server stops it (57014, `PostgresError.Kind.queryCanceled`); nil: no limit.
    public var statementTimeoutSeconds: Int?
    /// Whether PostgreSQL may compile this connection's statements just in time (its `jit`
    /// setting, on by default in PostgreSQL 15). Off unless a benchmark asks, to show what it costs.
    public var jit = false
    /// Settings every connection makes for its whole session (`set_config(name, value, false)`),
    /// such as `ap.outbox = off` for a load of history that must tell nobody.
    public var sessionSettings: [(name: String, value: String)] = []

    /// A value with each field given.
    public init(connectionString: String = "", connectTimeoutSeconds: Int = 5, applicationName: String = "approved-premises") {
        self.connectionString = connectionString
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.applicationName = applicationName
    }

    /// The settings from an environment: `variable` (default `DATABASE_URL`) when set, else libpq's.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        variable: String = "DATABASE_URL"
    ) -> ConnectionSettings {
        var settings = ConnectionSettings(connectionString: environment[variable] ?? "")
        if let timeout = environment["PGCONNECT_TIMEOUT"].flatMap(Int.init) {
            settings.connectTimeoutSeconds = timeout
        }
        return settings
    }

    /// The same server with another database name.
    public func database(_ name: String) -> ConnectionSettings {
        var copy = self
        if connectionString.isEmpty {
            copy.connectionString = "dbname=\(name)"
        } else if connectionString.contains("://") {
            var components = URLComponents(string: connectionString)
            components?.path = "/" + name
            copy.connectionString = components?.string ?? connectionString
        } else {
            copy.connectionString = connectionString + " dbname=\(name)"
        }
        return copy
    }

    /// Keyword/value pairs for `PQconnectdbParams`: defaults first, the connection string last,
    /// so that whatever the string says wins.
    var libpqParameters: [(String, String)] {
        var pairs = [
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("application_name", applicationName),
        ]
        if !connectionString.isEmpty {
            pairs.append(("dbname", connectionString))
        }
        return pairs
    }
}
