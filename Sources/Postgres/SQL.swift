/// A SQL statement whose interpolated values are sent as bound parameters (`$1`, `$2`, ...),
/// never spliced into the text.
///
/// ```swift
/// let sql: SQL = "SELECT id FROM staff WHERE username = \(username)"
/// // text: "SELECT id FROM staff WHERE username = $1", binds: [username]
/// ```
/// Raw text can only be added with the explicit `unsafeSQL:` label, so it stands out in review.
public struct SQL: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The statement text with `$n` placeholders.
    public private(set) var text: String
    /// The bound values in placeholder order, in PostgreSQL's text format (`nil` is NULL).
    public private(set) var binds: [String?]

    /// A statement from trusted text with no parameters (identifiers, fixed SQL).
    public init(unsafeSQL text: String) {
        self.text = text
        self.binds = []
    }

    /// SQL text with no parameters.
    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    /// SQL text with its interpolated values as parameters.
    public init(stringInterpolation: StringInterpolation) {
        self.text = stringInterpolation.text
        self.binds = stringInterpolation.binds
    }

    /// Appends another fragment, renumbering its placeholders.
    public mutating func append(_ other: SQL) {
        var interpolation = StringInterpolation(literalCapacity: 0, interpolationCount: 0)
        interpolation.text = text
        interpolation.binds = binds
        interpolation.appendInterpolation(other)
        text = interpolation.text
        binds = interpolation.binds
    }

    /// The text only: never the bound values, which may hold personal data.
    public var description: String { text }

    /// Builds the text and binds of an interpolated statement.
    public struct StringInterpolation: StringInterpolationProtocol, Sendable {
        var text = ""
        var binds: [String?] = []

        /// Starts an interpolation.
        public init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        /// Appends SQL text as written.
        public mutating func appendLiteral(_ literal: String) {
            text += literal
        }

        /// Binds a value as the next parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresText)
            text += "$\(binds.count)"
        }

        /// Binds an optional value; `nil` is NULL.
        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            binds.append(value?.postgresText)
            text += "$\(binds.count)"
        }

        /// Splices trusted text (identifiers, fixed SQL): never user input.
        public mutating func appendInterpolation(unsafeSQL text: String) {
            self.text += text
        }

        /// Embeds another statement, renumbering its placeholders.
        public mutating func appendInterpolation(_ fragment: SQL) {
            let offset = binds.count
            if offset == 0 || fragment.binds.isEmpty {
                text += fragment.text
            } else {
                text += SQL.renumber(fragment.text, by: offset)
            }
            binds += fragment.binds
        }
    }

    /// Shifts every `$n` placeholder of `text` by `offset`, leaving quoted text alone.
    static func renumber(_ text: String, by offset: Int) -> String {
        var result = ""
        var index = text.startIndex
        var quote: Character? = nil
        while index < text.endIndex {
            let character = text[index]
            if let open = quote {
                result.append(character)
                if character == open { quote = nil }
                index = text.index(after: index)
            } else if character == "'" || character == "\"" {
                quote = character
                result.append(character)
                index = text.index(after: index)
            } else if character == "$" {
                var end = text.index(after: index)
                while end < text.endIndex, text[end].isASCII, text[end].isNumber { end = text.index(after: end) }
                if end > text.index(after: index), let number = Int(text[text.index(after: index)..<end]) {
                    result += "$\(number + offset)"
                } else {
                    result += text[index..<end]
                }
                index = end
            } else {
                result.append(character)
                index = text.index(after: index)
            }
        }
        return result
    }
}
