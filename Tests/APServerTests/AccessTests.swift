import APIContract
import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import APServer

@Suite("Who may call what", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct AccessTests {
    static let everyone: Set<String> = ["admin", "manager", "night", "keyworker", "referrals", "regional", "oak.manager", "pp", "sar"]

    /// One call of the API and who may make it (as seen from the Elm AP).
    struct Case: Sendable {
        var name: String
        var allowed: Set<String>
        var call: @Sendable (TestWorld, String) -> (HTTPRequest.Method, String, ByteBuffer?)
    }

    static let cases: [Case] = [
        Case(name: "GET /me", allowed: everyone) { _, _ in (.get, "/me", nil) },
        Case(name: "GET /staff", allowed: ["admin", "manager", "oak.manager"]) { _, _ in (.get, "/staff", nil) },
        Case(name: "POST /staff", allowed: ["admin"]) { _, who in
            (
                .post, "/staff",
                json(["username": "new." + who, "displayName": "New", "role": "referral_manager", "password": "a-long-password"])
            )
        },
        Case(name: "GET /staff/{night}", allowed: ["admin", "manager", "night"]) { world, _ in
            (.get, "/staff/\(world.staff["night"]!.id)", nil)
        },
        Case(name: "POST /staff/{id}/password", allowed: ["admin"]) { world, _ in
            (.post, "/staff/\(world.staff["spare"]!.id)/password", json(["password": Fixtures.password]))
        },
        Case(name: "GET /premises", allowed: staff) { _, _ in (.get, "/premises", nil) },
        Case(name: "POST /premises", allowed: ["admin"]) { _, who in
            (
                .post, "/premises",
                json([
                    "code": "NEW-\(abs(who.hashValue) % 100000)", "name": "New AP", "regionCode": "NW", "apType": "NORMAL", "gender": "men",
                ])
            )
        },
        Case(name: "GET /premises/{elm}", allowed: ["admin", "manager", "night", "keyworker", "referrals", "regional"]) { world, _ in
            (.get, "/premises/\(world.elm)", nil)
        },
        Case(name: "GET /premises/{elm}/staff", allowed: ["admin", "manager", "night", "keyworker"]) { world, _ in
            (.get, "/premises/\(world.elm)/staff", nil)
        },
        Case(name: "GET /audit", allowed: ["admin"]) { _, _ in (.get, "/audit", nil) },
        Case(name: "GET /audit/access", allowed: ["admin"]) { _, _ in (.get, "/audit/access?crn=X000001", nil) },
        Case(name: "GET /subject-access-request", allowed: ["admin", "sar"]) { _, _ in
            (.get, "/subject-access-request?crn=X000001", nil)
        },
        Case(name: "GET /transfers", allowed: ["admin", "manager", "referrals", "regional", "oak.manager"]) { _, _ in
            (.get, "/transfers", nil)
        },
        Case(name: "GET /appeals", allowed: ["admin", "manager", "referrals", "regional", "oak.manager"]) { _, _ in
            (.get, "/appeals", nil)
        },
        Case(name: "POST /placements/{p}/transfer-requests", allowed: ["admin", "manager"]) { world, _ in
            (
                .post, "/placements/\(world.placement)/transfer-requests",
                json(["reason": "OTHER", "transferDate": "\(testDay(3))", "notes": "x"])
            )
        },
        Case(name: "POST /placements/{p}/appeals", allowed: ["admin", "manager"]) { world, _ in
            (.post, "/placements/\(world.placement)/appeals", json(["reason": "NEED_NOT_MET"]))
        },
        Case(name: "GET /reference/regions", allowed: everyone) { _, _ in (.get, "/reference/regions", nil) },
        Case(name: "GET /premises/{elm}/rooms", allowed: elmReaders) { world, _ in (.get, "/premises/\(world.elm)/rooms", nil) },
        Case(name: "POST /premises/{elm}/rooms", allowed: ["admin", "manager"]) { world, who in
            (.post, "/premises/\(world.elm)/rooms", json(["name": "Room of " + who]))
        },
        Case(name: "POST /rooms/{room}/beds", allowed: ["admin", "manager"]) { world, who in
            (.post, "/rooms/\(world.room)/beds", json(["label": "bed of " + who, "inUseFrom": "2026-01-01"]))
        },
        Case(name: "POST /beds/{bed}/out-of-service", allowed: ["admin", "manager"]) { world, who in
            let day = 1 + abs(who.hashValue) % 20
            return (
                .post, "/beds/\(world.bed)/out-of-service",
                json(["start": String(format: "2027-03-%02d", day), "end": String(format: "2027-03-%02d", day + 1), "reason": "DAMAGE"])
            )
        },
        Case(name: "POST /beds/{bed}/retirement", allowed: ["admin", "manager"]) { world, who in
            (.post, "/beds/\(world.bed)/retirement", json(["from": "\(testDay(100 + abs(who.hashValue) % 50))"]))
        },
        Case(name: "GET /premises/{elm}/movements", allowed: elmReaders) { world, _ in
            (.get, "/premises/\(world.elm)/movements?from=\(testDay(-1))T00:00:00Z&to=\(testDay(0))T00:00:00Z", nil)
        },
        Case(name: "POST /key-work-actions/{none}/drop", allowed: ["admin", "manager", "keyworker", "oak.manager"]) { _, _ in
            (.post, "/key-work-actions/\(UUID())/drop", json(["reason": "Not needed"]))
        },
        Case(name: "POST /key-work-sessions/{none}/corrections", allowed: ["admin", "manager", "keyworker", "oak.manager"]) { _, _ in
            (
                .post, "/key-work-sessions/\(UUID())/corrections",
                json(["heldAt": "\(testDay(-1))T10:00:00Z", "durationMinutes": 30, "kind": "one_to_one", "notes": "n", "reason": "r"])
            )
        },
        Case(name: "POST /tests/{none}/result-corrections", allowed: ["admin", "manager", "keyworker", "oak.manager"]) { _, _ in
            (.post, "/tests/\(UUID())/result-corrections", json(["substance": "cocaine", "result": "negative", "reason": "lab error"]))
        },
        Case(name: "GET /premises/{elm}/placements", allowed: elmReaders) { world, _ in
            (.get, "/premises/\(world.elm)/placements?from=\(testDay(0))&to=\(testDay(31))", nil)
        },
        Case(name: "POST /premises/{elm}/placements", allowed: ["admin", "manager", "referrals"]) { world, who in
            (
                .post, "/premises/\(world.elm)/placements",
                json([
                    "crn": String(format: "Z%06d", abs(who.hashValue) % 1_000_000), "personName": "P " + who,
                    "expectedArrival": "\(testDay(62))", "expectedDeparture": "\(testDay(63))",
                ])
            )
        },
        Case(name: "GET /placements/{p}", allowed: elmReaders) { world, _ in (.get, "/placements/\(world.placement)", nil) },
        Case(name: "POST /placements/{p}/allocations", allowed: ["admin", "manager"]) { world, _ in
            (.post, "/placements/\(world.placement)/allocations", json(["bedId": world.bed.uuidString]))
        },
        Case(name: "POST /placements/{p}/arrival", allowed: ["admin", "manager", "night", "keyworker"]) { world, _ in
            (.post, "/placements/\(world.placement)/arrival", json(["arrivedAt": "\(testDay(0))T12:00:00Z"]))
        },
        Case(name: "POST /placements/{p}/cancellation", allowed: ["admin", "manager", "referrals"]) { world, _ in
            (.post, "/placements/\(world.placement)/cancellation", json(["reason": "PP_REQUEST"]))
        },
        Case(name: "GET /premises/{elm}/allocation-plan", allowed: ["admin", "manager"]) { world, _ in
            (.get, "/premises/\(world.elm)/allocation-plan", nil)
        },
        Case(name: "POST /premises/{elm}/allocation-plan", allowed: ["admin", "manager"]) { world, _ in
            (.post, "/premises/\(world.elm)/allocation-plan", nil)
        },
        Case(name: "GET /referrals", allowed: assessors.union(["pp"])) { _, _ in (.get, "/referrals?status=ready_to_match", nil) },
        Case(name: "GET /referrals/{r}/progress", allowed: ["admin", "referrals"]) { world, _ in
            (.get, "/referrals/\(world.referral)/progress", nil)
        },
        Case(name: "GET /referrals/{r}/departure-summary", allowed: ["admin", "referrals"]) { world, _ in
            (.get, "/referrals/\(world.referral)/departure-summary", nil)
        },
        Case(name: "PUT /referrals/{r}/owner", allowed: ["admin"]) { world, _ in
            (.put, "/referrals/\(world.referral)/owner", json(["practitionerId": world.staff["pp2"]!.id.uuidString]))
        },
        Case(name: "GET /referral-drafts", allowed: ["pp", "admin", "referrals", "spare"]) { _, _ in (.get, "/referral-drafts", nil) },
        Case(name: "POST /referral-drafts", allowed: ["pp", "admin", "referrals", "spare"]) { _, _ in (.post, "/referral-drafts", nil) },
        Case(name: "POST /referrals", allowed: ["admin", "referrals"]) { _, who in
            (
                .post, "/referrals",
                json([
                    "crn": String(format: "Q%06d", abs(who.hashValue) % 1_000_000), "personName": "Q " + who,
                    "dateOfBirth": "1980-01-01", "gender": "man", "referrerName": "Pat", "referrerEmail": "pat@probation.example",
                    "releaseType": "licence", "expectedArrival": "\(testDay(90))", "roshOverall": "low", "homeDistrict": "M14",
                ])
            )
        },
        Case(name: "GET /referrals/{r}", allowed: elmAssessors) { world, _ in (.get, "/referrals/\(world.referral)", nil) },
        Case(name: "GET /referrals/{r}/matches", allowed: elmAssessors) { world, _ in (.get, "/referrals/\(world.referral)/matches", nil) },
        Case(name: "POST /referrals/{r}/offers", allowed: ["admin", "referrals"]) { world, _ in
            (.post, "/referrals/\(world.referral)/offers", json(["premisesId": world.elm.uuidString]))
        },
        Case(name: "POST /referrals/{r}/decisions (unable to match)", allowed: ["admin", "referrals"]) { world, _ in
            (.post, "/referrals/\(world.referral)/decisions", json(["decision": "unable_to_match", "note": "no bed"]))
        },
        Case(name: "POST /referrals/{r}/booking", allowed: ["admin", "manager", "referrals"]) { world, _ in
            (.post, "/referrals/\(world.referral)/booking", json(["premisesId": world.elm.uuidString]))
        },
        Case(name: "GET /placements/{p}/profile", allowed: elmReaders) { world, _ in (.get, "/placements/\(world.placement)/profile", nil)
        },
        Case(name: "POST /placements/{p}/curfew-variations", allowed: ["admin", "manager"]) { world, who in
            let day = 1 + abs(who.hashValue) % 20
            return (
                .post, "/placements/\(world.placement)/curfew-variations",
                json([
                    "from": "\(testDay(day - 1))", "to": "\(testDay(day))",
                    "start": "07:30", "end": "15:00", "reason": "night work", "approvedBy": "AP manager",
                ])
            )
        },
        Case(name: "POST /premises/{elm}/handovers", allowed: ["admin", "manager", "night", "keyworker"]) { world, _ in
            (.post, "/premises/\(world.elm)/handovers", json(["shift": "night", "notes": "all quiet"]))
        },
        Case(name: "GET /premises/{elm}/handovers/pending", allowed: elmReaders) { world, _ in
            (.get, "/premises/\(world.elm)/handovers/pending", nil)
        },
        Case(name: "GET /premises/{elm}/curfew-breaches", allowed: elmReaders) { world, _ in
            (.get, "/premises/\(world.elm)/curfew-breaches?open=true", nil)
        },
        Case(name: "GET /premises/{elm}/tonight", allowed: elmReaders) { world, _ in (.get, "/premises/\(world.elm)/tonight", nil) },
        Case(name: "GET /premises/{elm}/log-verification", allowed: ["admin", "manager", "regional"]) { world, _ in
            (.get, "/premises/\(world.elm)/log-verification", nil)
        },
        Case(name: "GET /placements/{p}/movements", allowed: elmReaders) { world, _ in
            (.get, "/placements/\(world.placement)/movements", nil)
        },
        Case(name: "POST /placements/{p}/movements", allowed: ["admin", "manager", "night", "keyworker"]) { world, _ in
            (.post, "/placements/\(world.placement)/movements", json(["kind": "out"]))
        },
        Case(name: "GET /placements/{p}/curfew-breaches", allowed: elmReaders) { world, _ in
            (.get, "/placements/\(world.placement)/curfew-breaches", nil)
        },
        Case(name: "GET /placements/{p}/curfew-variations", allowed: elmReaders) { world, _ in
            (.get, "/placements/\(world.placement)/curfew-variations", nil)
        },
        Case(name: "GET /premises/{elm}/night-checks", allowed: elmReaders) { world, _ in (.get, "/premises/\(world.elm)/night-checks", nil)
        },
        Case(name: "POST /premises/{elm}/night-checks", allowed: ["admin", "manager", "night", "keyworker"]) { world, _ in
            (
                .post, "/premises/\(world.elm)/night-checks",
                json(["observations": [["placementId": UUID().uuidString, "observation": "seen"]]])
            )
        },
        Case(name: "GET /premises/{elm}/incidents", allowed: elmReaders) { world, _ in (.get, "/premises/\(world.elm)/incidents", nil) },
        Case(name: "POST /premises/{elm}/incidents", allowed: ["admin", "manager", "night", "keyworker"]) { world, _ in
            (
                .post, "/premises/\(world.elm)/incidents",
                json([
                    "kind": "complaint", "severity": "low", "occurredAt": "\(testDay(-30))T10:00:00Z", "location": "office",
                    "summary": "complained about the noise", "actionTaken": "apologised",
                ])
            )
        },
        Case(name: "GET /placements/{p}/record", allowed: elmReaders) { world, _ in (.get, "/placements/\(world.placement)/record", nil) },
        Case(name: "GET /placements/{p}/departure-summary", allowed: elmReaders) { world, _ in
            (.get, "/placements/\(world.placement)/departure-summary", nil)
        },
        Case(name: "GET /premises/{elm}/key-work/due", allowed: elmReaders) { world, _ in (.get, "/premises/\(world.elm)/key-work/due", nil)
        },
        Case(name: "POST /placements/{p}/key-work-sessions", allowed: ["admin", "manager", "keyworker"]) { world, _ in
            (
                .post, "/placements/\(world.placement)/key-work-sessions",
                json(["heldAt": "\(testDay(-30))T10:00:00Z", "durationMinutes": 30, "kind": "induction", "notes": "house rules"])
            )
        },
        Case(name: "POST /placements/{p}/key-worker", allowed: ["admin", "manager"]) { world, _ in
            (.post, "/placements/\(world.placement)/key-worker", json([:]))
        },
        Case(name: "POST /premises/{elm}/testing-authorisations", allowed: ["admin", "manager"]) { world, _ in
            (
                .post, "/premises/\(world.elm)/testing-authorisations",
                json(["reasons": ["random"], "from": "\(testDay(-30))", "note": "policy"])
            )
        },
        Case(name: "GET /premises/{elm}/tests", allowed: elmReaders) { world, _ in (.get, "/premises/\(world.elm)/tests?pending=true", nil)
        },
        Case(name: "POST /placements/{p}/tests", allowed: ["admin", "manager", "keyworker"]) { world, _ in
            (.post, "/placements/\(world.placement)/tests", json(["reason": "random", "sampleType": "breath", "missedReason": "no_kit"]))
        },
        Case(name: "GET /premises/{elm}/move-on/flags", allowed: elmReaders) { world, _ in
            (.get, "/premises/\(world.elm)/move-on/flags", nil)
        },
        Case(name: "POST /placements/{p}/move-on/pathways", allowed: ["admin", "manager", "keyworker"]) { world, _ in
            (.post, "/placements/\(world.placement)/move-on/pathways", json(["kind": "family"]))
        },
        Case(name: "GET /premises/{elm}/bed-board", allowed: elmReaders) { world, _ in
            (.get, "/premises/\(world.elm)/bed-board?from=\(testDay(0))&nights=7", nil)
        },
    ]

    /// Who assesses and matches referrals: national roles and AP managers.
    static let assessors: Set<String> = ["admin", "referrals", "manager", "oak.manager"]

    /// Who may see the world's referral, offered to Elm: national roles and Elm's manager.
    static let elmAssessors: Set<String> = ["admin", "referrals", "manager"]

    /// Everyone who may see Elm's records: its staff, the national roles and the North West's regional manager.
    static let elmReaders: Set<String> = everyone.subtracting(["oak.manager", "pp", "sar"])

    /// The staff of the APs and of the national and regional teams: everyone but the probation practitioner
    /// and the subject access officer (who reads a person's data only through the logged export).
    static let staff: Set<String> = everyone.subtracting(["pp", "sar"])

    @Test(
        "every role is allowed exactly the calls it should be, and refused the rest with 403 (404 where the premises is not theirs to see)",
        arguments: cases.map(\.name))
    func roleMatrix(caseName: String) async throws {
        let testCase = Self.cases.first { $0.name == caseName }!
        try await withApp { client, world in
            for username in Self.everyone.sorted() {
                let (method, uri, body) = testCase.call(world, username)
                let response = try await client.execute(uri: uri, method: method, headers: world.headers(username), body: body)
                if testCase.allowed.contains(username) {
                    // Let through; a change that an earlier role already made may then be refused
                    // for what it is (409), but never as a matter of who is asking.
                    #expect(
                        ![401, 403].contains(response.status.code) && response.status.code < 500,
                        "\(username) \(caseName): \(response.status) \(response.text)")
                } else if Self.elmReaders.contains(username) {
                    #expect(response.status == .forbidden, "\(username) \(caseName): \(response.status) \(response.text)")
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(try response.json()["detail"] as? String != nil)
                } else if username == "pp" {
                    // A probation practitioner is told there is nothing there, whatever they ask for.
                    #expect(response.status == .notFound, "\(username) \(caseName): \(response.status) \(response.text)")
                } else {
                    // Someone who may not see Elm is refused for their role (403) or told there is
                    // nothing there (404), never told whose record it is.
                    #expect([403, 404].contains(response.status.code), "\(username) \(caseName): \(response.status) \(response.text)")
                    #expect(
                        !response.text.contains("ELM") && !response.text.lowercased().contains("elm"),
                        "\(username) \(caseName): \(response.text)")
                }
            }
        }
    }

    @Test("changing an account is for administrators only")
    func updateIsAdminOnly() async throws {
        try await withApp { client, world in
            let night = world.staff["night"]!
            for username in Self.everyone.sorted() where username != "admin" {
                let response = try await client.execute(
                    uri: "/staff/\(night.id)", method: .patch,
                    headers: world.headers(username, [HTTPField.Name("If-Match")!: "\"1\""]), body: json(["displayName": "Changed"]))
                #expect(response.status == (username == "pp" ? .notFound : .forbidden), "\(username): \(response.status)")
            }
            let response = try await client.execute(
                uri: "/staff/\(night.id)", method: .patch,
                headers: world.headers("admin", [HTTPField.Name("If-Match")!: "\"1\""]), body: json(["displayName": "Changed"]))
            #expect(response.status == .ok)
        }
    }

    @Test("a premises is changed by administrators and its own AP manager only")
    func updatePremises() async throws {
        try await withApp { client, world in
            for username in Self.everyone.sorted() where !["admin", "manager"].contains(username) {
                let response = try await client.execute(
                    uri: "/premises/\(world.elm)", method: .patch,
                    headers: world.headers(username, [HTTPField.Name("If-Match")!: "\"1\""]), body: json(["curfewStart": "22:00"]))
                #expect(
                    response.status == (["oak.manager", "pp"].contains(username) ? .notFound : .forbidden),
                    "\(username): \(response.status)")
            }
            let response = try await client.execute(
                uri: "/premises/\(world.elm)", method: .patch,
                headers: world.headers("manager", [HTTPField.Name("If-Match")!: "\"1\""]),
                body: json([
                    "curfewStart": "22:00", "characteristics": ["isCatered", "hasLift"], "localRestrictions": "no visitors after 20:00",
                ]))
            #expect(response.status == .ok, "\(response.text)")
            let body = try response.json()
            #expect(body["curfewStart"] as? String == "22:00")
            #expect(body["characteristics"] as? [String] == ["hasLift", "isCatered"])
            #expect(response.headers[.eTag] == "\"2\"")
        }
    }

    @Test("without a token, or with a bad one, every call but health, ready and sign-in is refused with 401")
    func unauthenticated() async throws {
        try await withApp { client, world in
            for testCase in Self.cases {
                let (method, uri, body) = testCase.call(world, "anonymous")
                let response = try await client.execute(uri: uri, method: method, headers: world.headers(nil), body: body)
                #expect(response.status == .unauthorized, "\(testCase.name): \(response.status)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                var forged = world.headers(nil)
                forged[.authorization] = "Bearer ap_not-a-real-token"
                let forgedResponse = try await client.execute(uri: uri, method: method, headers: forged, body: body)
                #expect(forgedResponse.status == .unauthorized, "\(testCase.name) with a forged token: \(forgedResponse.status)")
            }
            for open in ["/health", "/ready", "/openapi.yaml"] {
                let response = try await client.execute(uri: open, method: .get)
                #expect(response.status == .ok, "\(open)")
            }
        }
    }

    @Test("AP staff cannot reach another premises' records: 404, without naming the premises")
    func otherPremises() async throws {
        try await withApp { client, world in
            for username in ["manager", "night", "keyworker"] {
                for uri in ["/premises/\(world.oak)", "/premises/\(world.oak)/staff", "/staff/\(world.staff["oak.manager"]!.id)"] {
                    let response = try await client.execute(uri: uri, method: .get, headers: world.headers(username))
                    #expect(response.status == .notFound, "\(username) GET \(uri): \(response.status)")
                    #expect(!response.text.lowercased().contains("oak"), "\(username) GET \(uri) names the premises: \(response.text)")
                }
                let list = try await client.execute(uri: "/premises", method: .get, headers: world.headers(username))
                let codes = ((try list.json()["items"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
                #expect(codes == ["ELM"], "\(username) sees \(codes)")
            }
            let asked = try await client.execute(uri: "/staff?premisesId=\(world.oak)", method: .get, headers: world.headers("manager"))
            #expect(asked.status == .forbidden)
            let regional = try await client.execute(uri: "/premises/\(world.oak)", method: .get, headers: world.headers("regional"))
            #expect(regional.status == .notFound)
        }
    }

    @Test("an AP manager sees only the referrals offered to or booked at their premises; any other is not there (404)")
    func referralLeastPrivilege() async throws {
        try await withApp { client, world in
            let referral = "/referrals/\(world.referral)"
            func names(_ username: String) async throws -> [String] {
                let queue = try await client.execute(uri: "/referrals", method: .get, headers: world.headers(username))
                #expect(queue.status == .ok)
                return ((try queue.json()["items"] as? [[String: Any]]) ?? []).compactMap {
                    ($0["details"] as? [String: Any])?["personName"] as? String
                }
            }
            #expect(try await names("manager") == ["Robin Reed"])
            #expect(try await names("referrals") == ["Robin Reed"])
            #expect(try await names("oak.manager").isEmpty)
            // Oak's manager cannot read, match, decide or book it, and is not told where it is.
            let calls: [(HTTPRequest.Method, String, ByteBuffer?)] = [
                (.get, referral, nil), (.get, referral + "/matches", nil),
                (.post, referral + "/decisions", json(["decision": "reject", "note": "not for us"])),
                (.post, referral + "/booking", json(["premisesId": world.oak.uuidString])),
            ]
            for (method, uri, body) in calls {
                let response = try await client.execute(uri: uri, method: method, headers: world.headers("oak.manager"), body: body)
                #expect(response.status == .notFound, "\(method) \(uri): \(response.status) \(response.text)")
                #expect(
                    !response.text.contains("Robin") && !response.text.contains("R000001") && !response.text.lowercased().contains("elm"),
                    "\(method) \(uri): \(response.text)")
            }
            let stillReady = try await client.execute(uri: referral, method: .get, headers: world.headers("admin"))
            #expect((try stillReady.json()["referral"] as? [String: Any])?["status"] as? String == "ready_to_match")

            // Offered to Oak as well (twice: the second is no change), Oak's manager sees it.
            for _ in 0..<2 {
                let offered = try await client.execute(
                    uri: referral + "/offers", method: .post, headers: world.headers("referrals"),
                    body: json(["premisesId": world.oak.uuidString]))
                #expect(offered.status == .ok, "\(offered.text)")
                #expect(
                    try offered.json()["offeredTo"] as? [String] == [world.elm.uuidString.lowercased(), world.oak.uuidString.lowercased()])
            }
            #expect(try await names("oak.manager") == ["Robin Reed"])
            let read = try await client.execute(uri: referral, method: .get, headers: world.headers("oak.manager"))
            #expect(read.status == .ok)
            let timeline = (try read.json()["timeline"] as? [[String: Any]]) ?? []
            // Oak's manager learns of the offer to Oak, not that Elm was asked too.
            #expect(
                try read.json()["referral"].flatMap { ($0 as? [String: Any])?["offeredTo"] as? [String] } == [
                    world.oak.uuidString.lowercased()
                ])
            #expect(
                timeline.compactMap { $0["note"] as? String }.filter { $0.hasPrefix("offered to") } == ["offered to Premises OAK (OAK)"])
            let whole = try await client.execute(uri: referral, method: .get, headers: world.headers("referrals"))
            #expect(
                ((try whole.json()["timeline"] as? [[String: Any]]) ?? []).compactMap { $0["note"] as? String }
                    .filter { $0.hasPrefix("offered to") } == ["offered to Premises ELM (ELM)", "offered to Premises OAK (OAK)"])
            let audited: Int = try await world.pool.query(
                "SELECT count(*)::int AS n FROM audit_event WHERE action = 'referral.offered' AND entity_id = \(world.referral.uuidString)"
            ).first!.decode("n")
            #expect(audited == 2)

            // An AP manager cannot offer; an unknown premises is named as the field.
            let byManager = try await client.execute(
                uri: referral + "/offers", method: .post, headers: world.headers("manager"),
                body: json(["premisesId": world.oak.uuidString]))
            #expect(byManager.status == .forbidden)
            let nowhere = try await client.execute(
                uri: referral + "/offers", method: .post, headers: world.headers("referrals"),
                body: json(["premisesId": UUID().uuidString]))
            #expect(nowhere.status == .unprocessableContent && nowhere.text.contains("premisesId"), "\(nowhere.text)")

            // Elm's manager books it at Elm (Oak has no bed); booked, it can be offered no more.
            let booked = try await client.execute(
                uri: referral + "/booking", method: .post, headers: world.headers("manager"),
                body: json(["premisesId": world.elm.uuidString]))
            #expect(booked.status == .created, "\(booked.text)")
            let offerBooked = try await client.execute(
                uri: referral + "/offers", method: .post, headers: world.headers("referrals"),
                body: json(["premisesId": world.oak.uuidString]))
            #expect(offerBooked.status == .conflict, "\(offerBooked.text)")

            // A referral booked at Elm without an offer is Elm's manager's to see, and only theirs.
            let admin = try await world.fixtures.signIn("admin").principal
            let store = ReferralStore(pool: world.pool)
            let direct = try await store.create(
                ReferralDetails(
                    crn: "R000002", personName: "Dee Direct", dateOfBirth: CalendarDate("1981-01-01")!, gender: "man",
                    referrerName: "Pat Officer", referrerEmail: "pat@probation.example", releaseType: "licence",
                    expectedArrival: testDay(90), lengthOfStayDays: 14, roshOverall: "medium", homeDistrict: "M14"),
                by: admin, today: testDay(-8))
            #expect(try await !names("manager").contains("Dee Direct"))
            _ = try await store.decide(direct.id, .accept(note: nil), expectedVersion: nil, by: admin)
            _ = try await store.book(direct.id, premisesID: world.elm, bedID: nil, arrival: nil, departure: nil, by: admin)
            #expect(try await names("manager").contains("Dee Direct"))
            #expect(try await !names("oak.manager").contains("Dee Direct"))
        }
    }

    @Test("a deactivated account's token stops working at once")
    func deactivation() async throws {
        try await withApp { client, world in
            let night = world.staff["night"]!
            let response = try await client.execute(
                uri: "/staff/\(night.id)", method: .patch,
                headers: world.headers("admin", [HTTPField.Name("If-Match")!: "\"1\""]), body: json(["active": false]))
            #expect(response.status == .ok)
            let me = try await client.execute(uri: "/me", method: .get, headers: world.headers("night"))
            #expect(me.status == .unauthorized)
        }
    }

    @Test("every operation of the OpenAPI document has an access rule")
    func policyCoversDocument() throws {
        let document = String(decoding: try APIDocument.yaml(), as: UTF8.self)
        let operations = document.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("operationId:") else { return nil }
            return trimmed.dropFirst("operationId:".count).trimmingCharacters(in: .whitespaces)
        }
        #expect(operations.count >= 16)
        #expect(Set(operations) == Set(AccessPolicy.rules.keys))
    }
}
