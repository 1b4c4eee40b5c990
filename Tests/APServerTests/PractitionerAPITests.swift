import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import TestSupport
import Testing

@testable import APServer

/// The probation practitioner's way in through the API: an account, a referral written section
/// by section and submitted, followed to the departure summary, and nothing else of anyone's.
@Suite("Probation practitioners through the API", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct PractitionerAPITests {
    /// Every section's answers, each keeping the intake rules.
    nonisolated(unsafe) static let sections: [(String, [String: Any])] = [
        ("person", ["crn": "P123456", "nomsNumber": "A1234BC", "personName": "Casey Brook", "dateOfBirth": "1985-03-14", "gender": "man"]),
        (
            "sentence",
            [
                "releaseType": "licence", "expectedRelease": "\(testDay(30))", "expectedArrival": "\(testDay(30))",
                "licenceEnd": "\(testDay(400))",
            ]
        ),
        (
            "risk",
            [
                "roshOverall": "high", "roshPublic": "high", "mappaCategory": "2", "mappaLevel": "1",
                "riskToStaff": "Verbal threats when drinking",
            ]
        ),
        ("offences", ["offenceFlags": ["arson"]]),
        ("needs", ["roomNeeds": ["isStepFreeDesignated"], "healthNeeds": "Diabetes, insulin twice a day", "substanceMisuse": "Alcohol"]),
        (
            "location",
            [
                "homeDistrict": "M14", "radiusMiles": 40, "exclusionZones": "Not within 1 mile of M20 2AB",
                "preferredAreas": "South Manchester",
            ]
        ),
        (
            "licence",
            [
                "licenceConditions": "Reside as directed; no contact with the victim", "licenceCurfewStart": "19:00",
                "licenceCurfewEnd": "07:00",
            ]
        ),
        ("move-on", ["moveOnPlan": "Housing register in Manchester; family in Stockport may help"]),
    ]

    /// A draft started and every section saved by `who`; its id.
    static func completeDraft(_ client: some TestClientProtocol, _ world: TestWorld, by who: String) async throws -> String {
        let started = try await client.execute(uri: "/referral-drafts", method: .post, headers: world.headers(who))
        #expect(started.status == .created, "\(started.text)")
        let id = try #require(try started.json()["id"] as? String)
        for (section, answers) in sections {
            let saved = try await client.execute(
                uri: "/referral-drafts/\(id)/sections/\(section)", method: .put, headers: world.headers(who), body: json(answers))
            #expect(saved.status == .ok, "\(section): \(saved.text)")
        }
        return id
    }

    @Test("an administrator adds a practitioner with an e-mail address and a region (and a team); without either, each is named")
    func account() async throws {
        try await withApp { client, world in
            let missing = try await client.execute(
                uri: "/staff", method: .post, headers: world.headers("admin"),
                body: json(["username": "p.new", "displayName": "Pat New", "role": "probation_practitioner", "password": Fixtures.password])
            )
            #expect(missing.status == .unprocessableContent, "\(missing.text)")
            let fields = ((try missing.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
            #expect(Set(fields) == ["regionCode", "email"])
            let added = try await client.execute(
                uri: "/staff", method: .post, headers: world.headers("admin"),
                body: json([
                    "username": "p.new", "displayName": "Pat New", "role": "probation_practitioner", "password": Fixtures.password,
                    "email": "pat.new@probation.example", "regionCode": "NW", "team": "Manchester North OMU",
                ]))
            #expect(added.status == .created, "\(added.text)")
            #expect(try added.json()["team"] as? String == "Manchester North OMU")
            let teamForOthers = try await client.execute(
                uri: "/staff", method: .post, headers: world.headers("admin"),
                body: json([
                    "username": "r.new", "displayName": "Rae New", "role": "referral_manager", "password": Fixtures.password, "team": "CRU",
                ]))
            #expect(teamForOthers.status == .unprocessableContent, "\(teamForOthers.text)")
        }
    }

    @Test("a draft is saved section by section with the intake rules of its fields, submitted whole, and enters the queue as submitted")
    func applyJourney() async throws {
        try await withApp { client, world in
            let started = try await client.execute(uri: "/referral-drafts", method: .post, headers: world.headers("pp"))
            let id = try #require(try started.json()["id"] as? String)
            let page = "/referral-drafts/\(id)/sections/"

            // A section with mistakes saves nothing, and names each field with its rule.
            let wrong = try await client.execute(
                uri: page + "person", method: .put, headers: world.headers("pp"),
                body: json(["crn": "P123456", "dateOfBirth": "\(testDay(-365 * 10))", "gender": "man"]))
            #expect(wrong.status == .unprocessableContent, "\(wrong.text)")
            let problems = ((try wrong.json()["errors"] as? [[String: Any]]) ?? []).map {
                "\($0["field"] as? String ?? "")/\($0["rule"] as? String ?? "")"
            }
            #expect(Set(problems) == ["personName/needed", "dateOfBirth/age"], "\(problems)")
            let impossible = try await client.execute(
                uri: page + "sentence", method: .put, headers: world.headers("pp"),
                body: json(["releaseType": "licence", "expectedRelease": "\(testDay(30))", "expectedArrival": "\(testDay(20))"]))
            #expect(impossible.status == .unprocessableContent)
            #expect(impossible.text.contains("expectedArrival"), "\(impossible.text)")
            let unknown = try await client.execute(
                uri: page + "location", method: .put, headers: world.headers("pp"), body: json(["homeDistrict": "ZZ99"]))
            #expect(unknown.status == .unprocessableContent && unknown.text.contains("homeDistrict"), "\(unknown.text)")
            let read = try await client.execute(uri: "/referral-drafts/\(id)", method: .get, headers: world.headers("pp"))
            #expect((try read.json()["draft"] as? [String: Any])?["sectionsSaved"] as? [String] == [])

            // Saved, a section stays; submitting early names what is missing.
            let person = try await client.execute(
                uri: page + "person", method: .put, headers: world.headers("pp"), body: json(Self.sections[0].1))
            #expect(person.status == .ok, "\(person.text)")
            let early = try await client.execute(
                uri: "/referral-drafts/\(id)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            #expect(early.status == .unprocessableContent)
            let earlyFields = Set(((try early.json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String })
            #expect(
                earlyFields.isSuperset(of: ["sections", "expectedArrival", "roshOverall", "homeDistrict", "moveOnPlan"]), "\(earlyFields)")
            #expect(!earlyFields.contains("crn"))

            for (section, answers) in Self.sections.dropFirst() {
                let saved = try await client.execute(
                    uri: page + section, method: .put, headers: world.headers("pp"), body: json(answers))
                #expect(saved.status == .ok, "\(section): \(saved.text)")
            }
            let undeclared = try await client.execute(
                uri: "/referral-drafts/\(id)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": false]))
            #expect(undeclared.status == .unprocessableContent && undeclared.text.contains("declaration"))
            let complete = try await client.execute(uri: "/referral-drafts/\(id)", method: .get, headers: world.headers("pp"))
            #expect((try complete.json()["problems"] as? [Any])?.isEmpty == true, "\(complete.text)")

            // Another practitioner cannot read, save or submit it: there is none for them.
            for (method, uri, body) in [
                (HTTPRequest.Method.get, "/referral-drafts/\(id)", nil), (.put, page + "person", json(Self.sections[0].1)),
                (.post, "/referral-drafts/\(id)/submission", json(["declaration": true])), (.delete, "/referral-drafts/\(id)", nil),
            ] as [(HTTPRequest.Method, String, ByteBuffer?)] {
                let response = try await client.execute(uri: uri, method: method, headers: world.headers("pp2"), body: body)
                #expect(response.status == .notFound, "\(method) \(uri): \(response.status)")
                #expect(!response.text.contains("Casey"))
            }

            let submitted = try await client.execute(
                uri: "/referral-drafts/\(id)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            #expect(submitted.status == .created, "\(submitted.text)")
            let referral = try submitted.json()
            #expect(referral["status"] as? String == "submitted")
            #expect(referral["ownerId"] as? String == world.staff["pp"]!.id.uuidString.lowercased())
            let details = try #require(referral["details"] as? [String: Any])
            #expect(details["referrerEmail"] as? String == "pp@probation.example")
            #expect(details["referrerRegion"] as? String == "NW")
            #expect(details["healthNeeds"] as? String == "Diabetes, insulin twice a day")
            #expect(details["licenceEnd"] as? String == "\(testDay(400))")
            #expect(details["moveOnPlan"] as? String != nil)

            // Once: the draft is the referral now.
            let again = try await client.execute(
                uri: "/referral-drafts/\(id)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            #expect(again.status == .conflict)
            let drafts = try await client.execute(uri: "/referral-drafts", method: .get, headers: world.headers("pp"))
            #expect((try drafts.json()["items"] as? [Any])?.isEmpty == true)
            let count: Int = try await world.pool.query("SELECT count(*)::int AS n FROM referral WHERE crn = 'P123456'")[0].decode("n")
            #expect(count == 1)

            // The queue's staff see it as they see any referral, with who the practitioner is.
            let queue = try await client.execute(uri: "/referrals?status=submitted", method: .get, headers: world.headers("referrals"))
            let names = ((try queue.json()["items"] as? [[String: Any]]) ?? []).compactMap {
                ($0["details"] as? [String: Any])?["referrerName"] as? String
            }
            #expect(names.contains("Pp"))
        }
    }

    @Test(
        "a practitioner follows their own referral: answers a question, adds information, sees the booking, arrival and departure summary")
    func followIt() async throws {
        try await withApp { client, world in
            let draft = try await Self.completeDraft(client, world, by: "pp")
            let submitted = try await client.execute(
                uri: "/referral-drafts/\(draft)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            let id = try #require(try submitted.json()["id"] as? String)
            let referral = "/referrals/\(id)"
            func decide(_ who: String, _ body: [String: Any]) async throws -> TestResponse {
                try await client.execute(uri: referral + "/decisions", method: .post, headers: world.headers(who), body: json(body))
            }
            #expect(
                try await decide("referrals", ["decision": "request_information", "note": "Who supports him in Stockport?"]).status == .ok)
            // The practitioner may answer and add; not assess.
            #expect(try await decide("pp", ["decision": "accept"]).status == .forbidden)
            let answered = try await decide("pp", ["decision": "provide_information", "note": "His sister, who visits weekly"])
            #expect(answered.status == .ok)
            #expect(try answered.json()["status"] as? String == "submitted", "\(answered.text)")
            let added = try await decide("pp", ["decision": "add_information", "note": "He starts a course in January"])
            #expect(added.status == .ok)
            #expect(try added.json()["status"] as? String == "submitted", "\(added.text)")
            #expect(try await decide("referrals", ["decision": "accept"]).status == .ok)

            // Not booked yet: the story has no stay, and no summary.
            let before = try await client.execute(uri: referral + "/progress", method: .get, headers: world.headers("pp"))
            #expect((try before.json()["stays"] as? [Any])?.isEmpty == true)
            let admin = try await world.fixtures.signIn("admin").principal
            _ = try await PremisesStore(pool: world.pool).update(
                world.elm, expectedVersion: 1, changes: PremisesChanges(address: "1 Elm Road, Manchester", telephone: "0161 496 0000"),
                by: admin)
            let rooms = RoomStore(pool: world.pool)
            let room = try await rooms.addRoom(
                premisesID: world.elm, name: "Room 2", floor: "0", characteristics: ["isStepFreeDesignated", "isArsonSuitable"], by: admin)
            let bed = try await rooms.addBed(
                roomID: room.id, label: "2", inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: admin)
            let booked = try await client.execute(
                uri: referral + "/booking", method: .post, headers: world.headers("referrals"),
                body: json([
                    "premisesId": world.elm.uuidString, "bedId": bed.id.uuidString, "arrival": "\(testDay(0))",
                    "departure": "\(testDay(60))",
                ]))
            #expect(booked.status == .created, "\(booked.text)")
            let placement = try #require((try booked.json()["placement"] as? [String: Any])?["id"] as? String)
            let stay = try await client.execute(uri: referral + "/progress", method: .get, headers: world.headers("pp"))
            let first = try #require((try stay.json()["stays"] as? [[String: Any]])?.first)
            #expect(first["premisesName"] as? String == "Premises ELM")
            #expect(first["telephone"] as? String == "0161 496 0000")
            #expect(first["address"] as? String == "1 Elm Road, Manchester")
            #expect(first["arrivedOn"] == nil)

            // The AP's own records stay the AP's: the placement, its record and its summary are not there for the practitioner.
            for uri in [
                "/placements/\(placement)", "/placements/\(placement)/record", "/placements/\(placement)/departure-summary",
                "/placements/\(placement)/movements", "/premises/\(world.elm)/bed-board?from=\(testDay(0))&nights=7", "/premises",
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: world.headers("pp"))
                #expect(response.status == .notFound, "\(uri): \(response.status)")
            }
            let early = try await client.execute(uri: referral + "/departure-summary", method: .get, headers: world.headers("pp"))
            #expect(early.status == .notFound)

            let placements = PlacementStore(pool: world.pool)
            let placementID = UUID(uuidString: placement)!
            _ = try await placements.arrive(placementID, at: Date(), keyWorkerID: nil, expectedVersion: nil, by: admin)
            let arrived = try await client.execute(uri: referral + "/progress", method: .get, headers: world.headers("pp"))
            #expect(((try arrived.json()["stays"] as? [[String: Any]])?.first?["arrivedOn"] as? String) != nil, "\(arrived.text)")
            _ = try await placements.depart(
                placementID, .init(departedAt: Date(), reason: "H", notes: "Left for his sister's"), expectedVersion: nil, by: admin)
            let summary = try await client.execute(uri: referral + "/departure-summary", method: .get, headers: world.headers("pp"))
            #expect(summary.status == .ok, "\(summary.text)")
            #expect(try summary.json()["personName"] as? String == "Casey Brook")
            let other = try await client.execute(uri: referral + "/departure-summary", method: .get, headers: world.headers("pp2"))
            #expect(other.status == .notFound)

            let timeline = try await client.execute(uri: referral, method: .get, headers: world.headers("pp"))
            let kinds = ((try timeline.json()["timeline"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["submitted", "information_requested", "information_given", "information_added", "accepted", "booked"])
        }
    }

    @Test("a practitioner sees only their own referrals; withdraws with a national reason; a case handed over changes hands")
    func ownership() async throws {
        try await withApp { client, world in
            let draft = try await Self.completeDraft(client, world, by: "pp")
            let submitted = try await client.execute(
                uri: "/referral-drafts/\(draft)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            let id = try #require(try submitted.json()["id"] as? String)
            func names(_ who: String) async throws -> [String] {
                let list = try await client.execute(uri: "/referrals", method: .get, headers: world.headers(who))
                return ((try list.json()["items"] as? [[String: Any]]) ?? []).compactMap {
                    ($0["details"] as? [String: Any])?["personName"] as? String
                }
            }
            #expect(try await names("pp") == ["Casey Brook"])
            #expect(try await names("pp2").isEmpty)
            // The world's own referral (typed in by the unit) is no practitioner's.
            let theirs = try await client.execute(uri: "/referrals/\(world.referral)", method: .get, headers: world.headers("pp"))
            #expect(theirs.status == .notFound && !theirs.text.contains("Robin"))
            for uri in ["/referrals/\(id)", "/referrals/\(id)/progress"] {
                let response = try await client.execute(uri: uri, method: .get, headers: world.headers("pp2"))
                #expect(response.status == .notFound, "\(uri)")
            }
            let probe = try await client.execute(
                uri: "/referrals/\(id)/decisions", method: .post, headers: world.headers("pp2"),
                body: json(["decision": "withdraw", "withdrawalReason": "duplicate_application"]))
            #expect(probe.status == .notFound)

            // Handed to pp2: pp no longer sees it, pp2 does and is its referrer; the timeline says so.
            let handed = try await client.execute(
                uri: "/referrals/\(id)/owner", method: .put, headers: world.headers("admin"),
                body: json(["practitionerId": world.staff["pp2"]!.id.uuidString]))
            #expect(handed.status == .ok, "\(handed.text)")
            #expect((try handed.json()["details"] as? [String: Any])?["referrerEmail"] as? String == "pp2@probation.example")
            #expect(try await names("pp").isEmpty)
            #expect(try await names("pp2") == ["Casey Brook"])
            let notPractitioner = try await client.execute(
                uri: "/referrals/\(id)/owner", method: .put, headers: world.headers("admin"),
                body: json(["practitionerId": world.staff["referrals"]!.id.uuidString]))
            #expect(notPractitioner.status == .unprocessableContent && notPractitioner.text.contains("practitionerId"))

            // Withdrawing needs a reason from the national list.
            let bare = try await client.execute(
                uri: "/referrals/\(id)/decisions", method: .post, headers: world.headers("pp2"), body: json(["decision": "withdraw"]))
            #expect(bare.status == .unprocessableContent && bare.text.contains("withdrawalReason"), "\(bare.text)")
            let made = try await client.execute(
                uri: "/referrals/\(id)/decisions", method: .post, headers: world.headers("pp2"),
                body: json(["decision": "withdraw", "withdrawalReason": "other_accommodation_identified"]))
            #expect(made.status == .ok, "\(made.text)")
            #expect(try made.json()["withdrawalReason"] as? String == "other_accommodation_identified")
            let timeline = try await client.execute(uri: "/referrals/\(id)", method: .get, headers: world.headers("pp2"))
            let entries = (try timeline.json()["timeline"] as? [[String: Any]]) ?? []
            #expect(entries.compactMap { $0["kind"] as? String } == ["submitted", "handed_over", "withdrawn"])
            #expect(entries[1]["note"] as? String == "from Pp to Pp2")
            #expect(entries[2]["note"] as? String == "Other accommodation has been found")
        }
    }

    @Test("bad input on every section is named on that section, field and rule; a section refused saves nothing")
    func badInputEverySection() async throws {
        try await withApp { client, world in
            let started = try await client.execute(uri: "/referral-drafts", method: .post, headers: world.headers("pp"))
            let id = try #require(try started.json()["id"] as? String)
            let cases: [(String, [String: Any], Set<String>)] = [
                (
                    "person", ["crn": "X123456", "personName": " ", "gender": "man", "dateOfBirth": "\(testDay(1))"],
                    ["personName/needed", "dateOfBirth/age"]
                ),
                (
                    "sentence",
                    [
                        "releaseType": "bail", "expectedRelease": "\(testDay(40))", "expectedArrival": "\(testDay(30))",
                        "licenceEnd": "\(testDay(20))",
                    ],
                    ["releaseType/unknown", "expectedArrival/order", "licenceEnd/order"]
                ),
                ("risk", ["roshPublic": "high", "riskToStaff": "none"], ["roshOverall/needed"]),
                (
                    "needs", ["roomNeeds": ["hasLift"], "premisesNeeds": ["notACharacteristic"], "apType": "NOPE"],
                    ["roomNeeds/unknown", "premisesNeeds/unknown", "apType/unknown"]
                ),
                ("location", ["homeDistrict": "ZZ99"], ["homeDistrict/unknown"]),
                ("licence", ["licenceCurfewStart": "19:00"], ["licenceCurfewEnd/pair"]),
                ("move-on", ["otherInformation": "a plan to come"], ["moveOnPlan/needed"]),
            ]
            for (section, body, expected) in cases {
                let response = try await client.execute(
                    uri: "/referral-drafts/\(id)/sections/\(section)", method: .put, headers: world.headers("pp"), body: json(body))
                #expect(response.status == .unprocessableContent, "\(section): \(response.status) \(response.text)")
                let named = Set(
                    ((try response.json()["errors"] as? [[String: Any]]) ?? []).map {
                        "\($0["field"] as? String ?? "")/\($0["rule"] as? String ?? "")"
                    })
                #expect(named == expected, "\(section): \(named)")
                let fields = Set(named.map { String($0.split(separator: "/")[0]) })
                #expect(
                    fields.allSatisfy { ReferralDraft.Section.asking($0)?.rawValue == section }, "\(section) names another section's field")
            }
            let read = try await client.execute(uri: "/referral-drafts/\(id)", method: .get, headers: world.headers("pp"))
            let draft = try #require(try read.json()["draft"] as? [String: Any])
            #expect(draft["sectionsSaved"] as? [String] == [])
            #expect((draft["answers"] as? [String: Any])?.isEmpty == true, "\(read.text)")
            let submitted = try await client.execute(
                uri: "/referral-drafts/\(id)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            #expect(submitted.status == .unprocessableContent)
            let count: Int = try await world.pool.query(
                "SELECT count(*)::int AS n FROM referral WHERE owner_id = \(world.staff["pp"]!.id)")[0]
                .decode("n")
            #expect(count == 0)
        }
    }

    @Test("the practitioner is told of their own referral, and only of it")
    func toldOfTheirOwn() async throws {
        try await withApp { client, world in
            let mine = try await Self.completeDraft(client, world, by: "pp")
            let submitted = try await client.execute(
                uri: "/referral-drafts/\(mine)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            let id = try #require(try submitted.json()["id"] as? String)
            _ = try await client.execute(
                uri: "/referrals/\(id)/decisions", method: .post, headers: world.headers("referrals"),
                body: json(["decision": "request_information", "note": "Which GP?"]))
            let rows = try await world.pool.query(
                "SELECT event, referral_id::text AS referral FROM notification WHERE recipient = 'pp@probation.example' ORDER BY seq")
            #expect(try rows.map { try $0.decode("event", as: String.self) } == ["referral_received", "information_requested"])
            #expect(try rows.allSatisfy { try $0.decode("referral", as: String.self) == id })
            let others: Int = try await world.pool.query(
                "SELECT count(*)::int AS n FROM notification WHERE recipient = 'pp@probation.example' AND referral_id <> \(UUID(uuidString: id)!)"
            )[0].decode("n")
            #expect(others == 0)
        }
    }

    @Test("ap staff add opens a practitioner's account; ap referrals lists, shows and decides on their own referrals only")
    func commandLine() async throws {
        try await withApp(.live) { client, world in
            let folder = try CommandLineTests.scratchFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let admin = try await CommandLineTests.signedIn("admin", to: client, in: folder, world.fixtures)
            let add = try await CommandLineTests.ap(
                [
                    "staff", "add", "p.patel", "--name", "Priya Patel", "--role", "probation_practitioner", "--region", "NW",
                    "--email", "priya.patel@probation.example", "--team", "Manchester North OMU",
                ], config: admin, stdin: "a-long-password\n")
            #expect(add.status == 0, "\(add.output)")
            let noEmail = try await CommandLineTests.ap(
                ["staff", "add", "p.other", "--name", "Pat Other", "--role", "probation_practitioner", "--region", "NW"], config: admin,
                stdin: "a-long-password\n")
            #expect(noEmail.status != 0 && noEmail.output.contains("email"), "\(noEmail.output)")

            let draft = try await Self.completeDraft(client, world, by: "pp")
            let submitted = try await client.execute(
                uri: "/referral-drafts/\(draft)/submission", method: .post, headers: world.headers("pp"), body: json(["declaration": true]))
            let id = try #require(try submitted.json()["id"] as? String)
            let pp = try await CommandLineTests.signedIn("pp", to: client, in: folder, world.fixtures)
            let list = try await CommandLineTests.ap(["referrals", "list"], config: pp)
            #expect(list.status == 0 && list.output.contains("Casey Brook") && !list.output.contains("Robin Reed"), "\(list.output)")
            let show = try await CommandLineTests.ap(["referrals", "show", id], config: pp)
            #expect(show.status == 0 && show.output.contains("Casey Brook"), "\(show.output)")
            let other = try await CommandLineTests.ap(["referrals", "show", world.referral.uuidString], config: pp)
            #expect(other.status != 0 && !other.output.contains("Robin"), "\(other.output)")
            let added = try await CommandLineTests.ap(
                ["referrals", "decide", id, "add_information", "--note", "He starts a course in January"], config: pp)
            #expect(added.status == 0, "\(added.output)")
            let bare = try await CommandLineTests.ap(["referrals", "decide", id, "withdraw"], config: pp)
            #expect(bare.status != 0 && bare.output.contains("withdrawalReason"), "\(bare.output)")
            let handed = try await CommandLineTests.ap(["referrals", "hand-over", id, "--to", "p.patel"], config: admin)
            #expect(handed.status == 0 && handed.output.contains("Priya Patel's referral"), "\(handed.output)")
            let gone = try await CommandLineTests.ap(["referrals", "show", id], config: pp)
            #expect(gone.status != 0, "\(gone.output)")
            let patel = folder.appendingPathComponent("patel.json")
            try await world.fixtures.enrol("p.patel")
            let login = try await CommandLineTests.ap(
                ["login", "p.patel", "--server", "http://127.0.0.1:\(try #require(client.port))"], config: patel,
                stdin: try await world.fixtures.loginInput("p.patel", password: "a-long-password"))
            #expect(login.status == 0, "\(login.output)")
            let withdrawn = try await CommandLineTests.ap(
                ["referrals", "decide", id, "withdraw", "--reason", "duplicate_application"], config: patel)
            #expect(withdrawn.status == 0 && withdrawn.output.contains("withdrawn"), "\(withdrawn.output)")
        }
    }
}
