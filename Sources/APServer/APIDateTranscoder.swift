import Foundation
import OpenAPIRuntime

/// How the API writes and reads dates: RFC 3339 in UTC, whole seconds, as the runtime's
/// `.iso8601` does. It writes them with Foundation's Swift formatter instead of the runtime's
/// (a shared `ISO8601DateFormatter` behind one lock, the dearest part of answering a list such
/// as who is in tonight); it reads them with the runtime's own, so what is accepted is unchanged.
struct APIDateTranscoder: DateTranscoder {
    private let style = Date.ISO8601FormatStyle()
    private let reader = ISO8601DateTranscoder.iso8601

    func encode(_ date: Date) throws -> String {
        style.format(date)
    }

    func decode(_ text: String) throws -> Date {
        try reader.decode(text)
    }
}

extension OpenAPIRuntime.Configuration {
    /// The service's answers: dates as above, JSON without the runtime's pretty-printing (no
    /// client needs the whitespace), keys sorted so the same answer is always the same bytes.
    static let service = Configuration(dateTranscoder: APIDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
}
