import Foundation
import Postgres

/// How the service runs, read from the environment (and overridden by `ap serve` options).
public struct ServerConfiguration: Sendable {
    /// The address to listen on.
    public var host: String
    /// The port to listen on.
    public var port: Int
    /// The database of record (`DATABASE_URL`, else libpq's `PG*` variables).
    public var database: ConnectionSettings
    /// Where report queries go (`AP_REPORT_DATABASE_URL`, a read replica, say); nil: the database of record.
    public var reportDatabase: ConnectionSettings?
    /// The most database connections the service holds.
    public var maxConnections: Int
    /// bcrypt's cost for new passwords (`AP_BCRYPT_COST`, default 12).
    public var bcryptCost: UInt8
    /// Apply pending migrations before serving (`AP_MIGRATE_ON_START=1`).
    public var migrateOnStart: Bool
    /// How often the job looks for residents out after their curfew started (`AP_BREACH_SCAN_SECONDS`, default 60).
    public var breachScanSeconds: Int = 60
    /// How long one report query may run before the database stops it and the report is
    /// answered 503 (`AP_REPORT_TIMEOUT_SECONDS`, default 30).
    public var reportTimeoutSeconds: Int = 30
    /// On SIGTERM or SIGINT, how long requests in flight may take to finish before their
    /// database statements are cancelled and the service stops (`AP_SHUTDOWN_GRACE_SECONDS`, default 5).
    public var shutdownGraceSeconds: Int = 5
    /// The address browsers use for the web view (`AP_PUBLIC_URL`, such as https://ap.example.org):
    /// when it is https the session cookie is `Secure`, and forms are accepted only from its origin.
    public var publicURL: String?

    /// A value with each field given.
    public init(host: String = "127.0.0.1", port: Int = 8080, database: ConnectionSettings = ConnectionSettings(),
                maxConnections: Int = 8, bcryptCost: UInt8 = 12, migrateOnStart: Bool = false) {
        self.host = host
        self.port = port
        self.database = database
        self.maxConnections = maxConnections
        self.bcryptCost = bcryptCost
        self.migrateOnStart = migrateOnStart
    }

    /// The configuration the environment describes.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> ServerConfiguration {
        var configuration = ServerConfiguration(database: .fromEnvironment(environment))
        if let replica = environment["AP_REPORT_DATABASE_URL"], !replica.isEmpty {
            configuration.reportDatabase = .fromEnvironment(environment, variable: "AP_REPORT_DATABASE_URL")
        }
        if let host = environment["AP_HOST"] { configuration.host = host }
        if let port = environment["AP_PORT"].flatMap(Int.init) { configuration.port = port }
        if let connections = environment["AP_DB_MAX_CONNECTIONS"].flatMap(Int.init), connections > 0 {
            configuration.maxConnections = connections
        }
        if let cost = environment["AP_BCRYPT_COST"].flatMap(UInt8.init), (4...31).contains(cost) {
            configuration.bcryptCost = cost
        }
        if let seconds = environment["AP_BREACH_SCAN_SECONDS"].flatMap(Int.init), seconds > 0 {
            configuration.breachScanSeconds = seconds
        }
        if let seconds = environment["AP_REPORT_TIMEOUT_SECONDS"].flatMap(Int.init), seconds > 0 {
            configuration.reportTimeoutSeconds = seconds
        }
        if let seconds = environment["AP_SHUTDOWN_GRACE_SECONDS"].flatMap(Int.init), seconds >= 0 {
            configuration.shutdownGraceSeconds = seconds
        }
        if let url = environment["AP_PUBLIC_URL"], !url.isEmpty { configuration.publicURL = url }
        configuration.migrateOnStart = ["1", "true", "yes"].contains(environment["AP_MIGRATE_ON_START"]?.lowercased() ?? "")
        return configuration
    }
}
