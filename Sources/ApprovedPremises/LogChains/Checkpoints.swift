import Crypto
import Foundation

/// A signed statement of where a premises' chains stood at a moment: for each log, its last
/// sequence number and last hash. Written outside the database (`CheckpointFolder`), signed with
/// a key the database never holds (`CheckpointKey`), so a rewrite of anything it covers is found
/// even by someone who can rewrite every row and every hash. A premises' latest checkpoint is also
/// the receipt its staff may take and keep (`ap verify --receipt`).
public struct Checkpoint: Codable, Sendable, Equatable {
    /// One chain's head: its log, last sequence number (0 when empty) and last hash (hex).
    public struct Head: Codable, Sendable, Equatable {
        public var log: String
        public var seq: Int64
        public var hash: String?

        public init(log: String, seq: Int64, hash: String?) {
            self.log = log
            self.seq = seq
            self.hash = hash
        }
    }

    public static let version = "ap-checkpoint-v1"

    public var version: String
    /// When it was taken, RFC 3339 in UTC with microseconds (signed as written).
    public var at: String
    /// The premises, or nil for the national audit chain.
    public var premisesID: String?
    public var premisesCode: String?
    public var heads: [Head]
    /// The signing key's public half (hex), naming the key it claims to be signed with.
    public var key: String
    /// Ed25519 over `signedBytes` (hex).
    public var signature: String

    public init(version: String, at: String, premisesID: String?, premisesCode: String?, heads: [Head], key: String, signature: String) {
        self.version = version
        self.at = at
        self.premisesID = premisesID
        self.premisesCode = premisesCode
        self.heads = heads
        self.key = key
        self.signature = signature
    }

    /// What is signed: the version, time, premises and each head, in a fixed order.
    public var signedBytes: [UInt8] {
        var text = "\(version)|\(at)|\(premisesID ?? "national")|"
        for head in heads { text += "\(head.log):\(head.seq):\(head.hash ?? "-")|" }
        return Array(text.utf8)
    }

    /// When it was taken.
    public var date: Date? { Checkpoint.parse(at) }

    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    static func parse(_ text: String) -> Date? {
        try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    /// The checkpoint as one line of JSON (keys sorted), as written to the folder.
    public func line() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A checkpoint from a line of the folder or a receipt file.
    public static func decode(_ text: some StringProtocol) throws -> Checkpoint {
        try JSONDecoder().decode(Checkpoint.self, from: Data(text.utf8))
    }
}

/// The Ed25519 key that signs checkpoints, read from the file named by `AP_SIGNING_KEY_FILE`:
/// the private key's 32 bytes as hex on one line (`ap db keygen` writes it). Never stored in the
/// database.
public struct CheckpointKey: Sendable {
    /// The private key's 32 bytes (the key type itself is not `Sendable`).
    let raw: [UInt8]

    var privateKey: Curve25519.Signing.PrivateKey {
        // The bytes were read as a key when this value was made.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// A new key.
    public init() {
        raw = Array(Curve25519.Signing.PrivateKey().rawRepresentation)
    }

    /// The key in a file, or an error naming the file and what is wrong with it.
    public init(file: String) throws {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw DomainError(.invalid, "AP_SIGNING_KEY_FILE: cannot read \(file)")
        }
        guard let bytes = ChainEncoding.bytes(hex: text.trimmingCharacters(in: .whitespacesAndNewlines)), bytes.count == 32,
            (try? Curve25519.Signing.PrivateKey(rawRepresentation: bytes)) != nil
        else {
            throw DomainError(
                .invalid, "AP_SIGNING_KEY_FILE: \(file) does not hold an Ed25519 private key (64 hex digits; make one with ap db keygen)")
        }
        raw = bytes
    }

    /// The private key as the key file holds it.
    public var fileText: String { ChainEncoding.hex(raw) + "\n" }

    /// The public half, hex.
    public var publicKey: String { ChainEncoding.hex(Array(privateKey.publicKey.rawRepresentation)) }

    /// Signs a checkpoint's heads at a time.
    public func sign(at date: Date, premisesID: UUID?, premisesCode: String?, heads: [Checkpoint.Head]) throws -> Checkpoint {
        var checkpoint = Checkpoint(
            version: Checkpoint.version, at: Checkpoint.format(date), premisesID: premisesID?.uuidString.lowercased(),
            premisesCode: premisesCode, heads: heads, key: publicKey, signature: "")
        checkpoint.signature = ChainEncoding.hex(Array(try privateKey.signature(for: Data(checkpoint.signedBytes))))
        return checkpoint
    }

    /// Whether a checkpoint was signed by this key, as it reads now.
    public func signed(_ checkpoint: Checkpoint) -> Bool {
        checkpoint.key == publicKey && Signatures.valid(checkpoint.signature, by: publicKey, over: checkpoint.signedBytes)
    }
}

/// The write-once folder of checkpoints named by `AP_CHECKPOINT_DIR`, outside the database: one
/// file a day (`checkpoints-YYYY-MM-DD.jsonl`, UTC), one checkpoint a line, only ever appended
/// (opened with O_APPEND, each line written whole and synced), never rewritten.
public struct CheckpointFolder: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// One line as read back, with where it was.
    public struct Line: Sendable {
        public var file: String
        public var number: Int
        public var text: String
    }

    /// Appends a checkpoint to the day's file, creating the folder and file when needed.
    public func append(_ checkpoint: Checkpoint, on date: Date) throws {
        try append(line: try checkpoint.line(), to: "checkpoints-\(String(Checkpoint.format(date).prefix(10))).jsonl")
    }

    /// The list of keys beside the checkpoints.
    public static let keysFile = "keys.jsonl"

    /// Appends a key record to the list of keys.
    public func append(_ record: KeyRecord) throws {
        try append(line: try record.line(), to: Self.keysFile)
    }

    /// Every key record in the list of keys, and the lines of it that are not one.
    public func keyRecords() -> (records: [KeyRecord], unreadable: [Line]) {
        guard let text = try? String(contentsOfFile: "\(path)/\(Self.keysFile)", encoding: .utf8) else { return ([], []) }
        var records = [KeyRecord]()
        var unreadable = [Line]()
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            if let record = KeyRecord.decode(line) {
                records.append(record)
            } else {
                unreadable.append(Line(file: Self.keysFile, number: index + 1, text: String(line)))
            }
        }
        return (records, unreadable)
    }

    /// Appends one line, whole and synced, opened append-only.
    func append(line: String, to name: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let file = "\(path)/\(name)"
        let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT, 0o640)
        guard descriptor >= 0 else { throw DomainError(.unavailable, "cannot append to \(file)") }
        defer { close(descriptor) }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw DomainError(.unavailable, "could not write a whole line to \(file)")
        }
    }

    /// Every line of every day's file, oldest day first.
    public func lines() throws -> [Line] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        var lines = [Line]()
        for name in names.filter({ $0.hasPrefix("checkpoints-") && $0.hasSuffix(".jsonl") }).sorted() {
            guard let text = try? String(contentsOfFile: "\(path)/\(name)", encoding: .utf8) else { continue }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
                lines.append(Line(file: name, number: index + 1, text: String(line)))
            }
        }
        return lines
    }
}

/// How the service keeps checkpoints: the key and the folder, when configured, and the witness
/// outside this machine that each checkpoint also goes to.
public struct CheckpointSettings: Sendable {
    public var key: CheckpointKey?
    /// The file the key was read from (`AP_SIGNING_KEY_FILE`): read again before each
    /// checkpoint, so that a key made by `ap db keygen` signs from the next one on.
    public var keyFile: String?
    public var folder: CheckpointFolder?
    /// A second folder on other storage every checkpoint and key record is also appended to
    /// (`AP_CHECKPOINT_WITNESS_DIR`).
    public var witnessFolder: CheckpointFolder?
    /// An address sent a daily digest of the latest checkpoints and, at each handover, the
    /// premises' checkpoint, through the outbox (`AP_CHECKPOINT_WITNESS_EMAIL`).
    public var witnessEmail: String?
    /// What was last written of each chain (shared by the copies of these settings).
    public let memory = CheckpointMemory()

    public init(
        key: CheckpointKey? = nil, keyFile: String? = nil, folder: CheckpointFolder? = nil, witnessFolder: CheckpointFolder? = nil,
        witnessEmail: String? = nil
    ) {
        self.key = key
        self.keyFile = keyFile
        self.folder = folder
        self.witnessFolder = witnessFolder
        self.witnessEmail = witnessEmail
    }

    /// The key to sign with now: the key file as it reads now, or the key given.
    func currentKey() -> CheckpointKey? {
        keyFile.flatMap { try? CheckpointKey(file: $0) } ?? key
    }

    public static let none = CheckpointSettings()
}
