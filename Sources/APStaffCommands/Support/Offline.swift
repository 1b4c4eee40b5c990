import APClient
import Foundation

/// How the night shift's recording commands (`ap out`, `ap in`, `ap check`, `ap incident
/// record`) go on when the service cannot be reached: the request is kept in the member of
/// staff's journal on this PC (`OfflineJournal`) under the key it was first sent with, and
/// sent, in order, by the next `ap` command that reaches the service.
enum Offline {
    /// How long a recording command keeps trying before it saves the request on this PC:
    /// `AP_OFFLINE_AFTER_SECONDS`, else 10 seconds (a night worker at the door cannot wait a minute).
    static var retryFor: Duration {
        let environment = ProcessInfo.processInfo.environment
        guard let text = environment["AP_OFFLINE_AFTER_SECONDS"], let seconds = Int(text), (0...600).contains(seconds) else {
            return min(.seconds(10), Client.retryFor(environment: environment))
        }
        return .seconds(seconds)
    }

    /// Says something on stderr.
    static func say(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Sends what the signed-in member of staff saved on this PC, oldest first, saying what went,
    /// what was refused and what still waits; then reminds them of any refused entry not yet
    /// dealt with. Another person's journal is never sent.
    static func sendWaiting(config: CLIConfig, server: URL) async {
        guard let username = config.username, config.token != nil, config.server == server.absoluteString else { return }
        let journal = OfflineJournal(username: username)
        guard var entries = try? journal.entries(), !entries.isEmpty else { return }
        if entries.contains(where: { $0.state == .waiting }) {
            do {
                let result = try await journal.send(to: server, token: config.token, serviceID: config.serviceID)
                if result.sent > 0 {
                    say(
                        "Sent \(result.sent) \(result.sent == 1 ? "entry" : "entries") saved on this PC while the service could not be reached."
                    )
                }
                for (entry, reason) in result.refused {
                    say(
                        "Entry \(entry.number) (\(entry.summary)) was refused by the service: \(reason). It stays on this PC: ap sync --show"
                    )
                }
                entries = (try? journal.entries()) ?? entries
                for (other, count) in result.elsewhere.sorted(by: { $0.key < $1.key }) {
                    say(
                        "\(count) \(count == 1 ? "entry" : "entries") saved on this PC \(count == 1 ? "was" : "were") recorded for another service (\(other)) "
                            + "and \(count == 1 ? "waits" : "wait") for it: sign in to it with `ap login \(username) --server \(other)` to send \(count == 1 ? "it" : "them")."
                    )
                }
                let waiting = entries.filter {
                    $0.state == .waiting && $0.entry.belongs(to: server.absoluteString, serviceID: config.serviceID)
                }.count
                if let stopped = result.stopped, waiting > 0 {
                    say("\(waiting) \(waiting == 1 ? "entry" : "entries") still waiting on this PC (\(stopped)).")
                }
            } catch {
                say("The entries saved on this PC could not be read or marked: \(error)")
            }
        }
        let refused = entries.filter { if case .refused = $0.state { true } else { false } }
        if !refused.isEmpty {
            say(
                "\(refused.count) \(refused.count == 1 ? "entry" : "entries") saved on this PC \(refused.count == 1 ? "was" : "were") refused by the service "
                    + "and \(refused.count == 1 ? "needs" : "need") dealing with: ap sync --show")
        }
    }

    /// How old a list of residents may be and still be recorded against: one shift. Older, people
    /// may have arrived or left since, and an entry for them would be refused or wrong.
    static let listLastsFor: TimeInterval = 12 * 3600

    /// The snapshot to record against while the service cannot be reached, or why there is none:
    /// it must have been fetched from the service this PC is signed in to (the same address and
    /// the same service there), for the premises asked for, in the last `listLastsFor`.
    static func snapshot(_ config: CLIConfig, premises: String?, because error: any Error, now: Date = Date()) throws -> (
        OfflineSnapshot, OfflineJournal
    ) {
        let cause = CLIError.unwrapping(error)
        guard let username = config.username else { throw cause }
        guard let snapshot = OfflineSnapshot.load(username) else {
            throw CLIError("\(cause); nothing is saved: this PC has no list of residents yet (run `ap tonight` once the service is back)")
        }
        if snapshot.server != config.server || snapshot.serviceID != config.serviceID {
            throw CLIError(
                "\(cause); nothing is saved: this PC's list of residents came from another service (\(snapshot.server ?? "unknown")), "
                    + "not the one you are signed in to (\(config.server ?? "none")). Record on paper, and type it up with --at once the service is back"
            )
        }
        if let premises, premises.lowercased() != snapshot.premisesID, premises.uppercased() != snapshot.premisesCode {
            throw CLIError("\(cause); nothing is saved: this PC only has the residents of \(snapshot.premisesCode ?? snapshot.premisesID)")
        }
        guard now.timeIntervalSince(snapshot.fetchedAt) <= listLastsFor else {
            throw CLIError(
                "\(cause); nothing is saved: this PC's list of residents is from \(age(snapshot, now: now)), too old to record against "
                    + "(people may have arrived or left since). Record on paper, and type it up with --at once the service is back")
        }
        return (snapshot, OfflineJournal(username: username))
    }

    /// When the list was fetched, and how long ago: "23:10 on Sun 6 Dec, 47 minutes ago".
    static func age(_ snapshot: OfflineSnapshot, now: Date = Date()) -> String {
        let minutes = max(0, Int(now.timeIntervalSince(snapshot.fetchedAt) / 60))
        let ago = minutes < 120 ? "\(minutes) minute\(minutes == 1 ? "" : "s") ago" : "\(minutes / 60) hours ago"
        let local = (try? snapshot.context())?.local
        let when = local.map { "\($0.clock(snapshot.fetchedAt)) on \($0.dayName(snapshot.fetchedAt))" } ?? Terminal.time(snapshot.fetchedAt)
        return "\(when), \(ago)"
    }

    /// Keeps what was just fetched for the next time the service cannot be reached.
    static func keep(
        _ config: CLIConfig, _ here: PremisesContext, residents: [Components.Schemas.ResidentState],
        nightChecks: Components.Schemas.NightChecks? = nil
    ) {
        guard let username = config.username else { return }
        let last = OfflineSnapshot.load(username).flatMap {
            $0.premisesID == here.id && $0.server == config.server && $0.serviceID == config.serviceID ? $0 : nil
        }
        let snapshot = OfflineSnapshot(
            premisesID: here.id, premisesCode: here.code ?? last?.premisesCode, timeZone: here.timeZone.identifier,
            staffID: here.staffID ?? last?.staffID, fetchedAt: Date(), server: config.server, serviceID: config.serviceID,
            residents: residents,
            nightChecks: nightChecks ?? last?.nightChecks)
        try? snapshot.save(username)
    }

    /// Saves a request and says so, in the words the night shift sees.
    static func save(
        _ journal: OfflineJournal, _ config: CLIConfig, summary: String, path: String, body: some Encodable, key: String, occurredAt: Date
    ) throws {
        let waiting = try journal.save(
            summary: summary, path: path, body: body, idempotencyKey: key, occurredAt: occurredAt,
            server: config.server, serviceID: config.serviceID)
        print("Service unreachable: saved on this PC (\(waiting) waiting). It will be sent when the service is back.")
    }
}

extension OfflineSnapshot {
    /// The premises as the snapshot knows it.
    func context() throws -> PremisesContext {
        try PremisesContext(id: premisesID, timeZone: timeZone, code: premisesCode, staffID: staffID)
    }
}
