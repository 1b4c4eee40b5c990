/// Markup written in Swift rather than a template, for the few places where a template would be
/// walked thousands of times a page (the bed board's cells). Everything from outside is escaped.
enum HTML {
    /// The text escaped for an element's content or a quoted attribute value.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A table's body rows, each cell its text or a link with words for a screen reader after
    /// it: a page of a hundred rows rendered cell by cell through a template took several times
    /// the API calls it shows.
    static func rows(_ rows: [[RecordsPage.Cell]]) -> String {
        var html = ""
        html.reserveCapacity(rows.count * 200)
        for row in rows {
            html += "<tr>"
            for cell in row {
                html += "<td>"
                if cell.hasHref {
                    html += "<a href=\"\(escape(cell.href))\" class=\"link\">\(escape(cell.text))"
                    if cell.hasHidden { html += "<span class=\"visually-hidden\"> \(escape(cell.hidden))</span>" }
                    html += "</a>"
                } else {
                    html += escape(cell.text)
                }
                html += "</td>"
            }
            html += "</tr>"
        }
        return html
    }
}
