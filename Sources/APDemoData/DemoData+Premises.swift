import ApprovedPremises
import Foundation
import Postgres

extension DemoData {
    /// Rooms and beds, residents, an out-of-service bed and upcoming arrivals at Elm House, so
    /// that the bed board shows something real at once. Loaded once: skipped when Elm has rooms.
    func loadBeds(premisesID: UUID, now: Date = Date()) async throws {
        let hasRooms = try await pool.query("SELECT 1 AS found FROM room WHERE premises_id = \(premisesID) LIMIT 1").first != nil
        if hasRooms { return }
        guard let operatorPrincipal = try await operatorPrincipal(now: now) else { return }
        let today = CalendarDate.today(in: Premises.defaultTimeZone, now: now)
        let csv = """
            room,floor,characteristics,bed,in_use_from
            Room 1,Ground,isSingle isGroundFloor isWheelchairDesignated isStepFreeDesignated hasEnSuite,1,\(today.adding(days: -400))
            Room 2,Ground,isSingle isGroundFloor hasEnSuite,2,\(today.adding(days: -400))
            Room 3,First,isSingle,3,\(today.adding(days: -400))
            Room 4,First,isSingle,4,\(today.adding(days: -400))
            Room 5,First,isSingle isArsonSuitable,5,\(today.adding(days: -400))
            Room 6,First,isSingle,6,\(today.adding(days: -400))
            Room 7,Second,isSingle isSuitedForSexOffenders,7,\(today.adding(days: -400))
            Room 8,Second,isSingle,8,\(today.adding(days: -400))
            """
        let rooms = stores.rooms
        let loaded = try await rooms.importCSV(csv, premisesID: premisesID, today: today, by: operatorPrincipal)
        let beds = loaded.flatMap(\.beds).sorted { $0.label < $1.label }.map(\.id)
        let placements = stores.placements
        func book(_ crn: String, _ name: String, _ arrival: Int, _ departure: Int, bed: Int?, needs: [String] = []) async throws
            -> Placement
        {
            try await placements.book(
                NewPlacement(
                    premisesID: premisesID, crn: crn, personName: name, expectedArrival: today.adding(days: arrival),
                    expectedDeparture: today.adding(days: departure), needs: needs, bedID: bed.map { beds[$0] }), by: operatorPrincipal)
        }
        func noon(_ offset: Int) -> Date {
            Date(timeIntervalSince1970: Double(today.adding(days: offset).daysSinceEpoch) * 86_400 + 12 * 3600)
        }
        let residents: [(String, String, Int, Int, Int, [String])] = [
            ("D100001", "Alex Carter", -60, 24, 0, ["isWheelchairDesignated"]),
            ("D100002", "Ben Okafor", -40, 0, 1, []),
            ("D100003", "Chris Doyle", -30, 54, 2, []),
            ("D100004", "Dan Evans", -20, 64, 3, []),
            ("D100005", "Eli Fraser", -10, 74, 4, ["isArsonSuitable"]),
            ("D100006", "Femi Grant", -5, 79, 6, ["isSuitedForSexOffenders"]),
        ]
        for (crn, name, arrival, departure, bed, needs) in residents {
            let placement = try await book(crn, name, arrival, departure, bed: bed, needs: needs)
            _ = try await placements.arrive(placement.id, at: noon(arrival), keyWorkerID: nil, expectedVersion: nil, by: operatorPrincipal)
        }
        _ = try await book("D100007", "Gus Hughes", 0, 84, bed: 1)
        _ = try await book("D100008", "Harry Ince", 3, 87, bed: 7)
        _ = try await book("D100009", "Ian Jones", 7, 91, bed: nil)
        _ = try await stores.outOfService.create(
            bedID: beds[5], nights: Nights(first: today.adding(days: -2), end: today.adding(days: 5)),
            reason: "DAMAGE", reference: "WO-4471", notes: "broken window", by: operatorPrincipal)
    }

    func premises(code: String, name: String, region: String, postcode: String) async throws -> UUID {
        try await pool.transaction { connection in
            if let row = try await connection.first("SELECT id FROM premises WHERE code = \(code)") {
                return try row.decode("id")
            }
            let row = try await connection.first(
                """
                INSERT INTO premises (code, name, region_code, ap_type_code, gender, postcode)
                VALUES (\(code), \(name), \(region), 'NORMAL', 'men', \(postcode))
                RETURNING id
                """)!
            let id: UUID = try row.decode("id")
            try await AuditLog.record(
                on: connection, by: nil, action: "premises.create", entity: "premises",
                entityID: id.uuidString, before: String?.none, after: ["code": code, "name": name, "source": "demo"])
            return id
        }
    }
}
