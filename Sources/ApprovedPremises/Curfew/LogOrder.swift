import Foundation

/// The order the sign-out and sign-in log keeps: a resident is signed out only while in, and
/// in only while out. Their state at a moment is read as who-is-in reads it: the arrival counts
/// as in, and the last uncorrected entry at or before that moment decides. Pure.
public enum LogOrder {
    /// One entry of the log as the rule reads it; `id` nil for the entry being written.
    public struct Step: Sendable, Equatable {
        public var id: Int64?
        public var kind: String
        public var at: Date

        /// A value with each field given.
        public init(id: Int64?, kind: String, at: Date) {
            self.id = id
            self.kind = kind
            self.at = at
        }
    }

    /// Two neighbours that repeat a state: `before` nil is the arrival (in).
    public struct Repeat: Sendable, Equatable {
        public var before: Step?
        public var after: Step

        /// A value with each field given.
        public init(before: Step?, after: Step) {
            self.before = before
            self.after = after
        }
    }

    /// The first pair of neighbours that repeat a state once `entry` joins `steps`, or nil when
    /// the log alternates. `steps` are the uncorrected entries around the entry's time, oldest
    /// first (an entry being corrected left out); `fromArrival` says that nothing earlier than
    /// the first of them is in the log, so the resident was in (arrived) before it.
    ///
    /// The entry goes after any step at the same moment, as it is written after them. A
    /// correction may restate the state before it (`restating`: "the entry corrected never
    /// happened; they stayed in"), but nothing after it may then repeat it.
    public static func firstRepeat(adding entry: Step, to steps: [Step], fromArrival: Bool, restating: Bool = false) -> Repeat? {
        var sequence = steps
        let place = sequence.firstIndex { $0.at > entry.at } ?? sequence.endIndex
        sequence.insert(entry, at: place)
        var previous: Step? = nil
        var previousKind: String? = fromArrival ? "in" : nil
        for step in sequence {
            if let kind = previousKind, kind == step.kind, !(restating && step == entry) {
                return Repeat(before: previous, after: step)
            }
            previous = step
            previousKind = step.kind
        }
        return nil
    }
}
