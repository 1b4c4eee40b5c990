import ApprovedPremises
import Testing

@Suite("Capacity arithmetic")
struct CapacityTests {
    let first = CalendarDate("2026-12-01")!

    @Test("a night with every usable bed booked is full; the sentence folds runs of nights")
    func fullNights() {
        let nights = (0..<5).map { day in
            Capacity.Night(night: first.adding(days: day), usableBeds: 3, booked: day == 1 || day == 2 ? 3 : 2)
        }
        let shortfalls = Capacity.shortfalls(adding: [], to: nights)
        #expect(shortfalls.map(\.night) == [first.adding(days: 1), first.adding(days: 2)])
        #expect(Capacity.describe(shortfalls, premises: "Elm House") == "Elm House is full on the nights of 2026-12-02 to 2026-12-03 (every bed taken)")
    }

    @Test("a night with free beds but none with a needed characteristic is full for that need")
    func characteristicShortfall() {
        let night = Capacity.Night(night: first, usableBeds: 5, booked: 1, byNeed: ["hasEnSuite": (beds: 1, booked: 1)])
        #expect(Capacity.shortfalls(adding: ["hasEnSuite"], to: [night]) == [Capacity.Shortfall(night: first, need: "hasEnSuite")])
        #expect(Capacity.shortfalls(adding: [], to: [night]).isEmpty)
    }

    @Test("calendar dates count across months, leap days and years")
    func dates() {
        #expect(CalendarDate("2028-02-28")!.adding(days: 1).description == "2028-02-29")
        #expect(CalendarDate("2026-12-31")!.adding(days: 1).description == "2027-01-01")
        #expect(CalendarDate("2026-02-30") == nil)
        #expect(CalendarDate("2026-3-1") == nil)
        #expect(Nights(first: CalendarDate("2026-03-28")!, end: CalendarDate("2026-04-02")!).count == 5)
    }
}
