import ApprovedPremises
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Sessions for the browser. A browser session is an API session (`SessionStore`): the same
/// accounts, throttling and password rules, the token stored only as its hash, lasting one
/// shift, ended by signing out. Its token travels in an `HttpOnly`, `SameSite=Strict` cookie
/// (`Secure` when the service's public address is https), never in a page.
///
/// Every form carries the session's CSRF token, an HMAC of the session token, so it is the
/// session's own, cannot be read by another site, and needs no storage; a form post must also
/// come from the service's own origin (`Origin`, `Sec-Fetch-Site`). A form's answers kept for
/// post/redirect/get (`FormDraftStore`) belong to the browser's random `ap_browser` cookie.
final class BrowserSessions: Sendable {
    static let cookieName = "ap_session"
    /// The cookie that tells this browser's kept form answers from another's (`FormDraftStore`).
    static let browserCookieName = "ap_browser"
    let sessions: SessionStore
    let drafts: FormDraftStore
    let secureCookies: Bool
    /// `scheme://host[:port]` of `AP_PUBLIC_URL`, when set.
    let publicOrigin: String?

    let names: ReferenceNames

    init(sessions: SessionStore, drafts: FormDraftStore, names: ReferenceNames, publicURL: String?) {
        self.sessions = sessions
        self.names = names
        self.drafts = drafts
        let url = publicURL.flatMap { URL(string: $0) }
        secureCookies = url?.scheme?.lowercased() == "https"
        publicOrigin = url.flatMap { url in
            guard let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
            return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        }
    }

    /// The cookie that carries a new session's token.
    func cookie(for signedIn: SignedIn) -> Cookie { cookie(token: signedIn.token, expiresAt: signedIn.expiresAt) }

    /// The cookie that carries a session's token until it ends.
    func cookie(token: String, expiresAt: Date) -> Cookie {
        Cookie(
            name: Self.cookieName, value: token, maxAge: max(60, Int(expiresAt.timeIntervalSinceNow)),
            path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// The cookie naming this browser for its kept form answers: random, a day long, sent only to this service.
    func browserCookie(_ key: String) -> Cookie {
        Cookie(name: Self.browserCookieName, value: key, maxAge: 86400, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// A region's name by its code, read once from the reference data.
    func regionName(_ code: String) async throws -> String? {
        try await names.names("regions")[code]
    }

    /// The cookie that ends the browser's copy of the session.
    func expiredCookie() -> Cookie {
        Cookie(name: Self.cookieName, value: "", maxAge: 0, path: "/", secure: secureCookies, httpOnly: true, sameSite: .strict)
    }

    /// The CSRF token of a session: HMAC-SHA256 of the session token, keyed with a label, so it
    /// changes with every session and reveals nothing of the token.
    static func csrfToken(sessionToken: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("ap-web-form".utf8), using: SymmetricKey(data: Data(sessionToken.utf8)))
        return Data(mac).base64URL
    }

    /// The cookie that carries a sign-in between the right password and the right code: ten
    /// minutes, sent only to the sign-in pages.
    func pendingCookie(_ pending: String?) -> Cookie {
        Cookie(
            name: Self.pendingCookieName, value: pending ?? "", maxAge: pending == nil ? 0 : 600, path: "/sign-in",
            secure: secureCookies, httpOnly: true, sameSite: .strict)
    }
    static let pendingCookieName = "ap_pending"

    /// The token of a form shown before there is a session (the sign-in form, the code page):
    /// an HMAC, under `label`, of the cookie it is bound to (the browser's `ap_browser`, or the
    /// pending sign-in's), so another site can neither read nor make it (login CSRF).
    static func preSessionToken(boundTo cookie: String, label: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(label.utf8), using: SymmetricKey(data: Data(cookie.utf8)))
        return Data(mac).base64URL
    }

    /// Throws `forbidden` unless a form posted before there is a session carries the token bound
    /// to its cookie, or says it comes from our own origin (`Origin`, or `Sec-Fetch-Site:
    /// same-origin`); one that says it comes from elsewhere is refused either way.
    func requirePreSessionForm(_ request: Request, token: String?, cookie: String?, label: String) throws {
        try requireSameOrigin(request)
        let tokenHolds =
            cookie.map { cookie in
                token.map { Self.constantTimeEqual($0, Self.preSessionToken(boundTo: cookie, label: label)) } ?? false
            } ?? false
        let sameOrigin = request.headers[.origin] != nil || request.headers[.secFetchSite]?.lowercased() == "same-origin"
        guard tokenHolds || sameOrigin else {
            throw PageError.forbidden(
                "This sign-in was not sent from this service's sign-in page, so it was not accepted. Open the sign-in page and sign in there."
            )
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        guard a.count == b.count, !b.isEmpty else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Throws `forbidden` unless a form post comes from this service's own pages: the browser's
    /// `Sec-Fetch-Site` (when sent) says same-origin, and its `Origin` (when sent) is ours.
    func requireSameOrigin(_ request: Request) throws {
        if let site = request.headers[.secFetchSite], !["same-origin", "none"].contains(site.lowercased()) {
            throw PageError.forbidden(
                "This form was sent from another site, so it was not accepted. Open the page again and send it from there.")
        }
        if let origin = request.headers[.origin]?.lowercased() {
            let own = publicOrigin ?? request.head.authority.map { "http://\($0.lowercased())" }
            let ownTLS = request.head.authority.map { "https://\($0.lowercased())" }
            guard origin == own || (publicOrigin == nil && origin == ownTLS) else {
                throw PageError.forbidden(
                    "This form was sent from another site, so it was not accepted. Open the page again and send it from there.")
            }
        }
    }
}

/// What the browser session middleware learned, for the pages below it.
enum WebScope {
    /// The signed-in member of staff, when the cookie names a live session.
    @TaskLocal static var principal: Principal?
    /// The session's CSRF token ("" when signed out).
    @TaskLocal static var csrf: String = ""
    /// The browser's random key for its kept form answers (its cookie is set only once answers are kept).
    @TaskLocal static var browser = BrowserKey(value: "", isNew: false)
    static var browserKey: String {
        browser.used.withLock { $0 = true }
        return browser.value
    }
    /// The name of a regional manager's region ("North West"), for the header.
    @TaskLocal static var regionName: String?

    /// The caller; `unauthenticated` (the sign-in page) when nobody is signed in.
    static func caller() throws -> Principal {
        guard let principal else { throw DomainError(.unauthenticated, "sign in first") }
        return principal
    }
}

/// Reads the session cookie: a live session makes its member of staff the page's caller; an
/// expired or ended one is simply no session (the page sends the browser to sign in).
struct BrowserSessionMiddleware<Context: RequestContext>: RouterMiddleware {
    let browser: BrowserSessions

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let known = request.cookies[BrowserSessions.browserCookieName]?.value.wholeMatch(of: /[A-Za-z0-9_-]{20,64}/).map {
            String($0.output)
        }
        let key = BrowserKey(value: known ?? FormPost.newToken() + FormPost.newToken(), isNew: known == nil)
        var response = try await WebScope.$browser.withValue(key) { try await session(request, context: context, next: next) }
        if key.isNew && key.used.withLock({ $0 }) { response.setCookie(browser.browserCookie(key.value)) }
        return response
    }

    private func session(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = request.cookies[BrowserSessions.cookieName]?.value, !token.isEmpty else {
            return try await next(request, context)
        }
        let principal: Principal?
        do {
            var found = try await browser.sessions.authenticate(token: token)
            found.requestID = request.headers[.requestID] ?? UUID().uuidString.lowercased()
            principal = found
        } catch let error as DomainError where error.kind == .unauthenticated {
            principal = nil
        } catch {
            return PageRenderer.html(
                "<!DOCTYPE html><html lang=\"en\"><head><title>Service unavailable</title></head><body><main>"
                    + "<h1>Sorry, the service is unavailable</h1><p>The database cannot be reached just now. Try again in a minute.</p></main></body></html>",
                status: .serviceUnavailable)
        }
        guard let principal else {
            // The cookie stays until the next page is answered: a form sent after the sign-in
            // ended is kept for the member of staff it names (`FormPost.read`).
            var response = try await next(request, context)
            if request.method == .get { response.setCookie(browser.expiredCookie()) }
            return response
        }
        let region = try await principal.regionCode.asyncMap { try await browser.regionName($0) } ?? nil
        return try await WebScope.$principal.withValue(principal) {
            try await WebScope.$regionName.withValue(region) {
                try await WebScope.$csrf.withValue(BrowserSessions.csrfToken(sessionToken: token)) {
                    try await next(request, context)
                }
            }
        }
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}

extension Data {
    /// Base64 with the URL-safe alphabet and no padding.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

extension Optional {
    /// The wrapped value mapped by an async function.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// A browser's key for its kept form answers, and whether this request used it (so that a new
/// browser is given its cookie only when answers were kept for it).
final class BrowserKey: Sendable {
    let value: String
    let isNew: Bool
    let used = Mutex(false)

    init(value: String, isNew: Bool) {
        self.value = value
        self.isNew = isNew
    }
}
