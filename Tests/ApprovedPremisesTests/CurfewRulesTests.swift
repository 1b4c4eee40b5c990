import ApprovedPremises
import Foundation
import Testing

@Suite("Curfew windows")
struct CurfewRulesTests {
    let london = TimeZone(identifier: "Europe/London")!
    let apCurfew = CurfewHours(start: WallClock("23:00")!, end: WallClock("07:00")!)

    func utc(_ text: String) -> Date {
        try! Date(text, strategy: .iso8601)
    }

    @Test("an ordinary winter night runs 23:00 to 07:00 GMT, eight hours")
    func ordinaryNight() {
        let windows = CurfewRules.effectiveWindows(night: CalendarDate("2027-01-14")!, in: london, premises: apCurfew, licence: nil)
        #expect(windows.count == 1)
        #expect(windows[0].start == utc("2027-01-14T23:00:00Z"))
        #expect(windows[0].end == utc("2027-01-15T07:00:00Z"))
        #expect(windows[0].minutes == 480)
    }

    @Test("a summer night is 23:00 to 07:00 BST, one hour earlier in UTC")
    func summerNight() {
        let window = CurfewRules.effectiveWindows(night: CalendarDate("2027-07-14")!, in: london, premises: apCurfew, licence: nil)[0]
        #expect(window.start == utc("2027-07-14T22:00:00Z"))
        #expect(window.end == utc("2027-07-15T06:00:00Z"))
    }

    @Test("the night the clocks go forward (last Sunday of March) is seven hours long")
    func springForward() {
        let window = CurfewRules.effectiveWindows(night: CalendarDate("2027-03-27")!, in: london, premises: apCurfew, licence: nil)[0]
        #expect(window.start == utc("2027-03-27T23:00:00Z"))
        #expect(window.end == utc("2027-03-28T06:00:00Z"))
        #expect(window.minutes == 420)
    }

    @Test("the night the clocks go back (last Sunday of October) is nine hours long")
    func fallBack() {
        let window = CurfewRules.effectiveWindows(night: CalendarDate("2027-10-30")!, in: london, premises: apCurfew, licence: nil)[0]
        #expect(window.start == utc("2027-10-30T22:00:00Z"))
        #expect(window.end == utc("2027-10-31T07:00:00Z"))
        #expect(window.minutes == 540)
    }

    @Test("a time the clocks skip is taken as the first instant after the gap")
    func skippedTime() {
        let instant = CurfewRules.instant(CalendarDate("2027-03-28")!, WallClock("01:30")!, in: london)
        #expect(instant == utc("2027-03-28T01:30:00Z"))
    }

    @Test("a licence curfew from 19:00 joins the AP's into one window from 19:00")
    func licenceCurfew() {
        let licence = CurfewHours(start: WallClock("19:00")!, end: WallClock("07:00")!)
        let windows = CurfewRules.effectiveWindows(night: CalendarDate("2027-01-14")!, in: london, premises: apCurfew, licence: licence)
        #expect(windows.count == 1)
        #expect(windows[0].start == utc("2027-01-14T19:00:00Z"))
        #expect(windows[0].end == utc("2027-01-15T07:00:00Z"))
        #expect(Set(windows[0].sources) == [.premises, .licence])
    }

    @Test("a licence curfew that does not touch the AP's stays a window of its own")
    func separateWindows() {
        let licence = CurfewHours(start: WallClock("13:00")!, end: WallClock("15:00")!)
        let windows = CurfewRules.effectiveWindows(night: CalendarDate("2027-01-14")!, in: london, premises: apCurfew, licence: licence)
        #expect(windows.map(\.minutes) == [120, 480])
    }

    @Test("a variation for night work replaces the hours on the nights it covers, and may lift them")
    func variation() {
        let nightWork = CurfewHours(start: WallClock("07:30")!, end: WallClock("15:00")!)
        let varied = CurfewRules.effectiveWindows(
            night: CalendarDate("2027-01-14")!, in: london, premises: apCurfew, licence: nil,
            variation: (true, nightWork))
        #expect(varied.count == 1 && varied[0].sources == [.variation])
        #expect(varied[0].start == utc("2027-01-14T07:30:00Z"))
        #expect(varied[0].end == utc("2027-01-14T15:00:00Z"))
        let lifted = CurfewRules.effectiveWindows(
            night: CalendarDate("2027-01-14")!, in: london, premises: apCurfew, licence: nil, variation: (true, nil))
        #expect(lifted.isEmpty)
    }
}
