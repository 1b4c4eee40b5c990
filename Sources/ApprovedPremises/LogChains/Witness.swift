import Foundation

/// The checkpoints and key records a witness kept (a second folder, or a mailbox export), as
/// `ap verify --witness` sends them.
public struct Witness: Sendable {
    public var checkpoints: [Checkpoint]
    public var keys: [KeyRecord]

    /// The witness's lines: each one a checkpoint or a key record (any other line is skipped: a
    /// mailbox holds headers and words too).
    public init(lines: [String]) {
        var checkpoints = [Checkpoint]()
        var keys = [KeyRecord]()
        for line in lines {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.hasPrefix("{") else { continue }
            if let key = KeyRecord.decode(text) {
                keys.append(key)
            } else if let checkpoint = try? Checkpoint.decode(text), checkpoint.version == Checkpoint.version {
                checkpoints.append(checkpoint)
            }
        }
        self.checkpoints = checkpoints
        self.keys = keys
    }
}
