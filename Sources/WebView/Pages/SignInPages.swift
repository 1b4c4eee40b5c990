import ApprovedPremises
import Foundation
import Hummingbird

/// Signing in and out, and `/`: where each role starts. Sign-in uses the API's accounts,
/// password check and throttling (`SessionStore.signIn`).
struct SignInPages: Sendable {
    let view: WebView

    struct Model: Sendable {
        let next: String
        let csrf: String
        let username: String
        let errors: [FormErrors.Item]
        let usernameError: String?
        let passwordError: String?
        var hasErrors: Bool
    }

    struct PremisesLink: Sendable {
        let href: String
        let name: String
        let code: String
        let region: String
    }
    struct Home: Sendable { let premises: [PremisesLink] }

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/sign-in") { request, _ in
            if WebScope.principal != nil { return PageRenderer.redirect(to: Self.safeNext(request.query("next")) ?? "/") }
            var chrome = Chrome()
            if request.query("kept") != nil {
                chrome.notice =
                    "Your sign-in had ended, so the form you sent was not recorded. Sign in again: your answers will be on the form for you to check and send."
            } else if request.query("signedOut") != nil {
                chrome.notice = "You have signed out."
            }
            // A refused sign-in comes back here by a redirect, with the username and the reason.
            let draft = try await view.draft(request)
            let items = draft?.problems.map { FormErrors.Item(field: $0.field, message: $0.message) } ?? []
            let next = Self.safeNext(request.query("next")) ?? Self.safeNext(draft?.fields["next"]?.first) ?? "/"
            return view.renderer.page(
                "sign-in", title: (items.isEmpty ? "" : "Error: ") + "Sign in", chrome: chrome,
                view: Model(
                    next: next, csrf: BrowserSessions.preSessionToken(boundTo: WebScope.browserKey, label: Self.formLabel),
                    username: draft?.fields["username"]?.first ?? "", errors: items,
                    usernameError: items.first { $0.field == "username" }?.message,
                    passwordError: items.first { $0.field == "password" }?.message, hasErrors: !items.isEmpty),
                status: items.isEmpty ? .ok : .unauthorized)
        }
        router.post("/sign-in") { request, _ in try await signIn(request) }
        router.post("/sign-out") { request, _ in
            let post = try await FormPost.read(request, browser: view.browser)
            try await view.stores.sessions.signOut(post.principal)
            var response = PageRenderer.redirect(to: "/sign-in?signedOut=1")
            response.setCookie(view.browser.expiredCookie())
            return response
        }
        router.get("/") { _, _ in try await landing() }
        router.get("/premises") { _, _ in try await home() }
    }

    /// What the sign-in form's token is an HMAC of, under the browser's cookie.
    static let formLabel = "ap-sign-in"

    private func signIn(_ request: Request) async throws -> Response {
        let fields = try await FormFields.read(request)
        try view.browser.requirePreSessionForm(
            request, token: fields["csrf"], cookie: request.cookies[BrowserSessions.browserCookieName]?.value, label: Self.formLabel)
        let next = Self.safeNext(fields["next"]) ?? "/"
        do {
            let step = try await view.stores.sessions.beginSignIn(
                username: fields["username"] ?? "", password: fields.values["password"]?.first ?? "")
            switch step {
            case .signedIn(let signedIn):
                var response = PageRenderer.redirect(to: next)
                response.setCookie(view.browser.cookie(for: signedIn))
                return response
            case .needsCode(let pending), .needsEnrolment(let pending):
                let page = if case .needsCode = step { "/sign-in/code" } else { "/sign-in/enrol" }
                var response = PageRenderer.redirect(to: "\(page)?next=\(next.urlQueryValue)")
                response.setCookie(view.browser.pendingCookie(pending))
                return response
            }
        } catch let error as DomainError
            where [.invalid, .unauthenticated].contains(error.kind) || { if case .rateLimited = error.kind { true } else { false } }()
        {
            let items: [FormErrors.Item] =
                error.problems.isEmpty
                ? [
                    .init(
                        field: "username",
                        message: error.kind == .unauthenticated
                            ? "The username or password is wrong, or the account is inactive" : error.message)
                ]
                : error.problems.map {
                    .init(field: $0.field, message: $0.field == "username" ? "Enter your username" : "Enter your password")
                }
            var kept = FormFields(values: [:])
            kept.set("username", fields["username"])
            kept.set("next", next)
            return try await FormPost.keep(
                kept, problems: FormErrors(items), reason: .refused, staffID: nil, browser: view.browser,
                path: "/sign-in?next=\(next.urlQueryValue)")
        }
    }

    /// Where each role starts: premises staff on their premises' today page, a referral
    /// manager on the referral queue, a regional manager on their region's occupancy board, an
    /// administrator on the list of premises.
    private func landing() async throws -> Response {
        let principal = try WebScope.caller()
        switch principal.role {
        case .referralManager: return PageRenderer.redirect(to: "/referrals")
        case .regionalManager: return PageRenderer.redirect(to: "/occupancy")
        case .administrator: return PageRenderer.redirect(to: "/premises")
        case .probationPractitioner: return PageRenderer.redirect(to: "/referrals")
        case .sarOfficer: return PageRenderer.redirect(to: "/subject-access")
        default: return try await home()
        }
    }

    /// The premises the caller may see (premises staff go to their own today page).
    private func home() async throws -> Response {
        let principal = try WebScope.caller()
        if principal.role.isPremisesStaff, let id = principal.premisesID {
            let premises = try await view.stores.premises.get(id, by: principal)
            return PageRenderer.redirect(to: "/premises/\(premises.code.urlPathSegment)")
        }
        var found = [Premises]()
        var cursor: String? = nil
        repeat {
            let page = try await view.stores.premises.list(by: principal, page: try PageRequest(limit: 200, cursor: cursor))
            found += page.items
            cursor = page.nextCursor
        } while cursor != nil && found.count < 1000
        let regions = try await view.names.names("regions")
        let links = found.filter(\.active).map {
            PremisesLink(
                href: "/premises/\($0.code.urlPathSegment)", name: $0.name, code: $0.code, region: regions[$0.regionCode] ?? $0.regionCode)
        }
        return view.renderer.page(
            "home", title: "Premises", chrome: .signedIn(principal, csrf: WebScope.csrf, current: "home"), view: Home(premises: links))
    }

    /// A page of this service to go to after signing in: a path, never another site.
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.hasPrefix("/sign-"),
            next.count < 500, next.unicodeScalars.allSatisfy({ $0.value > 32 && $0.value < 127 })
        else { return nil }
        return next
    }
}
