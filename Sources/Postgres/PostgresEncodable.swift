import Foundation

/// A Swift value that can be sent as a bound parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The value as PostgreSQL reads it in text format.
    var postgresText: String { get }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Reads the value from PostgreSQL's text format; throws when the text is not one.
    init(postgresText: String) throws
}

/// A value that goes both ways.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// A column's text could not be read as the Swift type asked for.
public struct PostgresDecodingError: Error, CustomStringConvertible {
    /// The Swift type asked for.
    public var type: String
    /// The column, when known.
    public var column: String?

    /// A value with each field given.
    public init(type: String, column: String? = nil) {
        self.type = type
        self.column = column
    }

    public var description: String {
        "cannot read column \(column ?? "?") as \(type)"
    }
}

extension String: PostgresCodable {
    public var postgresText: String { self }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText: String) { self = postgresText }
}

extension Int: PostgresCodable {
    public var postgresText: String { String(self) }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText: String) throws {
        guard let value = Int(postgresText) else { throw PostgresDecodingError(type: "Int") }
        self = value
    }
}

extension Int32: PostgresCodable {
    public var postgresText: String { String(self) }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText: String) throws {
        guard let value = Int32(postgresText) else { throw PostgresDecodingError(type: "Int32") }
        self = value
    }
}

extension Int64: PostgresCodable {
    public var postgresText: String { String(self) }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText: String) throws {
        guard let value = Int64(postgresText) else { throw PostgresDecodingError(type: "Int64") }
        self = value
    }
}

extension Double: PostgresCodable {
    public var postgresText: String { String(self) }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText: String) throws {
        guard let value = Double(postgresText) else { throw PostgresDecodingError(type: "Double") }
        self = value
    }
}

extension Bool: PostgresCodable {
    public var postgresText: String { self ? "t" : "f" }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText: String) throws {
        switch postgresText {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw PostgresDecodingError(type: "Bool")
        }
    }
}

extension UUID: PostgresCodable {
    public var postgresText: String { uuidString.lowercased() }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText: String) throws {
        guard let value = UUID(uuidString: postgresText) else { throw PostgresDecodingError(type: "UUID") }
        self = value
    }
}

extension Date: PostgresCodable {
    /// ISO 8601 with microseconds, in UTC: what `timestamptz` reads without loss.
    public var postgresText: String {
        let microseconds = Int64((timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = time_t(microseconds / 1_000_000)
        var fraction = microseconds % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00",
            Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
            Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(fraction))
    }

    /// Reads `timestamptz` as the server prints it with `DateStyle = ISO` and `TimeZone = UTC`,
    /// for example `2026-11-23 13:01:46.123456+00`.
    public init(postgresText text: String) throws {
        guard let value = PostgresTimestamp.parse(text) else { throw PostgresDecodingError(type: "Date") }
        self = value
    }
}

/// Parses PostgreSQL's ISO timestamps.
enum PostgresTimestamp {
    static func parse(_ text: String) -> Date? {
        // yyyy-mm-dd hh:mm:ss[.ffffff](+|-)hh[:mm]
        let scalars = Array(text.utf8)
        guard scalars.count >= 22 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? {
            guard from + length <= scalars.count else { return nil }
            var value = 0
            for index in from..<(from + length) {
                let digit = Int(scalars[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < scalars.count, scalars[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            while index < scalars.count, (48...57).contains(scalars[index]) {
                fraction += Double(Int(scalars[index]) - 48) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < scalars.count else { return nil }
        let sign: Int = scalars[index] == UInt8(ascii: "-") ? -1 : 1
        guard let offsetHours = number(index + 1, 2) else { return nil }
        var offsetMinutes = 0
        if index + 3 < scalars.count, scalars[index + 3] == UInt8(ascii: ":"), let minutes = number(index + 4, 2) {
            offsetMinutes = minutes
        }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(secondsFromGMT: 0)
        components.year = year; components.month = month; components.day = day
        components.hour = hour; components.minute = minute; components.second = second
        guard let whole = components.date else { return nil }
        let offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        return whole.addingTimeInterval(fraction - Double(offset))
    }
}

extension Data: PostgresCodable {
    /// `bytea` in hex format.
    public var postgresText: String {
        "\\x" + map { String(format: "%02x", $0) }.joined()
    }
    /// Reads PostgreSQL's text for the value.
    public init(postgresText text: String) throws {
        guard text.hasPrefix("\\x"), text.count % 2 == 0 else { throw PostgresDecodingError(type: "Data") }
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.count / 2 - 1)
        var iterator = text.utf8.dropFirst(2).makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            guard let h = hexValue(high), let l = hexValue(low) else { throw PostgresDecodingError(type: "Data") }
            bytes.append(h << 4 | l)
        }
        self = Data(bytes)
    }
}

private func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: c - 48
    case 97...102: c - 87
    case 65...70: c - 55
    default: nil
    }
}

extension Array: PostgresEncodable where Element == String {
    /// A `text[]` literal, each element quoted.
    public var postgresText: String {
        "{" + map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
