import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

@testable import APServer

@Suite("Reports over HTTP", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ReportAPITests {
    @Test("reports answer JSON and CSV; a regional manager is refused another region; bad ranges name the field")
    func reports() async throws {
        try await withApp { client, world in
            let json = try await client.execute(
                uri: "/reports/occupancy?premisesId=\(world.elm)&from=\(testDay(0))&to=\(testDay(7))&period=day",
                method: .get, headers: world.headers("manager"))
            #expect(json.status == .ok, "\(json.text)")
            let rows = try json.json()["rows"] as? [[String: Any]] ?? []
            #expect(rows.count == 7)
            #expect(rows.first?["usableBedNights"] as? Int == 1)

            let csv = try await client.execute(
                uri: "/reports/occupancy?premisesId=\(world.elm)&from=\(testDay(0))&to=\(testDay(7))&period=week&format=csv",
                method: .get, headers: world.headers("manager"))
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n").map(String.init)
            #expect(lines.first?.hasPrefix("from,to,beds,bed_nights,out_of_service_bed_nights") == true, "\(csv.text)")
            // The header and each week (from Monday) the seven nights touch: one week if they start on a Monday, else two.
            let weeks = (testDay(0).daysSinceEpoch + 3) % 7 == 0 ? 1 : 2  // day 0 of the epoch was a Thursday
            #expect(lines.count == 1 + weeks, "\(csv.text)")

            let moveOn = try await client.execute(
                uri: "/reports/move-on?region=NW&from=2026-01-01&to=\(testDay(31))&period=quarter&format=csv",
                method: .get, headers: world.headers("regional"))
            #expect(moveOn.status == .ok, "\(moveOn.text)")
            #expect(moveOn.text.hasPrefix("from,to,departures,settled,unsettled,homeless,custody"))

            let otherRegion = try await client.execute(
                uri: "/reports/occupancy?region=YH&from=2026-01-01&to=2026-02-01",
                method: .get, headers: world.headers("regional"))
            #expect(otherRegion.status == .forbidden, "\(otherRegion.text)")
            let oak = try await client.execute(
                uri: "/reports/occupancy?premisesId=\(world.oak)&from=2026-01-01&to=2026-02-01",
                method: .get, headers: world.headers("regional"))
            #expect(oak.status == .notFound && !oak.text.lowercased().contains("oak"), "\(oak.text)")
            let national = try await client.execute(
                uri: "/reports/occupancy?from=2026-01-01&to=2026-02-01", method: .get, headers: world.headers("manager"))
            #expect(national.status == .forbidden)
            let backwards = try await client.execute(
                uri: "/reports/occupancy?premisesId=\(world.elm)&from=2026-02-01&to=2026-01-01",
                method: .get, headers: world.headers("manager"))
            #expect(try backwards.problemFields() == ["to"], "\(backwards.text)")
            let badDate = try await client.execute(
                uri: "/reports/move-on?premisesId=\(world.elm)&from=last-year&to=2026-01-01",
                method: .get, headers: world.headers("manager"))
            #expect(try badDate.problemFields() == ["from"], "\(badDate.text)")
        }
    }

    @Test("the occupancy board: the country for referral managers, their region for a regional manager, nights 1 to 84, none for AP staff")
    func occupancyBoard() async throws {
        try await withApp { client, world in
            func board(_ query: String, as user: String) async throws -> TestResponse {
                try await client.execute(uri: "/reports/occupancy-board?\(query)", method: .get, headers: world.headers(user))
            }
            let national = try await board("from=\(testDay(0))&nights=10", as: "referrals")
            #expect(national.status == .ok, "\(national.text)")
            let premises = try national.json()["premises"] as? [[String: Any]] ?? []
            #expect(premises.compactMap { $0["code"] as? String }.sorted() == ["ELM", "OAK"])
            let elm = try #require(premises.first { $0["code"] as? String == "ELM" })
            // Elm's one bed is taken by Sam Jones from day 0 to the night before day 9.
            #expect(elm["usableBeds"] as? [Int] == Array(repeating: 1, count: 10))
            #expect(elm["booked"] as? [Int] == Array(repeating: 1, count: 9) + [0])
            #expect(elm["free"] as? [Int] == Array(repeating: 0, count: 9) + [1])
            #expect((try national.json()["totals"] as? [String: Any])?["free"] as? [Int] == Array(repeating: 0, count: 9) + [1])

            let region = try await board("region=NW&from=\(testDay(0))", as: "regional")
            #expect(region.status == .ok, "\(region.text)")
            #expect((try region.json()["premises"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["ELM"])
            #expect(
                (try region.json()["totals"] as? [String: Any])?["free"] as? [Int] == Array(repeating: 0, count: 9)
                    + Array(repeating: 1, count: 19))
            #expect(try await board("region=YH&from=\(testDay(0))", as: "regional").status == .forbidden)
            #expect(try await board("from=\(testDay(0))", as: "manager").status == .forbidden)
            #expect(try await board("from=\(testDay(0))&nights=85", as: "referrals").problemFields() == ["nights"])
            #expect(try await board("from=30-02-2026", as: "referrals").problemFields() == ["from"])
        }
    }

    @Test("with a report database configured, reports read from it and everything else from the primary")
    func readReplica() async throws {
        let configuration = ServerConfiguration.fromEnvironment([
            "AP_REPORT_DATABASE_URL": "postgresql://replica.example/ap", "DATABASE_URL": "postgresql://primary.example/ap",
        ])
        #expect(configuration.reportDatabase?.connectionString == "postgresql://replica.example/ap")
        #expect(ServerConfiguration.fromEnvironment([:]).reportDatabase == nil)

        try await TestDatabase.withDatabase { primary in
            let world = try await TestWorld.make(pool: primary)
            // The "replica": the same premises, but with three beds where the primary has one.
            try await TestDatabase.withDatabase { replica in
                let fixtures = Fixtures(pool: replica)
                _ = try await fixtures.staff("replica.admin", .administrator)
                let principal = try await fixtures.signIn("replica.admin").principal
                try await replica.execute(
                    """
                    INSERT INTO premises (id, code, name, region_code, ap_type_code, gender) VALUES (\(world.elm), 'ELM', 'Elm', 'NW', 'NORMAL', 'men')
                    """)
                let room = try await RoomStore(pool: replica).addRoom(
                    premisesID: world.elm, name: "Room 1", floor: "1", characteristics: [], by: principal)
                for label in ["A", "B", "C"] {
                    _ = try await RoomStore(pool: replica).addBed(
                        roomID: room.id, label: label, inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: principal)
                }
                var logger = Logger(label: "test")
                logger.logLevel = .warning
                let router = try buildRouter(pool: primary, reportPool: replica, passwordHasher: PasswordHasher(cost: 4), logger: logger)
                let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
                try await app.test(.router) { client in
                    let report = try await client.execute(
                        uri: "/reports/occupancy?premisesId=\(world.elm)&from=\(testDay(0))&to=\(testDay(1))&period=day",
                        method: .get, headers: world.headers("manager"))
                    #expect(report.status == .ok, "\(report.text)")
                    #expect((try report.json()["total"] as? [String: Any])?["bedNights"] as? Int == 3)
                    // The bed board is not a report: it reads the primary's one bed.
                    let board = try await client.execute(
                        uri: "/premises/\(world.elm)/bed-board?from=\(testDay(0))&nights=1", method: .get,
                        headers: world.headers("manager"))
                    #expect((try board.json()["beds"] as? [Any])?.count == 1, "\(board.text)")
                }
            }
        }
    }
}
