import Foundation
import Postgres

extension RoomStore {
    /// Takes a bed out of use for good from a night on (`from`, the first night it is not in
    /// use): its in-use range ends there, so the bed board shows it as not in use from that night
    /// and nothing can be allocated to it. Refused, naming the resident and the night, when
    /// someone is allocated to the bed on that night or later (move them first); the database
    /// refuses it too (`bed_in_use_covers_allocations`). `from` is today or later (the premises'
    /// today), and after the bed's first night in use.
    public func retireBed(_ bedID: UUID, from: CalendarDate, by principal: Principal, now: Date = Date()) async throws -> Bed {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                guard
                    let row = try await connection.first(
                        """
                        SELECT id, room_id, premises_id, label, lower(in_use) AS first, upper(in_use) AS until
                        FROM bed WHERE id = \(bedID) FOR UPDATE
                        """)
                else { throw DomainError(.notFound, "there is no bed \(bedID.uuidString.lowercased())") }
                let premises = try await PremisesAccess.require(
                    principal, Self.keepers, to: "retire beds", premisesID: try row.decode("premises_id"), on: connection)
                let before = Bed(
                    id: bedID, roomID: try row.decode("room_id"), label: try row.decode("label"), inUseFrom: try row.decode("first"),
                    inUseUntil: try row.decode("until"))
                let today = CalendarDate.today(in: premises.timeZone, now: now)
                if from < today {
                    throw DomainError.invalid(
                        field: "from", rule: "past", "from must be today (\(today)) or later: a bed is retired from a night still to come")
                }
                if from <= before.inUseFrom {
                    throw DomainError.invalid(
                        field: "from", rule: "order", "from must be after the bed's first night in use (\(before.inUseFrom))")
                }
                if let until = before.inUseUntil, until <= from {
                    throw DomainError(
                        .conflict, "bed \(before.label) is already out of use from \(until)",
                        problems: [
                            FieldProblem(field: "from", rule: "retired", message: "bed \(before.label) is already out of use from \(until)")
                        ])
                }
                if let allocated = try await connection.first(
                    """
                    SELECT p.person_name, greatest(lower(a.nights), \(from)::date) AS night
                    FROM bed_allocation a JOIN placement p ON p.id = a.placement_id
                    WHERE a.bed_id = \(bedID) AND a.released_at IS NULL AND a.nights && daterange(\(from)::date, NULL)
                    ORDER BY lower(a.nights) LIMIT 1
                    """)
                {
                    let who: String = try allocated.decode("person_name")
                    let night: CalendarDate = try allocated.decode("night")
                    let message = "bed \(before.label) is allocated to \(who) on \(night): move them to another bed first"
                    throw DomainError(.conflict, message, problems: [FieldProblem(field: "from", rule: "allocated", message: message)])
                }
                try await connection.execute(
                    "UPDATE bed SET in_use = daterange(lower(in_use), \(from)::date, '[)') WHERE id = \(bedID)")
                var after = before
                after.inUseUntil = from
                try await AuditLog.record(
                    on: connection, by: principal, action: "bed.retire", entity: "bed", entityID: bedID.uuidString, before: before,
                    after: after)
                return after
            }
        }
    }
}
