import Foundation
import Testing

@testable import ApprovedPremises

@Suite("Matching's first free date")
struct MatchFirstFreeTests {
    /// The plain search `firstFree` replaced: each later start in turn, its nights and beds checked whole.
    static func plainFirstFree(_ ap: MatchPremises, beds: [AllocationPlanner.BedSlot], after stay: Nights, needs: Set<String>)
        -> CalendarDate?
    {
        (1...MatchRules.searchAheadDays).lazy.map { stay.first.adding(days: $0) }.first { start in
            let later = Nights(first: start, end: start.adding(days: stay.count))
            return MatchRules.freeBed(beds, for: later, needs: needs) != nil && ap.shortfalls(later, needs: needs.sorted()).isEmpty
        }
    }

    @Test(
        "on 3,000 random premises (beds busy at random, nights full at random, with and without a room need), the date is the plain day-by-day search's"
    )
    func sameAsPlainSearch() {
        // A generator of our own, so that a failure repeats.
        var seed: UInt64 = 20_261_206
        func next(_ range: ClosedRange<Int>) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return range.lowerBound + Int((seed >> 33) % UInt64(range.count))
        }
        let first = CalendarDate("2027-01-04")!
        var found = 0
        for _ in 0..<3_000 {
            let length = next(1...90)
            let stay = Nights(first: first, end: first.adding(days: length))
            let needs: Set<String> = next(0...2) == 0 ? ["STEP_FREE"] : []
            let searched = length + MatchRules.searchAheadDays
            let beds = (0..<next(1...6)).map { number in
                AllocationPlanner.BedSlot(
                    id: UUID(), label: "\(number)", characteristics: next(0...1) == 0 ? ["STEP_FREE"] : [],
                    inUse: Nights(first: first.adding(days: next(-5...20)), end: first.adding(days: next(100...400))),
                    busy: (0..<next(0...4)).map { _ in
                        let start = next(-20...searched)
                        return Nights(first: first.adding(days: start), end: first.adding(days: start + next(1...60)))
                    })
            }
            let usable = next(1...6)
            let nights = (0..<searched).map { index in
                // about one night in twenty full, and one in twenty with no room for the need
                Capacity.Night(
                    night: first.adding(days: index), usableBeds: usable, booked: next(1...20) == 1 ? usable : usable - 1,
                    byNeed: ["STEP_FREE": (beds: 2, booked: next(1...20) == 1 ? 2 : 0)])
            }
            let ap = MatchPremises(
                id: UUID(), code: "T", name: "T", regionCode: "NW", gender: "men", apType: "NORMAL", active: true,
                features: [], latitude: nil, longitude: nil, beds: beds, nights: nights)
            let suitable = beds.filter { needs.isSubset(of: $0.characteristics) }
            let expected = Self.plainFirstFree(ap, beds: suitable, after: stay, needs: needs)
            #expect(
                MatchRules.firstFree(ap, beds: suitable, after: stay, needs: needs) == expected, "stay of \(length) nights, needs \(needs)")
            if expected != nil { found += 1 }
        }
        // Both kinds of answer were met: a date, and none within the search.
        #expect(found > 100 && found < 2_900, "\(found) of 3,000 had a date")
    }
}
