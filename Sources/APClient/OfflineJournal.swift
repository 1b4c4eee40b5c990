import AsyncHTTPClient
import Foundation
import NIOCore

/// What the night shift records while the service cannot be reached: each request kept on
/// this PC, with its `Idempotency-Key` and the time it happened, until the service has it.
///
/// The journal is a file of JSON lines in the config folder (`journal-USERNAME.jsonl`, mode
/// 0600), one per member of staff: a journal is sent only under the name of the person who
/// wrote it. Lines are only ever appended, each written and fsynced before `ap` says anything:
/// an entry saved, and later what became of it (sent, refused with the service's reason, put
/// back to be sent again, or discarded with a reason). Nothing is ever silently dropped.
public struct OfflineJournal: Sendable {
    /// The journal's file.
    public let file: URL
    /// Whose journal it is.
    public let username: String

    /// One request kept on this PC.
    public struct Entry: Codable, Sendable, Equatable {
        /// 1, 2, 3 … in this journal.
        public var number: Int
        /// What it records, in words ("Sign Jo Bloggs in at 23:40").
        public var summary: String
        /// The request: a POST to `path` with `body` (JSON) under `idempotencyKey`.
        public var path: String
        public var body: String
        public var idempotencyKey: String
        /// When it happened, and when it was saved.
        public var occurredAt: Date
        public var savedAt: Date
        /// The service it was recorded for (its address and the id it reports): it is sent
        /// there and nowhere else. Nil only in journals written before `ap` kept them.
        public var server: String?
        public var serviceID: String?

        /// Whether the entry belongs to the service at `server` that reports `serviceID`.
        public func belongs(to server: String, serviceID: String?) -> Bool {
            self.server == nil || (self.server == server && self.serviceID == serviceID)
        }
    }

    /// Where an entry stands.
    public enum State: Sendable, Equatable {
        case waiting
        case sent
        case refused(reason: String)
        case discarded(reason: String)
    }

    /// One line of the file.
    struct Line: Codable {
        var saved: Entry?
        var sent: Int?
        var refused: Int?
        var resend: Int?
        var discarded: Int?
        var reason: String?
        var at: Date
    }

    /// The journal of `username` in the folder of the config file `config`.
    public init(username: String, config: URL = CLIConfig.path()) {
        self.file = Self.file("journal", of: username, ext: "jsonl", config: config)
        self.username = username
    }

    /// A file of `username`'s beside the config file: `PREFIX-USERNAME.EXT`, the name kept to
    /// letters, digits and `.-_`.
    static func file(_ prefix: String, of username: String, ext: String, config: URL) -> URL {
        let safe = username.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" }
        return config.deletingLastPathComponent().appendingPathComponent("\(prefix)-\(String(safe)).\(ext)")
    }

    /// Every entry, oldest first, with where it stands.
    public func entries() throws -> [(entry: Entry, state: State)] {
        guard let data = FileManager.default.contents(atPath: file.path) else { return [] }
        let decoder = Self.decoder
        var entries = [Entry]()
        var states = [Int: State]()
        for text in data.split(separator: UInt8(ascii: "\n")) where !text.isEmpty {
            // A line cut short by a crash while it was written is the last one, and never
            // acknowledged: it is left out.
            guard let line = try? decoder.decode(Line.self, from: Data(text)) else { continue }
            if let saved = line.saved {
                entries.append(saved)
                states[saved.number] = .waiting
            }
            if let number = line.sent { states[number] = .sent }
            if let number = line.refused { states[number] = .refused(reason: line.reason ?? "") }
            if let number = line.resend { states[number] = .waiting }
            if let number = line.discarded { states[number] = .discarded(reason: line.reason ?? "") }
        }
        return entries.map { ($0, states[$0.number] ?? .waiting) }
    }

    /// Keeps a request, durably, and answers how many are now waiting.
    @discardableResult
    public func save(
        summary: String, path: String, body: some Encodable, idempotencyKey: String, occurredAt: Date, server: String?, serviceID: String?,
        now: Date = Date()
    ) throws -> Int {
        let encoder = Self.encoder
        let known = try entries()
        let entry = Entry(
            number: (known.map(\.entry.number).max() ?? 0) + 1, summary: summary, path: path,
            body: String(decoding: try encoder.encode(body), as: UTF8.self),
            idempotencyKey: idempotencyKey, occurredAt: occurredAt, savedAt: now, server: server, serviceID: serviceID)
        try append(Line(saved: entry, at: now))
        return known.filter { $0.state == .waiting }.count + 1
    }

    /// Times to the millisecond (the API reads fractional seconds), so that what is kept is the
    /// moment it happened rather than the second before; whole seconds are read too.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Reads what `encoder` wrote, and the whole seconds of journals written before it.
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            if let date = try? Date(text, strategy: .iso8601) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        return decoder
    }

    /// Marks a refused entry to be sent again.
    public func resend(_ number: Int) throws {
        guard let found = try entries().first(where: { $0.entry.number == number }) else {
            throw CLIError("there is no entry \(number) on this PC")
        }
        guard case .refused = found.state else { throw CLIError("entry \(number) was not refused: it is \(Self.words(found.state))") }
        try append(Line(resend: number, at: Date()))
    }

    /// Sets an entry aside for good, with the reason, never sending it.
    public func discard(_ number: Int, reason: String) throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw CLIError("say why the entry is discarded, with --reason") }
        guard let found = try entries().first(where: { $0.entry.number == number }) else {
            throw CLIError("there is no entry \(number) on this PC")
        }
        guard found.state != .sent else { throw CLIError("entry \(number) was sent already") }
        try append(Line(discarded: number, reason: reason, at: Date()))
    }

    /// What became of sending the waiting entries.
    public struct Sending: Sendable {
        public var sent = 0
        public var refused = [(entry: Entry, reason: String)]()
        /// The service could not be reached (or its session ended): the rest still wait.
        public var stopped: String?
        /// Entries waiting for another service (by its address), left unsent.
        public var elsewhere = [String: Int]()
    }

    /// Sends what is waiting, oldest first, each under its own key: an entry the service takes
    /// (or had taken before: it replays its first answer) is sent; one it refuses (4xx) is
    /// kept, marked refused with its reason. Sending stops at the first entry that cannot get
    /// through, or when the session has ended (401: sign in again and they go). An entry
    /// recorded for another service (another address, or another service at this one) is never
    /// sent here: it waits for its own.
    public func send(to server: URL, token: String?, serviceID: String?) async throws -> Sending {
        var result = Sending()
        for (entry, state) in try entries() where state == .waiting {
            guard entry.belongs(to: server.absoluteString, serviceID: serviceID) else {
                result.elsewhere[entry.server ?? "", default: 0] += 1
                continue
            }
            var request = HTTPClientRequest(url: server.absoluteString + entry.path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Idempotency-Key", value: entry.idempotencyKey)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.body = .bytes(ByteBuffer(string: entry.body))
            let status: Int
            let answer: String
            do {
                let response = try await HTTPClient.commandLine.execute(request, timeout: .seconds(10))
                status = Int(response.status.code)
                answer = String(buffer: try await response.body.collect(upTo: 1 << 20))
            } catch {
                result.stopped = "the service could not be reached"
                return result
            }
            switch status {
            case 200..<300:
                try append(Line(sent: entry.number, at: Date()))
                result.sent += 1
            case 401:
                result.stopped = "your session has ended: run `ap login \(username)` and they are sent"
                return result
            case 500...:
                result.stopped = "the service answered \(status)"
                return result
            default:
                let detail = (try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any])?["detail"] as? String
                let reason = detail ?? "the service answered \(status)"
                try append(Line(refused: entry.number, reason: reason, at: Date()))
                result.refused.append((entry, reason))
            }
        }
        return result
    }

    /// Where an entry stands, in words.
    public static func words(_ state: State) -> String {
        switch state {
        case .waiting: "waiting"
        case .sent: "sent"
        case .refused(let reason): "REFUSED: \(reason)"
        case .discarded(let reason): "discarded: \(reason)"
        }
    }

    /// Appends one line and makes it durable before returning; the file is its owner's only.
    private func append(_ line: Line) throws {
        let folder = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = Self.encoder
        var bytes = [UInt8](try encoder.encode(line))
        bytes.append(UInt8(ascii: "\n"))
        let fd = open(file.path, O_RDWR | O_APPEND | O_CREAT, 0o600)
        guard fd >= 0 else { throw CLIError("cannot write \(file.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // A line a crash cut short has no newline: this one starts on a line of its own.
        var status = stat()
        if fstat(fd, &status) == 0, status.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, status.st_size - 1) == 1, last != UInt8(ascii: "\n") { bytes.insert(UInt8(ascii: "\n"), at: 0) }
        }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw CLIError("cannot write \(file.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// The last state `ap` fetched, kept on this PC so that the night shift can go on recording
/// (and see who is in, as of then) while the service cannot be reached. One per member of
/// staff, beside the journal (`offline-USERNAME.json`, mode 0600).
public struct OfflineSnapshot: Codable, Sendable {
    public var premisesID: String
    public var premisesCode: String?
    public var timeZone: String
    public var staffID: String?
    public var fetchedAt: Date
    /// The service it was fetched from (its address and the id it reports).
    public var server: String?
    public var serviceID: String?
    public var residents: [Components.Schemas.ResidentState]
    public var nightChecks: Components.Schemas.NightChecks?

    /// A value with each field given.
    public init(
        premisesID: String, premisesCode: String?, timeZone: String, staffID: String?, fetchedAt: Date, server: String?, serviceID: String?,
        residents: [Components.Schemas.ResidentState], nightChecks: Components.Schemas.NightChecks?
    ) {
        self.server = server
        self.serviceID = serviceID
        self.premisesID = premisesID
        self.premisesCode = premisesCode
        self.timeZone = timeZone
        self.staffID = staffID
        self.fetchedAt = fetchedAt
        self.residents = residents
        self.nightChecks = nightChecks
    }

    static func file(_ username: String, config: URL) -> URL {
        OfflineJournal.file("offline", of: username, ext: "json", config: config)
    }

    /// The snapshot kept for `username`, if any.
    public static func load(_ username: String, config: URL = CLIConfig.path()) -> OfflineSnapshot? {
        guard let data = FileManager.default.contents(atPath: file(username, config: config).path) else { return nil }
        let decoder = OfflineJournal.decoder
        return try? decoder.decode(OfflineSnapshot.self, from: data)
    }

    /// Keeps the snapshot for `username` (replacing the last one whole).
    public func save(_ username: String, config: URL = CLIConfig.path()) throws {
        let target = Self.file(username, config: config)
        let folder = target.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = OfflineJournal.encoder
        let temporary = folder.appendingPathComponent(".offline.\(getpid())")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: try encoder.encode(self), attributes: [.posixPermissions: 0o600]),
            rename(temporary.path, target.path) == 0
        else {
            try? FileManager.default.removeItem(at: temporary)
            throw CLIError("cannot write \(target.path)")
        }
    }
}
