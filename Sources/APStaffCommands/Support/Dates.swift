import APClient
import Foundation

/// Dates and times as staff type and read them, in one time zone (the premises').
struct LocalTime: Sendable {
    /// The zone dates and times are read and shown in.
    let timeZone: TimeZone

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// A date as staff type it: YYYY-MM-DD, or +N for N days from today.
    func date(_ text: String, option: String) throws -> String {
        if text.hasPrefix("+"), let days = Int(text.dropFirst()), (0...36_500).contains(days) {
            return day(daysFromToday: days)
        }
        guard text.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"#, options: .regularExpression) != nil else {
            throw CLIError("\(option) takes a date, YYYY-MM-DD, or +N for N days from today")
        }
        return text
    }

    /// The date N days from today (before it, for a negative N), as YYYY-MM-DD.
    func day(daysFromToday days: Int, now: Date = Date()) -> String {
        dayText(calendar.date(byAdding: .day, value: days, to: now)!)
    }

    /// A date's calendar day here, as YYYY-MM-DD.
    func dayText(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// The first day of this month, moved by some months, as YYYY-MM-DD.
    func firstOfMonth(monthsFromNow months: Int, now: Date = Date()) -> String {
        let month = calendar.date(from: calendar.dateComponents([.year, .month], from: now))!
        return dayText(calendar.date(byAdding: .month, value: months, to: month)!)
    }

    /// The moment a day (YYYY-MM-DD) begins here.
    func startOfDay(_ text: String, option: String) throws -> Date {
        let parts = try date(text, option: option).split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, let start = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2])),
            dayText(start) == String(format: "%04d-%02d-%02d", parts[0], parts[1], parts[2])
        else {
            throw CLIError("\(option) must be a real date, YYYY-MM-DD")
        }
        return start
    }

    /// A time as night staff give it: HH:MM today, or ISO 8601.
    func time(_ text: String, option: String = "--at") throws -> Date {
        if let date = Self.instant(text) { return date }
        guard let clock = Self.clock(text) else {
            throw CLIError("give the time as HH:MM or ISO 8601 (a real date and time), not \(Excerpt.quoted(text))")
        }
        return calendar.date(bySettingHour: clock.hour, minute: clock.minute, second: 0, of: Date())!
    }

    /// The next time the clock shows HH:MM (today, or tomorrow when it has passed).
    func nextTime(_ text: String, option: String) throws -> Date {
        guard let clock = Self.clock(text) else { throw CLIError("\(option) must be HH:MM") }
        let date = calendar.date(bySettingHour: clock.hour, minute: clock.minute, second: 0, of: Date())!
        return date < Date() ? calendar.date(byAdding: .day, value: 1, to: date)! : date
    }

    /// A time of day here, 24-hour, as night staff read it.
    func clock(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour!, parts.minute!)
    }

    /// A date here as people read it ("1 Dec 2026").
    func dayName(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .omitted)
        style.timeZone = timeZone
        return date.formatted(style)
    }

    /// An ISO 8601 instant written as a real one: `2026-02-30T10:00:00Z` is refused (nil), not
    /// rolled over into March as the system's reader would have it.
    static func instant(_ text: String) -> Date? {
        let pattern = /([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(Z|z|[+-][0-9]{2}:?[0-9]{2})/
        guard let date = try? Date(text, strategy: .iso8601), let match = text.wholeMatch(of: pattern) else { return nil }
        let zone = String(match.output.7)
        var offset = 0
        if zone.uppercased() != "Z" {
            let digits = zone.dropFirst().filter { $0 != ":" }
            guard let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (zone.hasPrefix("-") ? -1 : 1)
        }
        guard let fixed = TimeZone(secondsFromGMT: offset) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = fixed
        let read = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let written = [match.output.1, match.output.2, match.output.3, match.output.4, match.output.5, match.output.6 ?? "00"].map {
            Int($0)
        }
        return [read.year, read.month, read.day, read.hour, read.minute, read.second] == written ? date : nil
    }

    /// HH:MM read as hour and minute.
    static func clock(_ text: String) -> (hour: Int, minute: Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return (hour, minute)
    }
}

extension PremisesContext {
    /// Dates and times in the premises' zone.
    var local: LocalTime { LocalTime(timeZone: timeZone) }
}
