import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APServer

@Suite("Concurrent requests over HTTP", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct ConcurrencyAPITests {
    @Test("50 concurrent requests to allocate one bed for overlapping nights: one 200, 49 409s naming who has it")
    func allocations() async throws {
        try await withApp { client, world in
            var placements = [String]()
            for index in 0..<50 {
                let booked = try await client.execute(
                    uri: "/premises/\(world.elm)/placements", method: .post, headers: world.headers("referrals"),
                    body: json([
                        "crn": String(format: "W%06d", index), "personName": "Person \(index)", "expectedArrival": "\(testDay(31))",
                        "expectedDeparture": "\(testDay(45))", "overbookingReason": "load test",
                    ]))
                placements.append(try #require(try booked.json()["id"] as? String))
            }
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for placement in placements {
                    group.addTask {
                        let response = try await client.execute(
                            uri: "/placements/\(placement)/allocations", method: .post, headers: world.headers("manager"),
                            body: json(["bedId": world.bed.uuidString]))
                        return (Int(response.status.code), (try? response.json()["detail"] as? String) ?? "")
                    }
                }
                var all = [(Int, String)]()
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0.0 == 200 }.count == 1)
            let conflicts = statuses.filter { $0.0 == 409 }
            #expect(conflicts.count == 49)
            #expect(conflicts.allSatisfy { $0.1.contains("is already allocated to Person") })
        }
    }

    @Test("50 concurrent bookings into a premises with one free bed: one 201, 49 409s naming the full nights")
    func bookings() async throws {
        try await withApp { client, world in
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let response = try await client.execute(
                            uri: "/premises/\(world.elm)/placements", method: .post, headers: world.headers("manager"),
                            body: json([
                                "crn": String(format: "V%06d", index), "personName": "Person \(index)",
                                "expectedArrival": "\(testDay(19))", "expectedDeparture": "\(testDay(26))",
                            ]))
                        return (Int(response.status.code), (try? response.json()["detail"] as? String) ?? "")
                    }
                }
                var all = [(Int, String)]()
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1)
            let full = statuses.filter { $0.0 == 409 }
            #expect(full.count == 49)
            #expect(full.allSatisfy { $0.1.contains("is full on the nights of \(testDay(19)) to \(testDay(25))") })
        }
    }
}
