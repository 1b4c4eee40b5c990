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
    /// Reads PostgreSQL's text for the value. PostgreSQL prints a uuid as 36 characters, lower-case hex in groups of 8-4-4-4-12; read
    /// byte by byte (Foundation's parser scans each pair of digits with sscanf, and matching
    /// reads thousands of ids a request).
    public init(postgresText: String) throws {
        var bytes = [UInt8](repeating: 0, count: 16)
        var count = 0
        var high: UInt8? = nil
        var position = 0
        for character in postgresText.utf8 {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard character == UInt8(ascii: "-") else { throw PostgresDecodingError(type: "UUID") }
                continue
            }
            guard position < 36, let nibble = hexValue(character) else { throw PostgresDecodingError(type: "UUID") }
            if let first = high {
                bytes[count] = first << 4 | nibble
                count += 1
                high = nil
            } else {
                high = nibble
            }
        }
        guard position == 36, count == 16 else { throw PostgresDecodingError(type: "UUID") }
        self = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
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
        // Digits by hand: String(format:) was a tenth of a sign-out's time in the service.
        var text = [UInt8]()
        text.reserveCapacity(30)
        func digits(_ value: Int, _ width: Int, then separator: UInt8?) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
            if let separator { text.append(separator) }
        }
        digits(Int(parts.tm_year) + 1900, 4, then: UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2, then: UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2, then: UInt8(ascii: " "))
        digits(Int(parts.tm_hour), 2, then: UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2, then: UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2, then: UInt8(ascii: "."))
        digits(Int(fraction), 6, then: nil)
        return String(decoding: text, as: UTF8.self) + "+00"
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
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil),
        // rather than a Calendar made for every value read.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

extension Data: PostgresCodable {
    /// `bytea` in hex format.
    public var postgresText: String {
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + count * 2)
        for byte in self {
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
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
        "{"
            + map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}
