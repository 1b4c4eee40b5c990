import ApprovedPremises
import Foundation
import Hummingbird

/// Your sessions: where you are signed in (browsers and `ap`), when each began and was last
/// used, and ending one or all the others (`SessionStore`).
struct AccountPages: Sendable {
    let view: WebView

    struct Row: Sendable {
        let id: String
        let place: String
        let started: String
        let lastUsed: String
        let ends: String
        let current: Bool
    }

    struct Model: Sendable {
        let sessions: [Row]
        let csrf: String
        let idle: String
        let lifetime: String
        let hasOthers: Bool
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/account/sessions") { request, _ in try await list(request) }
        router.post("/account/sessions/end-others") { request, _ in
            let post = try await FormPost.read(request, browser: view.browser)
            let ended = try await view.stores.sessions.endSessions(of: post.principal.staffID, by: post.principal)
            return PageRenderer.redirect(to: "/account/sessions?ended=\(ended)")
        }
        router.post("/account/sessions/:id/end") { request, context in
            let post = try await FormPost.read(request, browser: view.browser)
            guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
                throw PageError.notFound("There is no such session.")
            }
            try await view.stores.sessions.end(session: id, by: post.principal)
            return PageRenderer.redirect(to: "/account/sessions?ended=1")
        }
    }

    private func list(_ request: Request) async throws -> Response {
        let principal = try WebScope.caller()
        let sessions = try await view.stores.sessions.sessions(of: principal.staffID, by: principal)
        let zone = Premises.defaultTimeZone
        let rows = sessions.map {
            Row(
                id: $0.id.uuidString.lowercased(), place: $0.client == .browser ? "Browser" : $0.client == .ap ? "ap" : "API",
                started: DateTimeText.spoken($0.startedAt, in: zone), lastUsed: DateTimeText.spoken($0.lastUsedAt, in: zone),
                ends: DateTimeText.spoken($0.expiresAt, in: zone), current: $0.current)
        }
        var chrome = Chrome.signedIn(principal, csrf: WebScope.csrf, current: "sessions")
        if let ended = request.query("ended").flatMap(Int.init) {
            chrome.done = ended == 1 ? "1 session ended" : "\(ended) sessions ended"
        }
        let times = view.stores.sessions.times
        return view.renderer.page(
            "sessions", title: "Your sessions", chrome: chrome,
            view: Model(
                sessions: rows, csrf: WebScope.csrf, idle: Self.duration(times.idle), lifetime: Self.duration(times.lifetime),
                hasOthers: rows.contains { !$0.current }))
    }

    static func duration(_ duration: Duration) -> String {
        let minutes = Int(duration.components.seconds / 60)
        if minutes % 60 == 0 { return minutes == 60 ? "1 hour" : "\(minutes / 60) hours" }
        return "\(minutes) minutes"
    }
}
