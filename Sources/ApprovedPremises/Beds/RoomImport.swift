import Foundation
import Postgres

/// Loading a premises' rooms and beds from CSV: `room,floor,characteristics,bed,in_use_from`,
/// one row per bed. All rows load in one transaction, or none do.
extension RoomStore {
    /// One bed's row of the file.
    struct ImportRow {
        var line: Int
        var room: String
        var floor: String?
        var characteristics: [String]
        var bed: String
        var inUseFrom: CalendarDate?
    }

    /// Loads the rows; rooms already there keep their characteristics and get the new beds.
    public func importCSV(_ text: String, premisesID: UUID, today: CalendarDate, by principal: Principal) async throws -> [Room] {
        let rows = try Self.parseImport(text)
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                try await PremisesAccess.require(principal, Self.keepers, to: "load rooms and beds", premisesID: premisesID, on: connection)
                var roomIDs = [String: UUID]()
                for row in try await connection.query("SELECT id, name FROM room WHERE premises_id = \(premisesID)") {
                    roomIDs[try row.decode("name")] = try row.decode("id")
                }
                for row in rows {
                    let roomID: UUID
                    if let existing = roomIDs[row.room] {
                        roomID = existing
                    } else {
                        roomID = try await Self.insertRoom(
                            premisesID: premisesID, name: row.room, floor: row.floor,
                            characteristics: row.characteristics, on: connection
                        ).id
                        roomIDs[row.room] = roomID
                    }
                    do {
                        _ = try await Self.insertBed(
                            roomID: roomID, premisesID: premisesID, label: row.bed,
                            inUseFrom: row.inUseFrom ?? today, inUseUntil: nil, on: connection)
                    } catch let error as PostgresError where error.constraint == "bed_label_is_unique_in_room" {
                        throw DomainError.invalid(
                            field: "line \(row.line)", rule: "unique", "line \(row.line): room \(row.room) already has a bed \(row.bed)")
                    }
                }
                try await AuditLog.record(
                    on: connection, by: principal, action: "room.import", entity: "premises",
                    entityID: premisesID.uuidString, before: String?.none,
                    after: ["beds": rows.count, "rooms": Set(rows.map(\.room)).count])
            }
        }
        return try await rooms(premisesID: premisesID, by: principal)
    }

    static func parseImport(_ text: String) throws -> [ImportRow] {
        let lines = CSV.parse(text)
        // The header's words may be joined by underscores, spaces or hyphens ("in use from").
        guard
            let header = lines.first?.map({
                $0.trimmingCharacters(in: .whitespaces).lowercased().replacing(/[ -]+/) { _ in "_" }
            }),
            header == ["room", "floor", "characteristics", "bed", "in_use_from"]
        else {
            throw DomainError.invalid(field: "line 1", rule: "header", "the first line must be: room,floor,characteristics,bed,in_use_from")
        }
        var rows = [ImportRow]()
        var validation = Validation()
        for (index, fields) in lines.dropFirst().enumerated() {
            let line = index + 2
            if fields.allSatisfy({ $0.isBlank }) { continue }
            guard fields.count == 5 else {
                validation.add(field: "line \(line)", rule: "columns", "line \(line) has \(fields.count) fields, not 5")
                continue
            }
            let cells = fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if cells[0].isEmpty { validation.add(field: "line \(line)", rule: "required", "line \(line): room is required") }
            if cells[3].isEmpty { validation.add(field: "line \(line)", rule: "required", "line \(line): bed is required") }
            var inUse: CalendarDate? = nil
            if !cells[4].isEmpty {
                inUse = CalendarDate(cells[4])
                if inUse == nil { validation.add(field: "line \(line)", rule: "format", "line \(line): in_use_from must be YYYY-MM-DD") }
            }
            rows.append(
                ImportRow(
                    line: line, room: cells[0], floor: cells[1].isEmpty ? nil : cells[1],
                    characteristics: cells[2].split(separator: " ").map(String.init), bed: cells[3], inUseFrom: inUse))
        }
        if rows.isEmpty && validation.problems.isEmpty {
            validation.add(field: "line 2", rule: "required", "the file has no beds")
        }
        try validation.check()
        return rows
    }
}

/// A small CSV reader: commas, double-quoted fields with "" for a quote, CRLF or LF lines.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows = [[String]]()
        var row = [String]()
        var field = ""
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return iterator.next()
        }
        while let character = next() {
            if quoted {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"": quoted = true
            case ",":
                row.append(field)
                field = ""
            case "\n", "\r\n":
                row.append(field)
                field = ""
                rows.append(row)
                row = []
            case "\r": break
            default: field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
