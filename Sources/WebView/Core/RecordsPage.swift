import ApprovedPremises
import Foundation

/// A page of records as the `records` template lays it out: a heading, the actions the caller
/// may take (links to their forms), an optional filter (a form sent with GET), summaries, and
/// tables whose cells may link to a record.
struct RecordsPage: Sendable {
    struct Cell: Sendable, ExpressibleByStringLiteral {
        let text: String
        let href: String
        /// Words for a screen reader after the link's text ("for Dan Evans").
        let hidden: String
        // Stored flags: a template asking for a missing value looks it up in enclosing views.
        let hasHref: Bool
        let hasHidden: Bool

        init(_ text: String, href: String? = nil, hidden: String? = nil) {
            self.text = text
            self.href = href ?? ""
            self.hidden = hidden ?? ""
            hasHref = href != nil
            hasHidden = hidden != nil
        }
        init(stringLiteral value: String) { self.init(value) }
    }

    struct Row: Sendable { let cells: [Cell] }

    struct Table: Sendable {
        let caption: String
        let headers: [String]
        let rows: [Row]
        let none: String
        var id = ""
    }

    let caption: String
    let heading: String
    var intro: [String] = []
    var actions: [PlacementPages.Link] = []
    var filter: [FormModel.Field] = [] {
        didSet { hasFilter = !filter.isEmpty }
    }
    var filterAction = ""
    private(set) var hasFilter = false
    var summaries: [PlacementPages.SummaryList] = []
    var tables: [Table] = [] {
        didSet {
            for index in tables.indices { tables[index].id = "\(index + 1)" }
        }
    }
    var printable = false
    var preformatted = "" {
        didSet { hasPreformatted = !preformatted.isEmpty }
    }
    private(set) var hasPreformatted = false

    init(caption: String, heading: String) {
        self.caption = caption
        self.heading = heading
    }

    /// An action link.
    mutating func action(_ href: String, _ text: String) { actions.append(.init(href: href, text: text, current: false)) }
}
