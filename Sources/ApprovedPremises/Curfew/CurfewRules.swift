import Foundation

/// A local wall-clock time, `HH:MM`.
public struct WallClock: Sendable, Hashable, Codable, CustomStringConvertible {
    public var hour: Int
    public var minute: Int

    /// A time read from HH:MM; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard text.count == 5, parts.count == 2, parts[0].count == 2, parts[1].count == 2,
            text.allSatisfy({ $0 == ":" || ("0"..."9").contains($0) }),
            let hour = Int(parts[0]), let minute = Int(parts[1]),
            (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        self.hour = hour
        self.minute = minute
    }

    /// A value with each field given.
    public init(hour: Int, minute: Int) {
        self.hour = hour
        self.minute = minute
    }

    var minutesOfDay: Int { hour * 60 + minute }

    public var description: String { String(format: "%02d:%02d", hour, minute) }
}

/// Curfew hours: a start and an end, read in the premises' time zone; an end at or before
/// the start falls on the next day (23:00-07:00).
public struct CurfewHours: Sendable, Hashable, Codable {
    public var start: WallClock
    public var end: WallClock

    /// A value with each field given.
    public init(start: WallClock, end: WallClock) {
        self.start = start
        self.end = end
    }
}

/// A time when a resident must be in, as instants.
public struct CurfewWindow: Sendable, Hashable, Codable {
    /// Where the window comes from.
    public enum Source: String, Sendable, Codable {
        case premises, licence, variation
    }

    public var start: Date
    public var end: Date
    public var sources: [Source]

    /// Minutes the window lasts (shorter or longer on the nights the clocks change).
    public var minutes: Int { Int(end.timeIntervalSince(start) / 60) }
}

/// Which curfew applies on a night. Pure: no database, no clock.
public enum CurfewRules {
    /// The instant a wall-clock time falls on a date in a time zone. A time the clocks skip
    /// (01:30 on the last Sunday of March in London) is read on the clock before the change,
    /// so it is 02:30 summer time, an hour on; a time that happens twice (01:30 on the last
    /// Sunday of October) is its first.
    public static func instant(_ date: CalendarDate, _ time: WallClock, in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let (year, month, day) = date.parts
        let midnight = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 0, minute: 0))!
        // Walk from local midnight in wall-clock minutes, so skipped and repeated hours resolve as documented.
        var candidate = midnight.addingTimeInterval(Double(time.minutesOfDay) * 60)
        let offsetAtMidnight = timeZone.secondsFromGMT(for: midnight)
        let offsetThen = timeZone.secondsFromGMT(for: candidate)
        candidate = candidate.addingTimeInterval(Double(offsetAtMidnight - offsetThen))
        let local = calendar.dateComponents([.hour, .minute], from: candidate)
        if local.hour != time.hour || local.minute != time.minute {
            // The time does not exist that day: the clocks jumped over it.
            return midnight.addingTimeInterval(Double(time.minutesOfDay) * 60)
        }
        return candidate
    }

    /// The window of `hours` for the night starting on `night`.
    public static func window(_ hours: CurfewHours, night: CalendarDate, in timeZone: TimeZone, source: CurfewWindow.Source) -> CurfewWindow
    {
        let start = instant(night, hours.start, in: timeZone)
        let endDay = hours.end.minutesOfDay <= hours.start.minutesOfDay ? night.adding(days: 1) : night
        let end = instant(endDay, hours.end, in: timeZone)
        return CurfewWindow(start: start, end: end, sources: [source])
    }

    /// The windows a resident must be in for on `night`: the premises' curfew and the licence
    /// curfew, overlapping ones merged; or, on a night a variation covers, the variation's
    /// hours alone (nil hours: no curfew that night).
    public static func effectiveWindows(
        night: CalendarDate, in timeZone: TimeZone, premises: CurfewHours, licence: CurfewHours?,
        variation: (covers: Bool, hours: CurfewHours?) = (false, nil)
    ) -> [CurfewWindow] {
        if variation.covers {
            return variation.hours.map { [window($0, night: night, in: timeZone, source: .variation)] } ?? []
        }
        var windows = [window(premises, night: night, in: timeZone, source: .premises)]
        if let licence {
            windows.append(window(licence, night: night, in: timeZone, source: .licence))
        }
        windows.sort { $0.start < $1.start }
        var merged = [CurfewWindow]()
        for window in windows {
            if var last = merged.last, window.start <= last.end {
                last.end = max(last.end, window.end)
                last.sources = Array(Set(last.sources + window.sources)).sorted { $0.rawValue < $1.rawValue }
                merged[merged.count - 1] = last
            } else {
                merged.append(window)
            }
        }
        return merged
    }
}
