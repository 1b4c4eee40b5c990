import ApprovedPremises
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import TestSupport

@testable import APServer

/// The tests' calendar, counted from yesterday in London so that the tests hold on whatever day
/// they run: the world's placement is expected on `testDay(0)` and leaves on `testDay(9)`.
func testDay(_ offset: Int) -> CalendarDate {
    CalendarDate.today(in: Premises.defaultTimeZone).adding(days: offset - 1)
}

/// The real service over a database of the test's own, with the premises and accounts that
/// the role tests use: two APs in two regions and one account for each role.
struct TestWorld: Sendable {
    let pool: PostgresPool
    let fixtures: Fixtures
    let elm: UUID
    let oak: UUID
    /// username → staff record
    let staff: [String: Staff]
    /// username → bearer token
    let tokens: [String: String]
    /// A room with one bed at Elm, and an upcoming placement there.
    let room: UUID
    let bed: UUID
    let placement: UUID
    /// An accepted referral, ready to match, offered to Elm.
    let referral: UUID

    /// One account per role; all but `oak.manager` and the national roles work at Elm (NW).
    static let accounts: [(String, Role)] = [
        ("admin", .administrator), ("manager", .apManager), ("night", .residentialWorker), ("keyworker", .keyWorker),
        ("referrals", .referralManager), ("regional", .regionalManager), ("oak.manager", .apManager),
        ("spare", .referralManager), ("pp", .probationPractitioner), ("pp2", .probationPractitioner), ("sar", .sarOfficer),
    ]

    static func make(pool: PostgresPool) async throws -> TestWorld {
        let fixtures = Fixtures(pool: pool)
        let elm = try await fixtures.premises("ELM", region: "NW")
        let oak = try await fixtures.premises("OAK", region: "YH")
        var staff = [String: Staff]()
        var tokens = [String: String]()
        for (username, role) in accounts {
            let premises: UUID? = role.isPremisesStaff ? (username == "oak.manager" ? oak : elm) : nil
            staff[username] = try await fixtures.staff(username, role, premises: premises, region: role.isRegional ? "NW" : nil)
            tokens[username] = try await fixtures.signIn(username).token
        }
        let admin = try await fixtures.signIn("admin").principal
        let room = try await RoomStore(pool: pool).addRoom(
            premisesID: elm, name: "Room 1", floor: "1", characteristics: ["isSingle"], by: admin)
        let bed = try await RoomStore(pool: pool).addBed(
            roomID: room.id, label: "1", inUseFrom: CalendarDate("2026-01-01")!, inUseUntil: nil, by: admin)
        let placement = try await PlacementStore(pool: pool).book(
            NewPlacement(
                premisesID: elm, crn: "X000001", personName: "Sam Jones", expectedArrival: testDay(0),
                expectedDeparture: testDay(9)), by: admin)
        let referrals = ReferralStore(pool: pool)
        let referral = try await referrals.create(
            ReferralDetails(
                crn: "R000001", personName: "Robin Reed", dateOfBirth: CalendarDate("1980-01-01")!, gender: "man",
                referrerName: "Pat Officer", referrerEmail: "pat@probation.example", releaseType: "licence",
                expectedArrival: testDay(62), lengthOfStayDays: 14, roshOverall: "medium", homeDistrict: "M14"),
            by: admin, today: testDay(-8))
        _ = try await referrals.decide(referral.id, .accept(note: nil), expectedVersion: nil, by: admin)
        _ = try await referrals.offer(referral.id, to: elm, by: admin)
        return TestWorld(
            pool: pool, fixtures: fixtures, elm: elm, oak: oak, staff: staff, tokens: tokens,
            room: room.id, bed: bed.id, placement: placement.id, referral: referral.id)
    }

    func headers(_ username: String?, _ extra: HTTPFields = [:]) -> HTTPFields {
        var headers = extra
        if let username { headers[.authorization] = "Bearer \(tokens[username]!)" }
        headers[.contentType] = "application/json"
        return headers
    }
}

/// Runs `body` against the real router over a database of its own.
func withApp(
    _ setup: TestingSetup = .router, checkpoints: CheckpointSettings = .none, clock: @escaping ServiceClock = { Date() },
    _ body: @escaping @Sendable (any TestClientProtocol, TestWorld) async throws -> Void
) async throws {
    try await TestDatabase.withDatabase { pool in
        let world = try await TestWorld.make(pool: pool)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let router = try buildRouter(
            pool: pool, passwordHasher: PasswordHasher(cost: 4), checkpoints: checkpoints, clock: clock, logger: logger)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(setup) { client in
            try await body(DocumentedClient(client: client), world)
        }
    }
}

extension TestResponse {
    /// The body as JSON.
    func json() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] ?? [:]
    }

    /// The body as text.
    var text: String { String(buffer: body) }

    /// The field names of a problem answer's `errors`.
    func problemFields() throws -> [String] {
        ((try json()["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
    }
}

func json(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
}
