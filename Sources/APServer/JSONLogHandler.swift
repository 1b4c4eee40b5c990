import Foundation
import Logging
import Postgres

/// Log lines as one JSON object each (`LOG_FORMAT=json`), for a log shipper: the time, level,
/// logger, message and every metadata value (the request id among them: `hb.request.id` on
/// request lines, `request_id` on a failed request's). Nothing personal is put in a log line
/// by the service (see `LogSafe`), and headers (tokens) are never logged.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = "\(value)" }
        fields["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["message"] = "\(event.message)"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(fields) else { return }
        line.append(10)
        FileHandle.standardError.write(line)
    }
}

/// What may be said of an error in a log line: its kind, never its text (a database error's
/// detail can quote the values of a row, a person's name or CRN among them).
public enum LogSafe {
    public static func describe(_ error: any Error) -> String {
        if let database = error as? PostgresError {
            return "PostgresError(\(database.kind), sqlstate \(database.sqlState ?? "none"))"
        }
        return String(reflecting: type(of: error))
    }
}
