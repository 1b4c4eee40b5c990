import Foundation

/// The one strict reading of a date and time given to the service: RFC 3339
/// (`2026-12-01T21:40:00Z`, or with an offset such as `+01:00`, fractions of a second allowed),
/// a real calendar date and clock time (no 30 February rolled over into March), in the years
/// the service records.
public enum DateTimeText {
    /// The years a recorded moment may fall in.
    public static let years = 2000...2100

    /// The instant `text` names; a 400 naming `field` and the rule it breaks otherwise.
    public static func read(_ text: String, field: String) throws -> Date {
        guard
            let match = text.wholeMatch(
                of: /([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?([Zz]|([+-])([0-9]{2}):([0-9]{2}))/)
        else {
            throw DomainError.invalid(
                field: field, rule: "dateTime",
                "\(field) must be a date and time written RFC 3339, such as 2026-12-01T21:40:00Z")
        }
        let (year, month, day) = (Int(match.output.1)!, Int(match.output.2)!, Int(match.output.3)!)
        let (hour, minute, second) = (Int(match.output.4)!, Int(match.output.5)!, Int(match.output.6)!)
        guard CalendarDate(year: year, month: month, day: day) != nil, hour < 24, minute < 60, second < 60 else {
            throw DomainError.invalid(field: field, rule: "dateTime", "\(field) is not a real date and time: there is no \(text)")
        }
        guard years.contains(year) else {
            throw DomainError.invalid(
                field: field, rule: "years", "\(field) must fall in the years \(years.lowerBound) to \(years.upperBound)")
        }
        var offset = 0
        if let sign = match.output.9, let hours = match.output.10.flatMap({ Int($0) }), let minutes = match.output.11.flatMap({ Int($0) }) {
            guard hours < 24, minutes < 60 else {
                throw DomainError.invalid(field: field, rule: "dateTime", "\(field) has an offset from UTC that does not exist")
            }
            offset = (hours * 60 + minutes) * 60 * (sign == "-" ? -1 : 1)
        }
        let days = CalendarDate(year: year, month: month, day: day)!.daysSinceEpoch
        let fraction = match.output.7.flatMap { Double("0" + $0) } ?? 0
        let seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second - offset) + fraction
        return Date(timeIntervalSince1970: seconds)
    }
}

extension DateTimeText {
    /// The months' names, as a person reads them (in a message here, on a page in the web view).
    public static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
        "November", "December",
    ]

    /// A moment as a message says it, on the 24-hour clock in a premises' time zone: "23:30 on 3 December 2026".
    public static func spoken(_ date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour!, parts.minute!) + " on \(parts.day!) \(months[parts.month! - 1]) \(parts.year!)"
    }
}
