import ApprovedPremises
import Foundation
import Hummingbird

/// The second step of signing in, for an account with a second factor: the code page, and for
/// an account that needs a factor and has none, the page that sets one up and then shows its
/// recovery codes once. Both belong to the pending sign-in of the `ap_pending` cookie (ten
/// minutes, after the right password); their forms carry a token bound to it.
struct SecondFactorPages: Sendable {
    let view: WebView

    struct Model: Sendable {
        let enrol: Bool
        let action: String
        let csrf: String
        let next: String
        let secretGrouped: String?
        let uri: String?
        let errors: [FormErrors.Item]
        let codeError: String?
        let hasErrors: Bool
    }

    struct RecoveryCodes: Sendable {
        let codes: [String]
        let next: String
    }

    static let formLabel = "ap-sign-in-code"

    func register<Context: RequestContext>(on router: Router<Context>) {
        for enrol in [false, true] {
            let path = enrol ? "/sign-in/enrol" : "/sign-in/code"
            router.get(RouterPath(path)) { request, _ in
                guard let pending = request.cookies[BrowserSessions.pendingCookieName]?.value,
                    (try? await view.stores.sessions.pendingStaff(pending)) != nil
                else { return PageRenderer.redirect(to: "/sign-in") }
                return try await page(enrol: enrol, pending: pending, next: SignInPages.safeNext(request.query("next")) ?? "/", error: nil)
            }
            router.post(RouterPath(path)) { request, _ in try await complete(request, enrol: enrol) }
        }
    }

    private func page(enrol: Bool, pending: String, next: String, error: String?, status: HTTPResponse.Status = .ok) async throws
        -> Response
    {
        let enrolment = enrol ? try await view.stores.sessions.enrolment(pending: pending) : nil
        let errors = error.map { [FormErrors.Item(field: "code", message: $0)] } ?? []
        let grouped = enrolment.map { secret in
            stride(from: 0, to: secret.secret.count, by: 4).map { offset in
                let start = secret.secret.index(secret.secret.startIndex, offsetBy: offset)
                return String(
                    secret.secret[
                        start..<(secret.secret.index(start, offsetBy: 4, limitedBy: secret.secret.endIndex) ?? secret.secret.endIndex)])
            }.joined(separator: " ")
        }
        let title = enrol ? "Set up your authenticator app" : "Enter the code from your authenticator app"
        return view.renderer.page(
            "sign-in-code", title: (errors.isEmpty ? "" : "Error: ") + title, chrome: Chrome(),
            view: Model(
                enrol: enrol, action: enrol ? "/sign-in/enrol" : "/sign-in/code",
                csrf: BrowserSessions.preSessionToken(boundTo: pending, label: Self.formLabel), next: next, secretGrouped: grouped,
                uri: enrolment?.uri, errors: errors, codeError: error, hasErrors: !errors.isEmpty),
            status: status)
    }

    private func complete(_ request: Request, enrol: Bool) async throws -> Response {
        let fields = try await FormFields.read(request)
        guard let pending = request.cookies[BrowserSessions.pendingCookieName]?.value else {
            return PageRenderer.redirect(to: "/sign-in")
        }
        try view.browser.requirePreSessionForm(request, token: fields["csrf"], cookie: pending, label: Self.formLabel)
        let next = SignInPages.safeNext(fields["next"]) ?? "/"
        let signedIn: SignedIn
        do {
            signedIn = try await view.stores.sessions.completeSignIn(pending: pending, code: fields["code"] ?? "")
        } catch let error as DomainError {
            switch error.kind {
            case .rateLimited(let seconds):
                var response = try await page(
                    enrol: enrol, pending: pending, next: next,
                    error: "Too many wrong codes. Wait \(seconds) seconds, then enter the code the app shows then",
                    status: .tooManyRequests)
                response.headers[.retryAfter] = String(seconds)
                return response
            case .invalid, .unauthenticated:
                if (try? await view.stores.sessions.pendingStaff(pending)) == nil { return PageRenderer.redirect(to: "/sign-in") }
                let message = error.problems.first?.message ?? error.message
                return try await page(
                    enrol: enrol, pending: pending, next: next, error: message.prefix(1).uppercased() + message.dropFirst(),
                    status: .unauthorized)
            default: throw error
            }
        }
        var response: Response
        if let codes = signedIn.recoveryCodes {
            response = view.renderer.page(
                "recovery-codes", title: "Your second factor is set up", chrome: Chrome(), view: RecoveryCodes(codes: codes, next: next))
            response.headers[.cacheControl] = "no-store"
        } else {
            response = PageRenderer.redirect(to: next)
        }
        response.setCookie(view.browser.cookie(for: signedIn))
        response.setCookie(view.browser.pendingCookie(nil))
        return response
    }
}
