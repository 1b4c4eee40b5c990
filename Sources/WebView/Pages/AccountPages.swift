import ApprovedPremises
import Foundation
import Hummingbird

/// Your sessions: where you are signed in (browsers and `ap`), when each began and was last
/// used, and ending one or all the others; and changing your password, which ends the others
/// (`SessionStore`).
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

    struct PasswordForm: Sendable {
        let csrf: String
        let errors: [FormErrors.Item]
        let currentError: String?
        let newError: String?
        let hasErrors: Bool
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/account/sessions") { request, _ in try await list(request) }
        router.get("/account/password") { _, _ in
            passwordForm(try WebScope.caller(), errors: [])
        }
        router.post("/account/password") { request, _ in
            let post = try await FormPost.read(request, browser: view.browser)
            do {
                try await view.stores.sessions.changePassword(
                    by: post.principal, current: post.fields.values["currentPassword"]?.first ?? "",
                    new: post.fields.values["newPassword"]?.first ?? "")
            } catch let error as DomainError where error.kind == .invalid {
                let items = error.problems.map {
                    FormErrors.Item(
                        field: $0.field == "currentPassword" ? "currentPassword" : "newPassword",
                        message: $0.message.prefix(1).uppercased() + $0.message.dropFirst())
                }
                return passwordForm(post.principal, errors: items)
            }
            return PageRenderer.redirect(to: "/account/sessions?changed=1")
        }
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
        } else if request.query("changed") != nil {
            chrome.done = "Your password is changed: your other sessions have ended"
        }
        let times = view.stores.sessions.times
        return view.renderer.page(
            "sessions", title: "Your sessions", chrome: chrome,
            view: Model(
                sessions: rows, csrf: WebScope.csrf, idle: Self.duration(times.idle), lifetime: Self.duration(times.lifetime),
                hasOthers: rows.contains { !$0.current }))
    }

    private func passwordForm(_ principal: Principal, errors: [FormErrors.Item]) -> Response {
        view.renderer.page(
            "password", title: (errors.isEmpty ? "" : "Error: ") + "Change your password",
            chrome: .signedIn(principal, csrf: WebScope.csrf, current: "password"),
            view: PasswordForm(
                csrf: WebScope.csrf, errors: errors, currentError: errors.first { $0.field == "currentPassword" }?.message,
                newError: errors.first { $0.field == "newPassword" }?.message, hasErrors: !errors.isEmpty),
            status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    static func duration(_ duration: Duration) -> String {
        let minutes = Int(duration.components.seconds / 60)
        if minutes % 60 == 0 { return minutes == 60 ? "1 hour" : "\(minutes / 60) hours" }
        return "\(minutes) minutes"
    }
}
