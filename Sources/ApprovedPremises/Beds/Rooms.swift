import Foundation
import Postgres

/// A room of a premises, with its beds.
public struct Room: Sendable, Equatable, Codable {
    public var id: UUID
    public var premisesID: UUID
    public var name: String
    public var floor: String?
    /// Room characteristic codes (`room_characteristics.csv`).
    public var characteristics: [String]
    public var beds: [Bed]
}

/// A bed in a room.
public struct Bed: Sendable, Equatable, Codable {
    public var id: UUID
    public var roomID: UUID
    public var label: String
    /// The first night it can be used.
    public var inUseFrom: CalendarDate
    /// The day after its last night in use; nil while it stays in use.
    public var inUseUntil: CalendarDate?
}

/// Rooms and beds: kept by administrators and the premises' AP manager.
public struct RoomStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who keeps the rooms and beds of a premises, and takes beds out of service.
    public static let keepers: Set<Role> = [.administrator, .apManager]

    /// Adds a room with its characteristics.
    public func addRoom(premisesID: UUID, name: String, floor: String?, characteristics: [String], by principal: Principal) async throws
        -> Room
    {
        var validation = Validation()
        validation.require(!name.isBlank, field: "name", rule: "required", "name is required")
        try validation.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await PremisesAccess.require(principal, Self.keepers, to: "add rooms", premisesID: premisesID, on: connection)
                let room = try await Self.insertRoom(
                    premisesID: premisesID, name: name, floor: floor, characteristics: characteristics, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "room.create", entity: "room",
                    entityID: room.id.uuidString, before: Room?.none, after: room)
                return room
            }
        }
    }

    static func insertRoom(premisesID: UUID, name: String, floor: String?, characteristics: [String], on connection: PostgresConnection)
        async throws -> Room
    {
        let id: UUID = try await connection.one(
            """
            INSERT INTO room (premises_id, name, floor) VALUES (\(premisesID), \(name), \(floor)) RETURNING id
            """
        ).decode("id")
        for code in Set(characteristics).sorted() {
            try await connection.execute("INSERT INTO room_feature (room_id, characteristic_code) VALUES (\(id), \(code))")
        }
        return Room(id: id, premisesID: premisesID, name: name, floor: floor, characteristics: Set(characteristics).sorted(), beds: [])
    }

    /// Adds a bed to a room, in use from a night (and, optionally, until one).
    public func addBed(roomID: UUID, label: String, inUseFrom: CalendarDate?, inUseUntil: CalendarDate?, by principal: Principal)
        async throws -> Bed
    {
        var validation = Validation()
        validation.require(!label.isBlank, field: "label", rule: "required", "label is required")
        try validation.check()
        return try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                guard let row = try await connection.first("SELECT premises_id FROM room WHERE id = \(roomID)") else {
                    throw DomainError(.notFound, "there is no room \(roomID.uuidString.lowercased())")
                }
                let premisesID: UUID = try row.decode("premises_id")
                let premises = try await PremisesAccess.require(
                    principal, Self.keepers, to: "add beds", premisesID: premisesID, on: connection)
                // A bed comes into use today, the premises' today, unless it says otherwise.
                let from = inUseFrom ?? CalendarDate.today(in: premises.timeZone)
                if let until = inUseUntil, until <= from {
                    throw DomainError.invalid(field: "inUseUntil", rule: "order", "inUseUntil must be after inUseFrom")
                }
                let bed = try await Self.insertBed(
                    roomID: roomID, premisesID: premisesID, label: label, inUseFrom: from, inUseUntil: inUseUntil, on: connection)
                try await AuditLog.record(
                    on: connection, by: principal, action: "bed.create", entity: "bed",
                    entityID: bed.id.uuidString, before: Bed?.none, after: bed)
                return bed
            }
        }
    }

    static func insertBed(
        roomID: UUID, premisesID: UUID, label: String, inUseFrom: CalendarDate, inUseUntil: CalendarDate?, on connection: PostgresConnection
    ) async throws -> Bed {
        let id: UUID = try await connection.one(
            """
            INSERT INTO bed (room_id, premises_id, label, in_use)
            VALUES (\(roomID), \(premisesID), \(label), daterange(\(inUseFrom)::date, \(inUseUntil)::date, '[)'))
            RETURNING id
            """
        ).decode("id")
        return Bed(id: id, roomID: roomID, label: label, inUseFrom: inUseFrom, inUseUntil: inUseUntil)
    }

    /// Every room of a premises with its beds, by name.
    public func rooms(premisesID: UUID, by principal: Principal) async throws -> [Room] {
        try await pool.withConnection { connection in
            try await PremisesAccess.require(principal, Set(Role.allCases), to: "see rooms", premisesID: premisesID, on: connection)
            let rooms = try await connection.query(
                """
                SELECT r.id, r.name, r.floor,
                       coalesce((SELECT string_agg(f.characteristic_code, ',' ORDER BY f.characteristic_code) FROM room_feature f WHERE f.room_id = r.id), '') AS features
                FROM room r WHERE r.premises_id = \(premisesID) ORDER BY r.name
                """)
            let beds = try await connection.query(
                """
                SELECT id, room_id, label, lower(in_use) AS first, upper(in_use) AS until
                FROM bed WHERE premises_id = \(premisesID) ORDER BY label
                """)
            var bedsByRoom = [UUID: [Bed]]()
            for row in beds {
                let bed = Bed(
                    id: try row.decode("id"), roomID: try row.decode("room_id"), label: try row.decode("label"),
                    inUseFrom: try row.decode("first"), inUseUntil: try row.decode("until"))
                bedsByRoom[bed.roomID, default: []].append(bed)
            }
            return try rooms.map { row in
                let id: UUID = try row.decode("id")
                let features: String = try row.decode("features")
                return Room(
                    id: id, premisesID: premisesID, name: try row.decode("name"), floor: try row.decode("floor"),
                    characteristics: features.split(separator: ",").map(String.init), beds: bedsByRoom[id] ?? [])
            }
        }
    }
}
