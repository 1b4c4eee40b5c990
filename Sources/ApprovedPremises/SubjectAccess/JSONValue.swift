import Foundation

/// A JSON value as the database gives it (`to_jsonb` of a row): what an export holds without a
/// Swift type for each of its tables.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value of a JSON text.
    public init(json text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // A whole number is written as one (42, not 42.0), as the database wrote it.
            if value.rounded() == value, abs(value) < 9e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The same value with every string `replace` gives a replacement for replaced, at any depth.
    public func replacingStrings(_ replace: (String) -> String?) -> JSONValue {
        switch self {
        case .string(let value): .string(replace(value) ?? value)
        case .array(let values): .array(values.map { $0.replacingStrings(replace) })
        case .object(let fields): .object(fields.mapValues { $0.replacingStrings(replace) })
        default: self
        }
    }

    /// Every string in the value, at any depth.
    public var strings: [String] {
        switch self {
        case .string(let value): [value]
        case .array(let values): values.flatMap(\.strings)
        case .object(let fields): fields.values.flatMap(\.strings)
        default: []
        }
    }

    /// A field of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { fields[key] } else { nil }
    }

    /// The text of a string value.
    public var text: String? {
        if case .string(let value) = self { value } else { nil }
    }
}
