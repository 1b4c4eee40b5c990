import ApprovedPremises
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
    /// What the service takes for now when it judges the night: who is late, which breaches the
    /// job opens, the time of an entry sent without one. The system clock; tests set another to
    /// live given nights (the two the clocks change) through the service. The database's own
    /// clock still stamps when each entry was recorded.
    public var clock: ServiceClock = { Date() }
    /// How long one report query may run before the database stops it and the report is
    /// answered 503 (`AP_REPORT_TIMEOUT_SECONDS`, default 30).
    public var reportTimeoutSeconds: Int = 30
    /// On SIGTERM or SIGINT, how long requests in flight may take to finish before their
    /// database statements are cancelled and the service stops (`AP_SHUTDOWN_GRACE_SECONDS`, default 5).
    public var shutdownGraceSeconds: Int = 5
    /// The address browsers use for the web view (`AP_PUBLIC_URL`, such as https://ap.example.org):
    /// when it is https the session cookie is `Secure`, and forms are accepted only from its origin.
    public var publicURL: String?
    /// The Ed25519 key that signs checkpoints of the logs (`AP_SIGNING_KEY_FILE`; make one with
    /// `ap db keygen`); never stored in the database. Without it, nothing is checkpointed.
    public var signingKeyFile: String?
    /// The write-once folder checkpoints are appended to (`AP_CHECKPOINT_DIR`), outside the database.
    public var checkpointDirectory: String?
    /// A second folder on other storage every checkpoint is also appended to
    /// (`AP_CHECKPOINT_WITNESS_DIR`).
    public var witnessDirectory: String?
    /// The address sent a daily digest of the checkpoints and each handover's
    /// (`AP_CHECKPOINT_WITNESS_EMAIL`), through the outbox.
    public var witnessEmail: String?
    /// How often every chain that moved is checkpointed (`AP_CHECKPOINT_MINUTES`, default 15);
    /// a premises is also checkpointed at each handover.
    public var checkpointMinutes: Int = 15
    /// The built documentation served at `/docs` (`AP_DOCS_DIR`, else where `Deploy/install.sh`
    /// or `Deploy/docs.sh` put it), or nil when it has not been built.
    public var docsFolder: String?
    /// How the outbox is delivered (`AP_SENDMAIL` and the other `AP_MAIL_*` variables). Nil (the
    /// default of a value made in code, and `AP_SENDMAIL=off`): no delivery job runs; messages are
    /// still written, and wait.
    public var mail: MailSettings?
    /// The daily erasure job's schedule (`AP_RETENTION`: `stays=7,referrals=7`, or `off`); unset, the standard.
    public var retention: String?
    /// How long sessions last: `AP_SESSION_IDLE_MINUTES` unused (default 120) ends one;
    /// `AP_SESSION_LIFETIME_HOURS` (default 20) from sign-in ends any, however extended.
    public var sessionTimes = SessionTimes()

    /// A value with each field given.
    public init(
        host: String = "127.0.0.1", port: Int = 8080, database: ConnectionSettings = ConnectionSettings(),
        maxConnections: Int = 8, bcryptCost: UInt8 = 12, migrateOnStart: Bool = false
    ) {
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
        if let file = environment["AP_SIGNING_KEY_FILE"], !file.isEmpty { configuration.signingKeyFile = file }
        if let folder = environment["AP_CHECKPOINT_DIR"], !folder.isEmpty { configuration.checkpointDirectory = folder }
        if let folder = environment["AP_CHECKPOINT_WITNESS_DIR"], !folder.isEmpty { configuration.witnessDirectory = folder }
        if let address = environment["AP_CHECKPOINT_WITNESS_EMAIL"], !address.isEmpty { configuration.witnessEmail = address }
        if let minutes = environment["AP_CHECKPOINT_MINUTES"].flatMap(Int.init), minutes > 0 { configuration.checkpointMinutes = minutes }
        configuration.docsFolder = DocsFolder.locate(environment: environment)
        configuration.mail =
            environment["AP_SENDMAIL"] == "off" ? nil : MailSettings.fromEnvironment(environment, publicURL: configuration.publicURL)
        if let retention = environment["AP_RETENTION"], !retention.isEmpty { configuration.retention = retention }
        if let minutes = environment["AP_SESSION_IDLE_MINUTES"].flatMap(Int.init), (1...1440).contains(minutes) {
            configuration.sessionTimes = SessionTimes(lifetime: configuration.sessionTimes.lifetime, idle: .seconds(minutes * 60))
        }
        if let hours = environment["AP_SESSION_LIFETIME_HOURS"].flatMap(Int.init), (1...48).contains(hours) {
            configuration.sessionTimes = SessionTimes(lifetime: .seconds(hours * 3600), idle: configuration.sessionTimes.idle)
        }
        configuration.migrateOnStart = ["1", "true", "yes"].contains(environment["AP_MIGRATE_ON_START"]?.lowercased() ?? "")
        return configuration
    }

    /// The schedule the daily retention job follows, or nil when `AP_RETENTION` is `off`; a
    /// schedule that is not one is an error naming the part (the service does not start).
    public func retentionSchedule() throws -> RetentionSchedule? {
        guard let retention else { return .standard }
        return retention == "off" ? nil : try RetentionSchedule.parse(retention)
    }

    /// The checkpoint key and folder as configured: a key file that cannot be read is an error
    /// naming it (the service does not start without the key it was told to use).
    public func checkpoints() throws -> CheckpointSettings {
        if (signingKeyFile == nil) != (checkpointDirectory == nil) {
            throw DomainError(.invalid, "set both AP_SIGNING_KEY_FILE and AP_CHECKPOINT_DIR to keep checkpoints of the logs, or neither")
        }
        if checkpointDirectory == nil, witnessDirectory != nil || witnessEmail != nil {
            throw DomainError(
                .invalid,
                "AP_CHECKPOINT_WITNESS_DIR and AP_CHECKPOINT_WITNESS_EMAIL witness checkpoints: set AP_CHECKPOINT_DIR and AP_SIGNING_KEY_FILE too"
            )
        }
        if let witnessDirectory, witnessDirectory == checkpointDirectory {
            throw DomainError(.invalid, "AP_CHECKPOINT_WITNESS_DIR must be another folder than AP_CHECKPOINT_DIR, on other storage")
        }
        return CheckpointSettings(
            key: try signingKeyFile.map { try CheckpointKey(file: $0) }, keyFile: signingKeyFile,
            folder: checkpointDirectory.map(CheckpointFolder.init(path:)),
            witnessFolder: witnessDirectory.map(CheckpointFolder.init(path:)),
            witnessEmail: witnessEmail)
    }
}
