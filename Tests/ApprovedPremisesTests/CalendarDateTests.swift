import Testing

@testable import ApprovedPremises

@Suite("Calendar dates: read and written as YYYY-MM-DD")
struct CalendarDateTests {
    @Test("every day from 1900 to 2200 is written as YYYY-MM-DD and read back as the same day")
    func roundTrip() throws {
        let first = try #require(CalendarDate("1900-01-01"))
        let last = try #require(CalendarDate("2200-12-31"))
        var previous: (year: Int, month: Int, day: Int)? = nil
        for days in first.daysSinceEpoch...last.daysSinceEpoch {
            let date = CalendarDate(daysSinceEpoch: days)
            let text = date.description
            #expect(CalendarDate(text) == date, "\(text)")
            let parts = date.parts
            #expect(text == "\(parts.year)-\(parts.month < 10 ? "0" : "")\(parts.month)-\(parts.day < 10 ? "0" : "")\(parts.day)")
            if let previous { #expect(parts.day == previous.day + 1 || parts.day == 1, "\(text) follows \(previous)") }
            previous = parts
        }
        #expect(CalendarDate("2024-02-29")?.description == "2024-02-29")
        #expect(CalendarDate("0001-01-01")?.description == "0001-01-01")
        #expect(CalendarDate("9999-12-31")?.description == "9999-12-31")
        // Dates no one can type (an open end far off) are still written, never a crash.
        for far in [CalendarDate(daysSinceEpoch: Int(Int32.max)), CalendarDate(daysSinceEpoch: -800_000)] {
            let parts = far.parts
            #expect(far.description == String(format: "%04d-%02d-%02d", parts.year, parts.month, parts.day))
        }
    }

    @Test(
        "anything but a real date written YYYY-MM-DD is refused",
        arguments: [
            "2026-02-30", "2023-02-29", "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01", "2026-2-03", "2026-02-3",
            "2026-02-031", "+026-02-03", "２０２６-02-03", "2026/02/03", "2026-02-03 ", " 2026-02-03", "", "20260203", "2026-02-03T00:00",
        ])
    func refused(_ text: String) {
        #expect(CalendarDate(text) == nil)
    }
}
