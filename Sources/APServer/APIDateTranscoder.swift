import ApprovedPremises
import Foundation
import OpenAPIRuntime

/// How the API writes and reads dates: it writes RFC 3339 in UTC, whole seconds, with
/// Foundation's Swift formatter (not the runtime's shared `ISO8601DateFormatter` behind one
/// lock, the dearest part of answering a list such as who is in tonight); it reads them the one
/// strict way, `DateTimeText` (real dates and times, plausible years). `StrictInputMiddleware`
/// has already read each date-time field by name; this is the backstop.
struct APIDateTranscoder: DateTranscoder {
    private let style = Date.ISO8601FormatStyle()

    func encode(_ date: Date) throws -> String {
        style.format(date)
    }

    func decode(_ text: String) throws -> Date {
        try DateTimeText.read(text, field: "date-time")
    }
}

extension OpenAPIRuntime.Configuration {
    /// The service's answers: dates as above, JSON without the runtime's pretty-printing (no
    /// client needs the whitespace), keys sorted so the same answer is always the same bytes.
    static let service = Configuration(dateTranscoder: APIDateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
}
