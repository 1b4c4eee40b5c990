import Foundation
import Postgres

/// A calendar date with no time or zone: a night at an AP is named by the date it starts on,
/// in the premises' own time zone. Written `YYYY-MM-DD`, as PostgreSQL's `date`.
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, PostgresCodable {
    /// Days since 1970-01-01.
    public let daysSinceEpoch: Int

    /// The date a number of days after 1970-01-01.
    public init(daysSinceEpoch: Int) {
        self.daysSinceEpoch = daysSinceEpoch
    }

    /// The date from its parts; nil when there is no such date.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day), (1...9999).contains(year) else { return nil }
        // Days from civil (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        self.init(daysSinceEpoch: days)
        guard self.parts == (year, month, day) else { return nil }
    }

    /// Reads `YYYY-MM-DD`; nil for anything else.
    public init?(_ text: String) {
        // Byte by byte: matching reads thousands of dates a request, and splitting and Int()
        // took a fifth of its time.
        var parts = (year: 0, month: 0, day: 0)
        var position = 0
        for byte in text.utf8 {
            if position == 4 || position == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard position < 10, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let digit = Int(byte - UInt8(ascii: "0"))
                switch position {
                case ..<4: parts.year = parts.year * 10 + digit
                case ..<7: parts.month = parts.month * 10 + digit
                default: parts.day = parts.day * 10 + digit
                }
            }
            position += 1
        }
        guard position == 10 else { return nil }
        self.init(year: parts.year, month: parts.month, day: parts.day)
    }

    /// The date it is now at `timeZone`.
    public static func today(in timeZone: TimeZone, now: Date = Date()) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now)
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// The year, month and day.
    public var parts: (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Days from this date to `other` (positive when `other` is later).
    public func days(to other: CalendarDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    public var description: String {
        let (year, month, day) = parts
        // Outside the years a date is read in (an open end far off, say), as printf would write it.
        guard (0...9999).contains(year) else { return String(format: "%04d-%02d-%02d", year, month, day) }
        let digit = { (value: Int) in UInt8(ascii: "0") + UInt8(value % 10) }
        let bytes: [UInt8] = [
            digit(year / 1000), digit(year / 100), digit(year / 10), digit(year), UInt8(ascii: "-"),
            digit(month / 10), digit(month), UInt8(ascii: "-"), digit(day / 10), digit(day),
        ]
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Earlier dates order first.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    /// Decodes YYYY-MM-DD.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = CalendarDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date"))
        }
        self = date
    }

    /// Encodes as YYYY-MM-DD.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public var postgresText: String { description }

    /// Reads PostgreSQL's text for a date.
    public init(postgresText: String) throws {
        guard let date = CalendarDate(postgresText) else { throw PostgresDecodingError(type: "CalendarDate") }
        self = date
    }

    /// Parses a request field, naming it when the text is not a date.
    public static func parse(_ text: String, field: String) throws -> CalendarDate {
        guard let date = CalendarDate(text) else {
            if text.wholeMatch(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/) != nil {
                throw DomainError.invalid(field: field, rule: "date", "\(field) is not a real date: there is no \(text)")
            }
            throw DomainError.invalid(field: field, rule: "format", "\(field) must be a date written YYYY-MM-DD, such as 2026-11-23")
        }
        guard years.contains(date.parts.year) else {
            throw DomainError.invalid(
                field: field, rule: "years", "\(field) must fall in the years \(years.lowerBound) to \(years.upperBound)")
        }
        return date
    }

    /// The years a date given to the service may fall in (dates of birth included).
    public static let years = 1900...2100
}

/// Nights from `first` up to, not including, `end`: the shape of every stay.
public struct Nights: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The first night.
    public var first: CalendarDate
    /// The day after the last night (a departure date).
    public var end: CalendarDate

    /// The nights from `first` up to, not including, `end`.
    public init(first: CalendarDate, end: CalendarDate) {
        self.first = first
        self.end = end
    }

    /// How many nights.
    public var count: Int { max(0, first.days(to: end)) }

    /// Every night, in order.
    public var all: [CalendarDate] { (0..<count).map { first.adding(days: $0) } }

    /// Whether a night is one of these.
    public func contains(_ night: CalendarDate) -> Bool { night >= first && night < end }

    /// Whether the two ranges share a night.
    public func overlaps(_ other: Nights) -> Bool { first < other.end && other.first < end }

    /// PostgreSQL's `daterange` literal.
    public var rangeLiteral: String { "[\(first),\(end))" }

    public var description: String { "\(first) to \(end)" }
}
