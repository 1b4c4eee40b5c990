import APServer
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP service.",
        discussion: """
            Reads DATABASE_URL (or libpq's PG* variables), AP_HOST, AP_PORT, AP_BCRYPT_COST, \
            AP_DB_MAX_CONNECTIONS, AP_REPORT_TIMEOUT_SECONDS, AP_SHUTDOWN_GRACE_SECONDS and \
            AP_MIGRATE_ON_START, AP_SIGNING_KEY_FILE, AP_CHECKPOINT_DIR, AP_CHECKPOINT_MINUTES, LOG_LEVEL \
            and LOG_FORMAT (json: one JSON object a line); options win over the environment. Stops gracefully on SIGINT or \
            SIGTERM: requests in flight get AP_SHUTDOWN_GRACE_SECONDS to finish, then are cancelled.

            Example:  DATABASE_URL=postgresql://ap@db/ap ap serve --host 0.0.0.0 --port 8080 --migrate
            """)

    @Option(help: "The address to listen on (default: $AP_HOST or 127.0.0.1).") var host: String?
    @Option(help: "The port to listen on (default: $AP_PORT or 8080).") var port: Int?
    @Flag(help: "Apply pending migrations before serving.") var migrate = false

    func run() async throws {
        var configuration = ServerConfiguration.fromEnvironment()
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if migrate { configuration.migrateOnStart = true }
        let environment = ProcessInfo.processInfo.environment
        let level = environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        if environment["LOG_FORMAT"]?.lowercased() == "json" {
            // Every logger of the process, the pool's and the server's too, writes JSON lines.
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "approved-premises")
        logger.logLevel = level
        let app = try await buildApplication(configuration: configuration, logger: logger)
        // On SIGTERM or SIGINT the server stops taking requests and lets those in flight finish;
        // after the grace period the rest are cancelled (their statements too), so the service
        // stops within seconds even during a long report or a breach pass.
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = .seconds(configuration.shutdownGraceSeconds)
        try await ServiceGroup(configuration: group).run()
    }
}
