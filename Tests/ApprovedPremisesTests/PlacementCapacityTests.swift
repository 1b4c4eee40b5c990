import Foundation
import Postgres
import TestSupport
import Testing

@testable import ApprovedPremises

@Suite("Capacity arithmetic")
struct PlacementCapacityTests {
    let first = CalendarDate("2026-12-01")!

    @Test("a night with every usable bed booked is full; the sentence folds runs of nights")
    func fullNights() {
        let nights = (0..<5).map { day in
            Capacity.Night(night: first.adding(days: day), usableBeds: 3, booked: day == 1 || day == 2 ? 3 : 2)
        }
        let shortfalls = Capacity.shortfalls(adding: [], to: nights)
        #expect(shortfalls.map(\.night) == [first.adding(days: 1), first.adding(days: 2)])
        #expect(
            Capacity.describe(shortfalls, premises: "Elm House")
                == "Elm House is full on the nights of 2026-12-02 to 2026-12-03 (every bed taken)")
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

@Suite("Capacity counted for every premises at once", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct CapacityCountTests {
    @Test("counts made from runs of nights agree, night by night and need by need, with counting every night of every premises")
    func runsAgreeWithEveryNight() async throws {
        try await TestDatabase.withDatabase { pool in
            let set = try await NationalSet.make(pool)
            // Bookings of every length across the premises, some needing characteristics, some cancelled
            // or not arrived; beds out of service now and then; a bed that comes into use mid-way.
            try await pool.execute(
                """
                INSERT INTO placement (premises_id, crn, person_name, expected_arrival, expected_departure, needs)
                SELECT p.id, 'C' || lpad((row_number() OVER ())::text, 6, '0'), 'Person', date '2027-02-20' + (i * 7 + n) % 40,
                       date '2027-02-20' + (i * 7 + n) % 40 + 3 + (i * 13) % 50,
                       CASE i % 3 WHEN 0 THEN '{}'::text[] WHEN 1 THEN '{isSingle}' ELSE '{isSingle,hasEnSuite}' END
                FROM (SELECT id, (row_number() OVER (ORDER BY code))::integer AS n FROM premises) p CROSS JOIN generate_series(1, 6) AS i
                """)
            try await pool.execute(
                """
                UPDATE placement SET cancelled_at = now(), cancellation_reason_code = (SELECT code FROM cancellation_reason ORDER BY code LIMIT 1)
                WHERE crn IN (SELECT crn FROM placement WHERE crn LIKE 'C%' ORDER BY crn LIMIT 10)
                """)
            try await pool.execute(
                """
                INSERT INTO bed_out_of_service (bed_id, nights, reason_code)
                SELECT b.id, daterange(date '2027-03-01' + (row_number() OVER (ORDER BY b.id))::integer % 20, date '2027-03-10' + (row_number() OVER (ORDER BY b.id))::integer % 20),
                       (SELECT code FROM out_of_service_reason ORDER BY code LIMIT 1)
                FROM bed b WHERE b.label = '1'
                """)
            try await pool.execute("UPDATE bed SET in_use = daterange('2027-03-15', NULL) WHERE label = '2'")
            let nights = Nights(first: CalendarDate("2027-02-15")!, end: CalendarDate("2027-05-01")!)
            let needs = ["hasEnSuite", "isSingle"]
            let counts = try await pool.withConnection { connection in
                try await Capacity.nights(premisesIDs: nil, nights: nights, needs: needs, excluding: nil, on: connection)
            }
            for (code, id) in set.premises {
                let expected = try await pool.query(
                    """
                    SELECT n.night, c.code,
                        (SELECT count(*) FROM bed b
                         WHERE b.premises_id = \(id) AND b.in_use @> n.night
                           AND (c.code = '' OR EXISTS (SELECT 1 FROM room_feature f WHERE f.room_id = b.room_id AND f.characteristic_code = c.code))
                           AND NOT EXISTS (SELECT 1 FROM bed_out_of_service o WHERE o.bed_id = b.id AND o.cancelled_at IS NULL AND o.nights @> n.night))::integer AS beds,
                        (SELECT count(*) FROM placement p
                         WHERE p.premises_id = \(id) AND p.nights @> n.night AND (c.code = '' OR c.code = ANY (p.needs)))::integer AS booked
                    FROM (SELECT d::date AS night FROM generate_series(\(nights.first)::date, \(nights.end)::date - 1, interval '1 day') AS d) n
                    CROSS JOIN (VALUES (''), ('hasEnSuite'), ('isSingle')) AS c(code)
                    ORDER BY n.night, c.code
                    """)
                let ours = counts[id] ?? Capacity.empty(nights, needs: needs)
                #expect(ours.count == nights.count, "\(code)")
                var differences = 0
                for row in expected {
                    let night: CalendarDate = try row.decode("night")
                    let need: String = try row.decode("code")
                    let beds: Int = try row.decode("beds")
                    let booked: Int = try row.decode("booked")
                    guard let counted = ours.first(where: { $0.night == night }) else {
                        differences += 1
                        continue
                    }
                    let (ourBeds, ourBooked) =
                        need.isEmpty ? (counted.usableBeds, counted.booked) : (counted.byNeed[need]!.beds, counted.byNeed[need]!.booked)
                    if (ourBeds, ourBooked) != (beds, booked) { differences += 1 }
                }
                #expect(differences == 0, "\(code): \(differences) figures differ")
            }
            let booked = counts.values.flatMap { $0 }.map(\.booked).reduce(0, +)
            #expect(booked > 100, "the fixture books something")
        }
    }
}
