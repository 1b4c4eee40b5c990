import Foundation

/// Which page of a list to return: at most `limit` items after `cursor`.
public struct PageRequest: Sendable, Equatable {
    /// The most items on one page.
    public static let maximumLimit = 200
    /// Items per page when the caller does not say.
    public static let defaultLimit = 50

    /// How many items at most.
    public var limit: Int
    /// The opaque cursor of the previous page's `nextCursor`; nil for the first page.
    public var cursor: String?

    /// Validates `limit` (1...200) and keeps the cursor as given.
    public init(limit: Int? = nil, cursor: String? = nil) throws {
        let limit = limit ?? Self.defaultLimit
        guard (1...Self.maximumLimit).contains(limit) else {
            throw DomainError.invalid(field: "limit", rule: "range", "limit must be between 1 and \(Self.maximumLimit)")
        }
        self.limit = limit
        self.cursor = cursor.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The page that starts `offset` items in, for a list whose cursor is a position (the
    /// referral queue), so a page can link to any page of it.
    public init(limit: Int, offset: Int) throws {
        try self.init(limit: limit, cursor: offset > 0 ? String(cursor: offset) : nil)
    }
}

/// One page of a list, with the cursor of the next page when there is one.
public struct Page<Item: Sendable>: Sendable {
    /// The items of this page.
    public var items: [Item]
    /// Pass as `cursor` to get the next page; nil on the last page.
    public var nextCursor: String?

    /// A value with each field given.
    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// A page from `limit + 1` fetched items: the extra one only says there is more.
    public init(items fetched: [Item], limit: Int, cursor: (Item) -> String) {
        if fetched.count > limit {
            let items = Array(fetched.prefix(limit))
            self.init(items: items, nextCursor: items.last.map(cursor))
        } else {
            self.init(items: fetched, nextCursor: nil)
        }
    }
}

extension String {
    /// An opaque cursor for a key.
    init(cursor key: some CustomStringConvertible) {
        self = Data(key.description.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The key inside an opaque cursor.
    func cursorKey() throws -> String {
        var text = replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let key = String(data: data, encoding: .utf8) else {
            throw DomainError.invalid(field: "cursor", rule: "cursor", "cursor is not one this service gave out")
        }
        return key
    }
}

extension Int64 {
    init(cursor: String) throws {
        guard let value = Int64(try cursor.cursorKey()) else {
            throw DomainError.invalid(field: "cursor", rule: "cursor", "cursor is not one this service gave out")
        }
        self = value
    }
}
