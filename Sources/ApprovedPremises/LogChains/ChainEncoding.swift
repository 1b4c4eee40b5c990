import Crypto
import Foundation

/// What an entry's hash covers, defined once: the chain trigger mirrors it in SQL
/// (`ap_chain_content` and `<table>_chain_content`, migration 0017), `ap verify` recomputes every
/// hash with it from the rows it reads (never calling the database's functions), and the national
/// seed hashes the rows it bulk-loads with it.
///
/// The encoding of an entry is the bytes of `ap-chain-v2|<table>|`, then for each column in
/// `columns` order `-` for NULL or `<length in bytes>:<text>`, each followed by `|`, where the text
/// is PostgreSQL's text output of the value in UTC with `DateStyle` ISO (a boolean is `t` or `f`).
/// Its hash is SHA-256 of the previous entry's hash (nothing for the first) and the encoding.
///
/// Since migration 0026 entries are written in `ap-chain-v3`: the same, except that each
/// `sealed` field (a person's free text) enters as its commitment, the hex of
/// sha256(salt || the field's text), kept beside the entry with its salt. Erasing the field and
/// its salt under the retention schedule leaves the commitment, so the hash still holds and
/// nothing can be read back. Entries written before keep `ap-chain-v2` (no commitments).
public enum ChainEncoding {
    public static let version = "ap-chain-v2"
    public static let sealedVersion = "ap-chain-v3"

    /// Each chained log's fields that enter a v3 hash as commitments (migration 0026's `ap_chain_sealed`).
    public static let sealed: [String: Set<String>] = [
        "movement": ["destination", "correction_reason"],
        "night_check": ["note"],
        "incident": ["amendment_reason", "location", "summary", "action_taken"],
        "audit_event": ["before", "after"],
    ]

    /// What an erased field may hold: nothing, or the word the schedule puts in its place.
    public static let erasedValues: Set<String?> = [nil, "erased"]

    /// The commitment to a sealed field: sha256(salt || text).
    public static func commitment(salt: [UInt8], text: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: salt)
        hasher.update(data: Array(text.utf8))
        return Array(hasher.finalize())
    }

    /// Each chained log's table and the columns its hash covers, in order: the id, the premises
    /// and place in the chain, and every column shown to staff or read by a rule.
    public static let columns: [String: [String]] = [
        "movement": [
            "id", "premises_id", "chain_seq", "placement_id", "kind", "occurred_at", "recorded_at", "recorded_by", "destination",
            "expected_back", "with_permission", "corrects_id", "correction_reason",
        ],
        "night_check": [
            "id", "premises_id", "chain_seq", "round_due_at", "placement_id", "observation", "observed_at", "note", "recorded_at",
            "recorded_by",
        ],
        "incident": [
            "id", "premises_id", "chain_seq", "incident_number", "amends_id", "amendment_reason", "kind", "severity", "occurred_at",
            "location", "summary", "residents", "staff", "action_taken", "told", "recorded_at", "recorded_by",
        ],
        "audit_event": [
            "id", "premises_id", "chain_seq", "occurred_at", "staff_id", "action", "entity", "entity_id", "before", "after",
            "request_id",
        ],
    ]

    /// Builds one entry's encoding field by field, in `columns` order.
    public struct Builder {
        public private(set) var bytes: [UInt8]

        public init(table: String, version: String = ChainEncoding.version) {
            bytes = Array("\(version)|\(table)|".utf8)
        }

        /// Empties the builder for the next entry of `table`, keeping its storage.
        public mutating func reset(table: String, version: String = ChainEncoding.version) {
            bytes.removeAll(keepingCapacity: true)
            bytes.append(contentsOf: "\(version)|\(table)|".utf8)
        }

        /// The next column's text, or NULL.
        public mutating func field<Text: Collection<UInt8>>(_ text: Text?) {
            if let text {
                bytes.append(contentsOf: String(text.count).utf8)
                bytes.append(58)  // ":"
                bytes.append(contentsOf: text)
            } else {
                bytes.append(45)  // "-"
            }
            bytes.append(124)  // "|"
        }

        public mutating func field(_ text: String?) {
            field(text.map { Array($0.utf8) })
        }
    }

    /// sha256(previous || encoding).
    public static func hash(previous: [UInt8]?, encoding: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        if let previous { hasher.update(data: previous) }
        hasher.update(data: encoding)
        return Array(hasher.finalize())
    }

    /// A hash as lowercase hex.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Bytes from hex (as `encode(…, 'hex')` prints them), or nil.
    public static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        case 65...70: digit - 55
        default: nil
        }
    }
}
