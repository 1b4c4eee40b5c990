import Foundation

/// One entry of the sign-out and sign-in log.
public struct Movement: Sendable, Equatable, Codable {
    public var id: Int64
    public var placementID: UUID
    public var kind: String
    public var occurredAt: Date
    public var recordedAt: Date
    public var recordedBy: String
    public var destination: String?
    public var expectedBack: Date?
    public var withPermission: Bool
    public var correctsID: Int64?
    public var correctionReason: String?
    /// Set when a later entry corrects this one: it no longer counts, but it stays.
    public var correctedByID: Int64?

    /// Recorded more than 15 minutes after it happened.
    public var isLateEntry: Bool { recordedAt.timeIntervalSince(occurredAt) > 15 * 60 }
}

/// Where a resident is now, for the night shift.
public struct ResidentState: Sendable, Equatable, Codable {
    /// Where a resident is now, as night staff act on it.
    public enum State: String, Sendable, Codable {
        case late
        case dueBackSoon = "due_back_soon"
        case out
        case awayWithPermission = "away_with_permission"
        case `in`
    }

    public var placementID: UUID
    public var personName: String
    public var crn: String
    public var bedLabel: String?
    public var state: State
    public var since: Date?
    public var destination: String?
    public var expectedBack: Date?
    /// For a late resident: minutes since the curfew window started (or since they went out, if later).
    public var minutesLate: Int?
    /// The curfew window in force now or next.
    public var curfewStart: Date?
    public var curfewEnd: Date?
}

/// Working out states: pure.
public enum NightState {
    /// The state of one resident at `now`.
    public static func state(
        lastOut: (at: Date, destination: String?, expectedBack: Date?, withPermission: Bool)?,
        windows: [CurfewWindow], now: Date
    ) -> (ResidentState.State, minutesLate: Int?, window: CurfewWindow?) {
        let current = windows.first { $0.start <= now && now < $0.end }
        let next = windows.filter { $0.start > now }.min { $0.start < $1.start }
        guard let out = lastOut else { return (.in, nil, current ?? next) }
        if out.withPermission { return (.awayWithPermission, nil, current ?? next) }
        if let current {
            let lateSince = max(current.start, out.at)
            return (.late, Int(now.timeIntervalSince(lateSince) / 60), current)
        }
        if let back = out.expectedBack, back.timeIntervalSince(now) <= 30 * 60 { return (.dueBackSoon, nil, next) }
        if let next, next.start.timeIntervalSince(now) <= 30 * 60 { return (.dueBackSoon, nil, next) }
        return (.out, nil, next)
    }

    /// Most urgent first: late (longest first), due back soon, out, away with permission, in.
    public static func sorted(_ states: [ResidentState]) -> [ResidentState] {
        let order: [ResidentState.State: Int] = [.late: 0, .dueBackSoon: 1, .out: 2, .awayWithPermission: 3, .in: 4]
        return states.sorted {
            (order[$0.state]!, -($0.minutesLate ?? 0), $0.personName) < (order[$1.state]!, -($1.minutesLate ?? 0), $1.personName)
        }
    }
}
