import Foundation
import Postgres

/// The outbox: messages are written by the database itself, in the transaction of the change
/// that must be told (sql/0021_notifications.sql); this store claims them for delivery, records
/// how each attempt went, lists them, and resends one.
public struct NotificationStore: Sendable {
    let pool: PostgresPool

    /// A store over the pool.
    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Who reads the outbox and resends a message: administrators.
    public static let administrators: Set<Role> = [.administrator]

    /// How retries go: the first after `firstRetry`, each later one twice as long after (at most
    /// an hour), until `giveUpAfter` from when the message was queued; then it is failed.
    public struct RetryPolicy: Sendable {
        public var firstRetry: Duration
        public var giveUpAfter: Duration

        /// A value with each field given: by default a minute, then a day.
        public init(firstRetry: Duration = .seconds(60), giveUpAfter: Duration = .seconds(86_400)) {
            self.firstRetry = firstRetry
            self.giveUpAfter = giveUpAfter
        }
    }

    /// Claims up to `limit` messages that are due, for `lease`: another service skips them
    /// (`FOR UPDATE SKIP LOCKED`) and, should this one die before saying how it went, they are
    /// due again when the lease ends. Each gets its `Message-ID`, made from its id and `domain`.
    public func claim(limit: Int, lease: Duration, domain: String) async throws -> [OutboxMessage] {
        let rows = try await pool.query(
            """
            UPDATE notification n
            SET attempts = n.attempts + 1,
                next_attempt_at = now() + make_interval(secs => \(Double(lease.components.seconds))),
                message_id = coalesce(n.message_id, '<' || n.id || '@' || \(domain) || '>')
            WHERE n.id IN (
                SELECT id FROM notification WHERE state = 'waiting' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING \(unsafeSQL: Self.columns)
            """)
        return try rows.map(Self.notification)
    }

    /// Records that the mail transfer agent took the message.
    public func markSent(_ id: UUID) async throws {
        try await pool.execute(
            "UPDATE notification SET state = 'sent', sent_at = now(), last_error = NULL WHERE id = \(id) AND state = 'waiting'")
    }

    /// Records a failed attempt with the agent's reason: tried again later, or failed once the
    /// policy gives up.
    public func markAttemptFailed(_ id: UUID, reason: String, policy: RetryPolicy) async throws {
        let first = Double(policy.firstRetry.components.seconds) + Double(policy.firstRetry.components.attoseconds) / 1e18
        let giveUp = Double(policy.giveUpAfter.components.seconds)
        try await pool.execute(
            """
            UPDATE notification
            SET last_error = \(String(reason.prefix(1000))),
                state = CASE WHEN now() >= queued_at + make_interval(secs => \(giveUp)) THEN 'failed' ELSE 'waiting' END,
                next_attempt_at = now() + make_interval(secs => least(\(first) * power(2, greatest(attempts - 1, 0)), 3600))
            WHERE id = \(id) AND state = 'waiting'
            """)
    }

    /// Writes the move-on message for each resident who has come within four weeks of their
    /// expected departure with no address, once per stay; says how many it wrote.
    @discardableResult
    public func findMoveOnDue(today: CalendarDate) async throws -> Int {
        try await pool.query("SELECT notify_move_on_due(\(today.description)::date) AS told").first?.decode("told") ?? 0
    }

    /// One page of the outbox, newest first: all, or those in `state`, or about one referral or
    /// placement. Administrators only.
    public func list(
        state: OutboxMessage.State?, referralID: UUID? = nil, placementID: UUID? = nil, page: PageRequest, by principal: Principal
    ) async throws -> Page<OutboxMessage> {
        guard Self.administrators.contains(principal.role) else {
            throw DomainError(.forbidden, "only administrators read the outbox")
        }
        return try await listPage(state: state, referralID: referralID, placementID: placementID, page: page)
    }

    /// What was sent about a referral or a placement, oldest first, for the timeline of a page
    /// whose reader the caller has already let see that referral or placement.
    public func told(referralID: UUID? = nil, placementID: UUID? = nil) async throws -> [OutboxMessage] {
        let rows = try await pool.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM notification
            WHERE (\(referralID)::uuid IS NOT NULL AND referral_id = \(referralID))
               OR (\(placementID)::uuid IS NOT NULL AND placement_id = \(placementID))
            ORDER BY seq LIMIT 500
            """)
        return try rows.map(Self.notification)
    }

    /// Puts a message back in the queue at once, for another day of retries, to its mailbox as
    /// set now; audited.
    public func resend(_ id: UUID, by principal: Principal) async throws -> OutboxMessage {
        guard Self.administrators.contains(principal.role) else {
            throw DomainError(.forbidden, "only administrators resend messages")
        }
        return try await pool.transaction { connection in
            guard
                let before = try await connection.query("SELECT \(unsafeSQL: Self.columns) FROM notification WHERE id = \(id) FOR UPDATE")
                    .first.map(Self.notification)
            else {
                throw DomainError(.notFound, "there is no message \(id.uuidString.lowercased())")
            }
            // Where it goes now was read with it (`addressNow`): the recipient, or the mailbox set since.
            guard let address = before.addressNow else {
                throw DomainError.invalid(
                    field: "id", rule: "mailbox",
                    "\(before.lastError ?? "the message has nowhere to go"): set it with ap mailboxes set, then resend")
            }
            let after = try Self.notification(
                try await connection.one(
                    """
                    UPDATE notification
                    SET recipient = \(address), state = 'waiting', attempts = 0, next_attempt_at = now(), queued_at = now(),
                        resent_by = \(principal.staffID), last_error = NULL
                    WHERE id = \(id)
                    RETURNING \(unsafeSQL: Self.columns)
                    """))
            try await AuditLog.record(
                on: connection, by: principal, action: "notification.resend", entity: "notification", entityID: id.uuidString,
                before: Audited(before), after: Audited(after))
            return after
        }
    }

    func listPage(state: OutboxMessage.State?, referralID: UUID?, placementID: UUID?, page: PageRequest) async throws -> Page<OutboxMessage>
    {
        let before = try page.cursor.map { try Int64(cursor: $0) } ?? Int64.max
        // Each filter is written out (not `$1 IS NULL OR …`), so that the planner can use the
        // partial indexes of the waiting and the failed, and those by referral and by placement.
        var filters: SQL = "seq < \(before)"
        if let state { filters.append(SQL(unsafeSQL: " AND state = '\(state.rawValue)'")) }
        if let referralID { filters.append(" AND referral_id = \(referralID)") }
        if let placementID { filters.append(" AND placement_id = \(placementID)") }
        let rows = try await pool.query(
            "SELECT \(unsafeSQL: Self.columns), seq FROM notification WHERE \(filters) ORDER BY seq DESC LIMIT \(page.limit + 1)")
        let items = try rows.map { row in (notification: try Self.notification(row), seq: try row.decode("seq", as: Int64.self)) }
        let result = Page(items: items, limit: page.limit) { String(cursor: $0.seq) }
        return Page(items: result.items.map(\.notification), nextCursor: result.nextCursor)
    }

    static let columns = """
        id, event, recipient_kind, recipient, referral_id, placement_id, premises_id, details::text AS details, state, attempts,
        next_attempt_at, queued_at, last_error, sent_at, message_id, created_at,
        coalesce(recipient, mailbox_of(recipient_kind, region_code, premises_id)) AS address_now
        """

    static func notification(_ row: PostgresRow) throws -> OutboxMessage {
        let details = try JSONDecoder().decode([String: String].self, from: Data(try row.decode("details", as: String.self).utf8))
        return OutboxMessage(
            id: try row.decode("id"), event: try row.decode("event"),
            recipientKind: OutboxMessage.RecipientKind(rawValue: try row.decode("recipient_kind")) ?? .practitioner,
            recipient: try row.decode("recipient"), referralID: try row.decode("referral_id"), placementID: try row.decode("placement_id"),
            premisesID: try row.decode("premises_id"), details: details,
            state: OutboxMessage.State(rawValue: try row.decode("state")) ?? .waiting, attempts: try row.decode("attempts"),
            nextAttemptAt: try row.decode("next_attempt_at"), queuedAt: try row.decode("queued_at"),
            lastError: try row.decode("last_error"),
            sentAt: try row.decode("sent_at"), messageID: try row.decode("message_id"), createdAt: try row.decode("created_at"),
            addressNow: try row.decode("address_now"))
    }

    /// What the audit log keeps of a message: where it stands, not what it says.
    struct Audited: Encodable, Sendable {
        var event: String
        var recipient: String?
        var state: String
        var attempts: Int
        var lastError: String?

        init(_ notification: OutboxMessage) {
            event = notification.event
            recipient = notification.recipient
            state = notification.state.rawValue
            attempts = notification.attempts
            lastError = notification.lastError
        }
    }
}
