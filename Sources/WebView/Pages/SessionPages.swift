import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird

/// `POST /session/extend`: the time-out warning's "Stay signed in" (app.js sends it with the
/// page's CSRF token). The session lasts an hour more, up to 20 hours from signing in
/// (`SessionStore.extend`, audited); the answer is 204 with the new end in `X-Session-Ends`.
struct SessionPages: Sendable {
    let view: WebView

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/session/extend") { request, _ in
            let post = try await FormPost.read(request, browser: view.browser)
            let ends = try await view.stores.sessions.extend(post.principal)
            var response = Response(status: .noContent, headers: [.cacheControl: "no-store"])
            response.headers[.sessionEnds] = ends.formatted(.iso8601)
            if let token = request.cookies[BrowserSessions.cookieName]?.value {
                response.setCookie(view.browser.cookie(token: token, expiresAt: ends))
            }
            return response
        }
    }
}

extension HTTPField.Name {
    static let sessionEnds = Self("X-Session-Ends")!
}
