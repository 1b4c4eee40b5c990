import Foundation

/// What `ap login` keeps between commands: the server and the session token.
/// Stored as JSON in `$XDG_CONFIG_HOME/ap/config.json` (or `~/.config/ap/config.json`),
/// readable by its owner only (mode 0600, folder 0700).
public struct CLIConfig: Codable, Sendable, Equatable {
    /// The service's base URL.
    public var server: String?
    /// The bearer token of the signed-in session.
    public var token: String?
    /// Who signed in.
    public var username: String?
    /// When the session ends.
    public var expiresAt: Date?
    /// Which service signed in to (the id it reports): what is kept for working offline belongs to it.
    public var serviceID: String?

    /// A value with each field given.
    public init(server: String? = nil, token: String? = nil, username: String? = nil, expiresAt: Date? = nil, serviceID: String? = nil) {
        self.server = server
        self.token = token
        self.username = username
        self.expiresAt = expiresAt
        self.serviceID = serviceID
    }

    /// The config file's path for an environment.
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["AP_CONFIG"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let base: URL
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            base = URL(fileURLWithPath: xdg)
        } else {
            base = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        }
        return base.appendingPathComponent("ap").appendingPathComponent("config.json")
    }

    /// Reads the config file; an absent file is an empty config.
    public static func load(from path: URL) throws -> CLIConfig {
        guard FileManager.default.fileExists(atPath: path.path) else { return CLIConfig() }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(CLIConfig.self, from: Data(contentsOf: path))
    }

    /// Writes the config file with mode 0600 in a folder of mode 0700, never readable by
    /// others even for a moment.
    public func save(to path: URL) throws {
        let folder = path.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        let temporary = folder.appendingPathComponent(".config.json.\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(path.path)")
        }
        guard rename(temporary.path, path.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError("cannot write \(path.path): \(String(cString: strerror(errno)))")
        }
    }
}
