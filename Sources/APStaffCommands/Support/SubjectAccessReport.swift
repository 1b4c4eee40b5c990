import APClient
import Foundation

/// A subject access export as a person reads it: indented JSON, or a printable HTML page with
/// one table for each record.
enum SubjectAccessReport {
    /// The export as indented JSON, keys in order.
    static func json(_ content: Components.Schemas.SubjectAccessContent) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(content), as: UTF8.self)
    }

    /// The export as one HTML page: the person, the range, then each section with its records.
    static func html(_ content: Components.Schemas.SubjectAccessContent, now: Date = Date()) throws -> String {
        let title = "Subject access export: \(content.crn)"
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>
            body { font-family: Arial, sans-serif; margin: 2em; color: #0b0c0c; }
            table { border-collapse: collapse; margin: 0 0 1.5em; width: 100%; page-break-inside: avoid; }
            th, td { border: 1px solid #b1b4b6; padding: 4px 8px; text-align: left; vertical-align: top; }
            th { width: 25%; background: #f3f2f1; font-weight: normal; }
            h2 { margin-top: 2em; border-bottom: 2px solid #0b0c0c; }
            </style></head><body>
            <h1>\(escape(title))</h1>
            <p>Names: \(escape(content.names.joined(separator: ", ")))</p>
            <p>Records from \(escape(content.fromDate ?? "the first")) to \(escape(content.toDate ?? "the last")), \
            exported \(escape(Terminal.time(now))).</p>
            <p>Other residents named in a record are shown as "another resident"; staff by name and role.</p>

            """
        for section in content.sections {
            page += "<h2>\(escape(section.title)) (\(section.records.count))</h2>\n"
            if section.records.isEmpty { page += "<p>None.</p>\n" }
            for record in section.records {
                let fields = try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any] ?? [:]
                page += "<table>\n"
                for key in fields.keys.sorted() {
                    page += "<tr><th scope=\"row\">\(escape(key))</th><td>\(escape(text(fields[key])))</td></tr>\n"
                }
                page += "</table>\n"
            }
        }
        return page + "</body></html>\n"
    }

    /// A value as text: nothing for null, lists joined, nested objects as JSON.
    private static func text(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: ""
        case let text as String: text
        case let list as [Any]: list.map { text($0) }.joined(separator: "; ")
        case let number as NSNumber: number.stringValue
        case let object?:
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
                ?? "\(object)"
        }
    }

    /// Text safe inside HTML.
    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
