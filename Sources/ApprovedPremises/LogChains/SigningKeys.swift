import Crypto
import Foundation

/// A signed statement that a key began to sign this service's checkpoints: the first key
/// (signed by itself) or a change of key, signed by the new key and by the key it replaces. The
/// list of them (`keys.jsonl` beside the checkpoints, and in the witness) is the list of every
/// public key the service has used and when; it never holds a private key. A key that signs
/// checkpoints without a record signed by the key before it is a change nobody who held the
/// service's key made.
public struct KeyRecord: Codable, Sendable, Equatable {
    public static let version = "ap-key-v1"

    public var version: String
    /// From when the key signs, RFC 3339 in UTC with microseconds (signed as written).
    public var at: String
    /// The new key's public half (hex).
    public var key: String
    /// The public half of the key it replaces; nil for the service's first key.
    public var previous: String?
    /// Ed25519 by the new key over `signedBytes` (hex).
    public var signature: String
    /// Ed25519 by the key it replaces over the same bytes (hex); nil for the first key.
    public var previousSignature: String?

    /// What is signed, by both keys: the version, time, new key and the one it replaces.
    public var signedBytes: [UInt8] { Array("\(version)|\(at)|\(key)|\(previous ?? "first")|".utf8) }

    /// When the key began to sign.
    public var date: Date? { Checkpoint.parse(at) }

    /// The record of `key` beginning to sign at `date`: the first key, or replacing `previous`.
    public static func introducing(_ key: CheckpointKey, replacing previous: CheckpointKey?, at date: Date) throws -> KeyRecord {
        var record = KeyRecord(
            version: version, at: Checkpoint.format(date), key: key.publicKey, previous: previous?.publicKey, signature: "",
            previousSignature: nil)
        record.signature = ChainEncoding.hex(Array(try key.privateKey.signature(for: Data(record.signedBytes))))
        record.previousSignature = try previous.map { ChainEncoding.hex(Array(try $0.privateKey.signature(for: Data(record.signedBytes)))) }
        return record
    }

    /// The record as one line of JSON (keys sorted), as written to `keys.jsonl`.
    public func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A record from a line of `keys.jsonl` or a witness (nil when the line is not one).
    public static func decode(_ text: some StringProtocol) -> KeyRecord? {
        guard let record = try? JSONDecoder().decode(KeyRecord.self, from: Data(text.utf8)), record.version == version else { return nil }
        return record
    }

    /// Whether both the signatures it needs hold.
    var signed: Bool {
        Signatures.valid(signature, by: key, over: signedBytes)
            && (previous.map { Signatures.valid(previousSignature ?? "", by: $0, over: signedBytes) } ?? true)
    }
}

/// Ed25519 signatures checked with a named public key (hex), whatever key the service has now.
enum Signatures {
    static func valid(_ signature: String, by publicKey: String, over bytes: [UInt8]) -> Bool {
        guard let raw = ChainEncoding.bytes(hex: publicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let signature = ChainEncoding.bytes(hex: signature)
        else { return false }
        return key.isValidSignature(Data(signature), for: Data(bytes))
    }
}

/// Every key the service has used, each with the time it signed for, read from key records:
/// the first key, then each change signed by the key before it. Records that do not follow
/// (a second first key, a change the key before did not sign) are problems, never keys.
public struct Keyring: Sendable {
    /// One key and its period: from `from` (nil: since the first checkpoint) until `until` (nil: now).
    public struct Period: Sendable {
        public var key: String
        public var from: Date?
        public var until: Date?
    }

    public private(set) var periods: [Period] = []
    /// What does not follow, in words.
    public private(set) var problems: [String] = []

    /// How long after a change of key a checkpoint signed with the key it replaced is still
    /// accepted: the service may have read its key file just before it changed.
    static let overlap: TimeInterval = 120

    /// The keyring the records make, in time order (the same record twice counts once).
    public init(records: [KeyRecord]) {
        var seen = Set<String>()
        let ordered = records.filter { seen.insert($0.signature).inserted }.sorted { ($0.date ?? .distantPast) < ($1.date ?? .distantPast) }
        for record in ordered {
            let short = "\(record.key.prefix(12))…"
            guard record.signed, let date = record.date else {
                problems.append("the record of key \(short) (\(record.at)) is not signed as it says: the list of keys was changed")
                continue
            }
            guard let current = periods.last else {
                if record.previous == nil {
                    periods.append(Period(key: record.key, from: nil, until: nil))
                } else {
                    problems.append("the list of keys begins with a change to \(short) at \(record.at): its first key is missing")
                    periods.append(Period(key: record.key, from: date, until: nil))
                }
                continue
            }
            guard record.previous == current.key else {
                problems.append(
                    "key \(short) began to sign at \(record.at) without a change of key signed by the key then in use (\(current.key.prefix(12))…): nobody who held the service's key made that change"
                )
                continue
            }
            periods[periods.count - 1].until = date
            periods.append(Period(key: record.key, from: date, until: nil))
        }
    }

    /// A keyring of one key, for a service whose checkpoint folder has no list of keys (before
    /// keys were listed): its own key, from the first checkpoint.
    public init(onlyKey key: String) {
        periods = [Period(key: key, from: nil, until: nil)]
    }

    public var isEmpty: Bool { periods.isEmpty }

    /// What is wrong with a checkpoint's signature, or nil when it is signed by a listed key,
    /// for the time it was in use, and unchanged since.
    public func problem(with checkpoint: Checkpoint, at date: Date) -> String? {
        let short = "\(checkpoint.key.prefix(12))…"
        guard let period = periods.first(where: { $0.key == checkpoint.key }) else {
            return "it was signed with a key this service never listed (\(short)): a key swapped in without a signed change of key"
        }
        guard Signatures.valid(checkpoint.signature, by: checkpoint.key, over: checkpoint.signedBytes) else {
            return "the line was changed after it was signed"
        }
        if let from = period.from, date < from {
            return "it was signed with key \(short) before that key began to sign (\(Checkpoint.format(from)))"
        }
        if let until = period.until, date > until.addingTimeInterval(Self.overlap) {
            return "it was signed with key \(short) after that key was replaced (\(Checkpoint.format(until)))"
        }
        return nil
    }

    /// A key's period in words, for a receipt: "this service's key since …", "a former key of
    /// this service, used from … to …", or nil when the service never listed it.
    public func describe(_ key: String) -> String? {
        guard let period = periods.first(where: { $0.key == key }) else { return nil }
        let from = period.from.map { " from \(Checkpoint.format($0))" } ?? ""
        if let until = period.until {
            return "a former key of this service (\(key.prefix(12))…), used\(from) until \(Checkpoint.format(until))"
        }
        return "this service's current key (\(key.prefix(12))…)" + (from.isEmpty ? "" : ", in use since \(from.dropFirst(6))")
    }
}
