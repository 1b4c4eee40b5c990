import ApprovedPremises
import Crypto
import Foundation
import Hummingbird

/// The fields of a posted form (`application/x-www-form-urlencoded`), by name.
struct FormFields: Sendable {
    private(set) var values: [String: [String]] = [:]

    /// Reads a body of at most 64 KiB; anything else is a 400 page.
    static func read(_ request: Request) async throws -> FormFields {
        guard (request.headers[.contentType] ?? "").hasPrefix("application/x-www-form-urlencoded") else {
            throw PageError.badRequest("This form was not sent as a form.")
        }
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        return FormFields(encoded: String(buffer: body))
    }

    init(values: [String: [String]]) { self.values = values }

    /// Sets a field (nil removes it).
    mutating func set(_ name: String, _ value: String?) { values[name] = value.map { [$0] } }

    init(encoded: String) {
        for pair in encoded.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            values[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The field's value, trimmed; nil when it is missing or blank.
    subscript(_ name: String) -> String? {
        guard let value = values[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// The field that says a refusal asked why the premises may be overbooked (`FormModel.askWhyOverbooked`).
    static let overbookFlag = "overbook"

    /// Marks the form as asking why the premises may be overbooked when `error` asks for the reason.
    mutating func askWhyOverbooked(after error: DomainError) {
        if error.problems.contains(where: { $0.field == "overbookingReason" }) { set(Self.overbookFlag, "1") }
    }

    /// The fields that may be kept with a draft (`FormDraftStore`): all but passwords, which are
    /// never written down.
    var keepable: [String: [String]] { values.filter { !$0.key.lowercased().contains("password") } }

    /// Every value of a field that may repeat (checkboxes).
    func all(_ name: String) -> [String] { values[name] ?? [] }
}

/// The checks every form post passes before it changes anything, and the one-time token that
/// makes a form sent twice record once.
struct FormPost: Sendable {
    let fields: FormFields
    let principal: Principal

    /// Reads the form and checks it was sent by this session from one of our pages: same
    /// origin, and the session's CSRF token. A form without them is the 403 page.
    static func read(_ request: Request, browser: BrowserSessions) async throws -> FormPost {
        try browser.requireSameOrigin(request)
        let fields = try await FormFields.read(request)
        guard let principal = WebScope.principal else {
            // The sign-in ended before the form was sent: its answers are kept for the member of
            // staff whose session it was (only then: a post with no session behind it keeps
            // nothing), and offered back on the form's page after signing in again.
            guard let token = request.cookies[BrowserSessions.cookieName]?.value,
                let owner = try await browser.sessions.owner(ofToken: token)
            else { throw DomainError(.unauthenticated, "sign in first") }
            let id = try await browser.drafts.keep(
                browserKey: WebScope.browserKey, staffID: owner, path: request.uri.path, fields: fields.keepable,
                problems: [], reason: .signedOut)
            throw PageError.signedOut(next: "\(request.uri.path)?draft=\(id.uuidString.lowercased())")
        }
        guard let sent = fields["csrf"], Self.same(sent, WebScope.csrf) else {
            throw PageError.forbidden(
                "This form was not sent from a page of this session, so nothing was recorded. Open the page again and send it from there.")
        }
        return FormPost(fields: fields, principal: principal)
    }

    /// A fresh one-time token for a form about to be shown.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URL
    }

    /// Runs `change` once for this form's one-time token and sends the browser to the page it
    /// returns (post/redirect/get). The token's claim, the change, its audit rows and the page
    /// to go to commit together (`IdempotencyStore`), so the same form sent again (a double
    /// click, back and resend, a retry after a lost answer) records nothing more and goes to
    /// the same page. A change refused by a rule leaves nothing, and its form can be sent again.
    func once(_ idempotency: IdempotencyStore, path: String, change: () async throws -> String) async throws -> Response {
        guard let token = fields["formToken"], (8...64).contains(token.count) else {
            throw PageError.badRequest("This form has no one-time token, so it was not sent from its page. Open the page again.")
        }
        let fingerprint = Data(SHA256.hash(data: Data("web \(path)".utf8)))
        let location = try await idempotency.run(
            staffID: principal.staffID, key: "web:" + token, fingerprint: fingerprint,
            replay: { stored in stored.headers["Location"] ?? path },
            change: {
                let location = try await change()
                return (location, .init(status: 303, headers: ["Location": location], body: Data()))
            })
        return PageRenderer.redirect(to: location)
    }

    /// Post/redirect/get for a form refused for its mistakes: its answers and the mistakes are
    /// kept (`FormDraftStore`) and the browser is sent to the form's page (`formPath`), which
    /// shows them again; Back and reload never send the form again.
    func refused(_ problems: FormErrors, browser: BrowserSessions, formPath: String) async throws -> Response {
        try await Self.keep(fields, problems: problems, reason: .refused, staffID: principal.staffID, browser: browser, path: formPath)
    }

    /// Keeps answers and sends the browser to `path?draft=ID` (`path` may carry a query already).
    static func keep(
        _ fields: FormFields, problems: FormErrors, reason: FormDraftStore.Reason, staffID: UUID?, browser: BrowserSessions,
        path: String
    ) async throws -> Response {
        let id = try await browser.drafts.keep(
            browserKey: WebScope.browserKey, staffID: staffID, path: path, fields: fields.keepable,
            problems: problems.items.map { .init(field: $0.field, anchor: $0.anchor, message: $0.message) },
            reason: reason)
        return PageRenderer.redirect(to: path + (path.contains("?") ? "&" : "?") + "draft=\(id.uuidString.lowercased())")
    }

    private static func same(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count, !b.isEmpty else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A form's mistakes, for the error summary (each linking to its field) and the messages
/// beside the fields.
struct FormErrors: Sendable {
    struct Item: Sendable {
        let field: String
        let message: String
        /// The element the error summary links to: the field, or the part of a date in error.
        let anchor: String

        init(field: String, message: String, anchor: String? = nil) {
            self.field = field
            self.message = message
            self.anchor = anchor ?? field
        }
    }

    var items: [Item] = []
    var any: Bool { !items.isEmpty }

    /// The message for one field, if it has one.
    func message(_ field: String) -> String? { items.first { $0.field == field }?.message }

    /// The domain's messages that name an API field, said as the form's labels say it.
    static let wording = [
        "moveOnCategory/required": "Choose where they moved on to: a planned move-on needs it",
        "transferredTo/required": "Enter the AP they transferred to",
        "expectedDeparture/order": "The expected departure must be after the arrival",
        "end/order": "The first night back in service must be after the first night out of service",
        "arrivedAt/future": "The date and time of arrival must be now or in the past",
        "departedAt/future": "The date and time of departure must be now or in the past",
    ]

    init(_ items: [Item] = []) { self.items = items }
}

extension Request {
    /// A query parameter's value; nil when it is missing or empty.
    func query(_ name: String) -> String? {
        guard let value = uri.queryParameters[Substring(name)], !value.isEmpty else { return nil }
        return String(value).removingPercentEncoding ?? String(value)
    }
}
