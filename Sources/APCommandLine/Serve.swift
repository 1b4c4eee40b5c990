import APServer
import ArgumentParser
import Foundation
import Hummingbird
import Logging

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP service.",
        discussion: """
            Reads DATABASE_URL (or libpq's PG* variables), AP_HOST, AP_PORT, AP_BCRYPT_COST, \
            AP_DB_MAX_CONNECTIONS and AP_MIGRATE_ON_START; options win over the environment. \
            Stops gracefully on SIGINT or SIGTERM.

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
        var logger = Logger(label: "approved-premises")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let app = try await buildApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}
