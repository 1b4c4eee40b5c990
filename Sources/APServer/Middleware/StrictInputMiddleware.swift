import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import OpenAPIRuntime

/// Reads every request's text the one strict way before any handler sees it: a date-time must
/// be a real instant written RFC 3339 in the years the service records (no 30 February rolled
/// over into March, no year 1 or 9999 that PostgreSQL cannot or should not hold), and no text
/// may carry a NUL character, and no field is null (none is declared nullable); a field the document gives an enum holds one of its values (all
/// such fields named at once). Each refusal is a 400 naming the field and the rule.
///
/// The date-time fields are the ones the API document declares `format: date-time`; dates
/// (`YYYY-MM-DD`) are read by the handlers, field by field, with `CalendarDate.parse`.
struct StrictInputMiddleware: ServerMiddleware {
    /// The names of the document's date-time properties and parameters.
    let dateTimeFields: Set<String>
    /// The operations whose document requires `If-Match`: without it, 428 (not a 400 for a
    /// missing header), so that the caller learns to read the record first.
    let ifMatchRequired: Set<String>
    /// The values each operation's enum fields take: every one a body gets wrong is named at once.
    let enums: DocumentEnums
    /// The largest body read: 1 MiB, but for a witness's checkpoints (a year of them).
    func maxBodySize(_ operationID: String) -> Int {
        operationID == "verifyWithWitness" ? 64 << 20 : 1 << 20
    }

    init(document: Data) {
        let text = String(decoding: document, as: UTF8.self)
        var names = Set(text.matches(of: /([A-Za-z]+): \{ type: string, format: date-time/).map { String($0.output.1) })
        names.formUnion(text.matches(of: /name: ([A-Za-z]+), in: query[^\n]*format: date-time/).map { String($0.output.1) })
        // A name that is a date-time in one schema and other text in another (`curfewStart` is
        // an instant tonight but a wall-clock time in a premises' house rules) is left to its
        // handler: the generated decoder still reads a date-time field strictly (the transcoder).
        let otherText = text.matches(
            of: /([A-Za-z]+): \{ type: string(?:, (?:format: (?!date-time)|description|enum|default|pattern|minLength|maxLength)[^}]*)? \}/)
        names.subtract(otherText.map { String($0.output.1) })
        dateTimeFields = names
        var required = Set<String>()
        var operation: String?
        // Plain string tests, not regular expressions: this runs for every router built.
        let methods: Set<Substring> = ["    get:", "    post:", "    patch:", "    put:", "    delete:"]
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("operationId: ") { operation = String(trimmed.dropFirst("operationId: ".count)) }
            if methods.contains(line) { operation = nil }
            if let operation, line.contains("parameters/IfMatchRequired\"") { required.insert(operation) }
        }
        ifMatchRequired = required
        enums = DocumentEnums(document: document)
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if ifMatchRequired.contains(operationID), (request.headerFields[.ifMatch] ?? "").isEmpty {
            throw DomainError(.preconditionRequired, "send If-Match with the ETag you read, so that nobody else's change is overwritten")
        }
        if let query = request.path?.split(separator: "?", maxSplits: 1).dropFirst().first {
            try checkQuery(String(query))
        }
        guard let body else { return try await next(request, nil, metadata) }
        let bytes: [UInt8]
        do {
            bytes = try await [UInt8](collecting: body, upTo: maxBodySize(operationID))
        } catch {
            throw HTTPError(.contentTooLarge)
        }
        let isJSON = request.headerFields[.contentType]?.lowercased().contains("json") ?? false
        if isJSON, let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) {
            try check(value, path: "")
            let problems = enums.problems(in: value, operationID: operationID)
            if !problems.isEmpty { throw DomainError.invalid(problems) }
        } else if bytes.contains(0) {
            throw DomainError.invalid(field: "body", rule: "noNul", "the body must not contain NUL characters")
        }
        return try await next(request, HTTPBody(bytes), metadata)
    }

    /// Checks every string of a JSON value, naming each by its path (`observations[2].note`).
    func check(_ value: Any, path: String) throws {
        switch value {
        case let text as String:
            let key = path.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? path
            try Self.checkText(text, field: path.isEmpty ? "body" : path, isDateTime: dateTimeFields.contains(key))
        case let object as [String: Any]:
            for (key, item) in object {
                try check(item, path: path.isEmpty ? key : "\(path).\(key)")
            }
        case let array as [Any]:
            for (index, item) in array.enumerated() {
                try check(item, path: "\(path.isEmpty ? "body" : path)[\(index)]")
            }
        case is NSNull:
            // The document declares no field nullable: a field with nothing to say is left out.
            let field = path.isEmpty ? "body" : path
            throw DomainError.invalid(field: field, rule: "type", "\(field) must not be null: leave it out instead")
        default:
            break
        }
    }

    func checkQuery(_ query: String) throws {
        for pair in query.split(separator: "&") {
            // "=x" and "=" are pairs too: an empty name, kept as one.
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ")
            }
            let name = parts[0].removingPercentEncoding ?? parts[0]
            let value = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            try Self.checkText(value, field: name, isDateTime: dateTimeFields.contains(name))
        }
    }

    /// A text's own rules: never a NUL; a date-time as `DateTimeText` reads it.
    static func checkText(_ text: String, field: String, isDateTime: Bool) throws {
        if text.unicodeScalars.contains("\u{0}") {
            throw DomainError.invalid(field: field, rule: "noNul", "\(field) must not contain NUL characters")
        }
        if isDateTime { _ = try DateTimeText.read(text, field: field) }
    }
}
