import Foundation

/// Proposes a bed for every upcoming placement still without one, each for its whole stay with
/// no moves, around what is already allocated and out of service.
///
/// Placements are taken in order of arrival (then the longest stay first); each gets, of the
/// beds that have everything it needs and are free on every night of its stay, the one with
/// the fewest characteristics it does not need (keeping special rooms for those who need
/// them), then the one whose last use ends nearest before the arrival (packing stays
/// together). In order of start this is the classic interval-colouring greedy, which never
/// uses more beds than the busiest night needs when beds are alike; with room needs it is a
/// good plan, not a proven best one, and says so for any placement it cannot fit.
public enum AllocationPlanner {
    /// A bed as the planner sees it.
    public struct BedSlot: Sendable, Equatable {
        public var id: UUID
        public var label: String
        public var characteristics: Set<String>
        /// The nights the bed is in use.
        public var inUse: Nights
        /// Nights already taken: allocations and out-of-service periods.
        public var busy: [Nights]

        /// A value with each field given.
        public init(id: UUID, label: String, characteristics: Set<String>, inUse: Nights, busy: [Nights]) {
            self.id = id
            self.label = label
            self.characteristics = characteristics
            self.inUse = inUse
            self.busy = busy
        }
    }

    /// A placement waiting for a bed.
    public struct Request: Sendable, Equatable {
        public var placementID: UUID
        public var personName: String
        public var nights: Nights
        public var needs: Set<String>

        /// A value with each field given.
        public init(placementID: UUID, personName: String, nights: Nights, needs: Set<String>) {
            self.placementID = placementID
            self.personName = personName
            self.nights = nights
            self.needs = needs
        }
    }

    /// The plan: a bed for each placement that fits, and why each other one does not.
    public struct Plan: Sendable, Equatable {
        public var assignments: [(placementID: UUID, bedID: UUID)]
        public var unfitted: [(placementID: UUID, reason: String)]

        /// Plans are equal when they assign and leave out the same placements.
        public static func == (lhs: Plan, rhs: Plan) -> Bool {
            lhs.assignments.map { [$0.placementID, $0.bedID] } == rhs.assignments.map { [$0.placementID, $0.bedID] }
                && lhs.unfitted.map { "\($0.placementID)\($0.reason)" } == rhs.unfitted.map { "\($0.placementID)\($0.reason)" }
        }
    }

    /// Plans beds for `requests` around what `beds` already have.
    public static func plan(_ requests: [Request], beds: [BedSlot]) -> Plan {
        var beds = beds
        var plan = Plan(assignments: [], unfitted: [])
        let ordered = requests.sorted {
            ($0.nights.first, -$0.nights.count, $0.personName) < ($1.nights.first, -$1.nights.count, $1.personName)
        }
        for request in ordered {
            let suitable = beds.indices.filter { request.needs.isSubset(of: beds[$0].characteristics) }
            if suitable.isEmpty {
                plan.unfitted.append(
                    (
                        request.placementID,
                        "no bed at the premises has \(request.needs.sorted().joined(separator: " and "))"
                    ))
                continue
            }
            let inUse = suitable.filter { beds[$0].inUse.first <= request.nights.first && beds[$0].inUse.end >= request.nights.end }
            let free = inUse.filter { index in !beds[index].busy.contains { $0.overlaps(request.nights) } }
            guard let best = free.min(by: { score(beds[$0], for: request) < score(beds[$1], for: request) }) else {
                let kind = request.needs.isEmpty ? "bed" : "bed with \(request.needs.sorted().joined(separator: " and "))"
                plan.unfitted.append(
                    (
                        request.placementID,
                        "every \(kind) is taken or out of service on some night of \(request.nights.first) to \(request.nights.end.adding(days: -1)) (\(suitable.count) suitable, none free throughout): it would need a move part-way"
                    ))
                continue
            }
            beds[best].busy.append(request.nights)
            plan.assignments.append((request.placementID, beds[best].id))
        }
        return plan
    }

    /// Lower is better: spare characteristics first, then the gap before the arrival.
    static func score(_ bed: BedSlot, for request: Request) -> (Int, Int, String) {
        let spare = bed.characteristics.subtracting(request.needs).count
        let lastEnd = bed.busy.filter { $0.end <= request.nights.first }.map(\.end).max()
        let gap = lastEnd.map { $0.days(to: request.nights.first) } ?? Int.max / 2
        return (spare, gap, bed.label)
    }
}
