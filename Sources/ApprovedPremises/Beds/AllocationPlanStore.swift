import Foundation
import Postgres

/// Bed allocation plans: a bed proposed for every upcoming placement still without one, and
/// the plan applied in one transaction.
public struct AllocationPlanStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// A plan of beds for every upcoming placement of a premises still without one; with
    /// `apply`, the plan is carried out in one transaction (AP managers and administrators).
    public func suggest(premisesID: UUID, apply: Bool, by principal: Principal, now: Date = Date()) async throws -> (
        plan: AllocationPlanner.Plan, placements: [UUID: Placement], beds: [UUID: String]
    ) {
        try await ConstraintViolations.translating {
            try await pool.transaction { connection in
                let premises = try await PremisesAccess.require(
                    principal, PlacementStore.allocators, to: "allocate beds", premisesID: premisesID,
                    on: connection, lock: apply)
                let today = CalendarDate.today(in: premises.timeZone, now: now)
                let waiting = try await connection.query(
                    """
                    SELECT \(Placement.columns) FROM placement p
                    WHERE p.premises_id = \(premisesID) AND p.arrived_at IS NULL AND p.cancelled_at IS NULL AND p.non_arrived_at IS NULL
                      AND p.expected_departure > \(today)::date
                      AND NOT EXISTS (SELECT 1 FROM bed_allocation a WHERE a.placement_id = p.id AND a.released_at IS NULL)
                    """
                ).map(Placement.init(row:))
                let bedRows = try await connection.query(
                    """
                    SELECT b.id, b.label, lower(b.in_use) AS first, upper(b.in_use) AS until,
                           coalesce((SELECT string_agg(f.characteristic_code, ',') FROM room_feature f WHERE f.room_id = b.room_id), '') AS features
                    FROM bed b WHERE b.premises_id = \(premisesID)
                    """)
                let busyRows = try await connection.query(
                    """
                    SELECT a.bed_id, lower(a.nights) AS first, upper(a.nights) AS end FROM bed_allocation a JOIN bed b ON b.id = a.bed_id
                    WHERE b.premises_id = \(premisesID) AND a.released_at IS NULL
                    UNION ALL
                    SELECT o.bed_id, lower(o.nights), upper(o.nights) FROM bed_out_of_service o JOIN bed b ON b.id = o.bed_id
                    WHERE b.premises_id = \(premisesID) AND o.cancelled_at IS NULL
                    """)
                var busy = [UUID: [Nights]]()
                for row in busyRows {
                    busy[try row.decode("bed_id"), default: []].append(Nights(first: try row.decode("first"), end: try row.decode("end")))
                }
                var labels = [UUID: String]()
                let beds = try bedRows.map { row -> AllocationPlanner.BedSlot in
                    let id: UUID = try row.decode("id")
                    let label: String = try row.decode("label")
                    labels[id] = label
                    let until: CalendarDate? = try row.decode("until")
                    return AllocationPlanner.BedSlot(
                        id: id, label: label,
                        characteristics: Set((try row.decode("features", as: String.self)).split(separator: ",").map(String.init)),
                        inUse: Nights(first: try row.decode("first"), end: until ?? CalendarDate(daysSinceEpoch: Int(Int32.max))),
                        busy: busy[id] ?? [])
                }
                let requests = waiting.compactMap { placement in
                    placement.nights.map {
                        AllocationPlanner.Request(
                            placementID: placement.id, personName: placement.personName, nights: $0, needs: Set(placement.needs))
                    }
                }
                let plan = AllocationPlanner.plan(requests, beds: beds)
                var byID = [UUID: Placement]()
                for placement in waiting { byID[placement.id] = placement }
                if apply {
                    for assignment in plan.assignments {
                        try await PlacementStore.allocate(
                            byID[assignment.placementID]!, bedID: assignment.bedID, from: nil, by: principal, on: connection)
                    }
                }
                return (plan, byID, labels)
            }
        }
    }
}
