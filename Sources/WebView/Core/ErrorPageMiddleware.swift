import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Turns whatever a page throws into a page that says why: not signed in goes to the sign-in
/// page (and back afterwards), refused is the 403 page, nothing there the 404 page, a rule
/// broken outside a form the 400 page, and anything else the 500 page with the request's
/// reference, never a stack trace or SQL.
struct ErrorPageMiddleware<Context: RequestContext>: RouterMiddleware {
    let renderer: PageRenderer
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DomainError {
            switch error.kind {
            case .unauthenticated:
                return PageRenderer.redirect(to: "/sign-in?next=" + (SignInPages.safeNext(request.uri.description) ?? "/").urlQueryValue)
            case .forbidden:
                return page(403, "You cannot see this page", Wording.plain(error.message))
            case .notFound:
                return page(404, "Page not found", Self.notFoundMessage)
            case .unavailable:
                return page(503, "Sorry, the service is unavailable", "The database cannot be reached just now. Try again in a minute.")
            case .rateLimited:
                return page(429, "Too many attempts", error.message)
            default:
                return page(400, "This cannot be done", Wording.plain(error.message))
            }
        } catch let error as PageError {
            switch error {
            case .notFound(let why): return page(404, "Page not found", why)
            case .forbidden(let why): return page(403, "You cannot see this page", why)
            case .badRequest(let why): return page(400, "This cannot be done", why)
            case .notAcceptable:
                return page(
                    406, "This address gives data, not a page",
                    "It is part of the service's API, which answers in JSON. Go to your start page to find what you are looking for.")
            case .signedOut(let next): return PageRenderer.redirect(to: "/sign-in?kept=1&next=" + next.urlQueryValue)
            case .missingTemplates: return page(500, "Sorry, there is a problem with the service", "Try again later.")
            }
        } catch let error as HTTPError where error.status == .notFound {
            return page(404, "Page not found", Self.notFoundMessage)
        } catch {
            let reference = UUID().uuidString.prefix(8).lowercased()
            logger.error(
                "page failed", metadata: ["reference": "\(reference)", "path": "\(request.uri.path)", "error": "\(type(of: error))"])
            return page(
                500, "Sorry, there is a problem with the service",
                "Nothing was recorded by this request. Try again; if it happens again, quote reference \(reference).")
        }
    }

    static var notFoundMessage: String {
        "If you typed the web address, check it is correct. If you followed a link, what it pointed to may have been removed."
    }

    private func page(_ status: Int, _ heading: String, _ message: String) -> Response {
        var chrome = Chrome()
        if let principal = WebScope.principal {
            chrome = Chrome.signedIn(principal, csrf: WebScope.csrf)
        }
        return renderer.page(
            "error", title: heading, chrome: chrome, view: ProblemPage(status: status, heading: heading, message: message),
            status: .init(code: status))
    }
}

/// What the 4xx and 5xx pages say.
struct ProblemPage: Sendable {
    let status: Int
    let heading: String
    let message: String
}

/// The response headers of every page: no script or style from anywhere else and none inline,
/// no framing, no content sniffing, no referrer sent to other sites; behind TLS (an https
/// `AP_PUBLIC_URL`), browsers told to use nothing else for a year (HSTS).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    var contentSecurityPolicy: String { WebHeaders.contentSecurityPolicy }
    /// Whether the service is reached over TLS, so `Strict-Transport-Security` is sent.
    var strictTransport = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        response.headers[.crossOriginOpenerPolicy] = "same-origin"
        if strictTransport { response.headers[.strictTransportSecurity] = "max-age=31536000; includeSubDomains" }
        return response
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
    static let secFetchSite = Self("Sec-Fetch-Site")!
    static let strictTransportSecurity = Self("Strict-Transport-Security")!
    static let crossOriginOpenerPolicy = Self("Cross-Origin-Opener-Policy")!
}

/// The security headers' values.
enum WebHeaders {
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
}

/// Keeps probation practitioners to their own pages: their referrals and drafts, the referral
/// pages they may act on, and signing out. Any other page of the web view (a premises, the bed
/// board, the occupancy board, reports, e-mail, matching) is the 404 page for them, never a 403
/// that would say the page exists; the stores refuse them too, this is the first door.
///
/// Keeps subject access officers to the export: any other page, even one that shows no person's
/// data (the list of premises), is the 403 page for them, as every API call but the export is.
struct RoleBoundaryMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        switch WebScope.principal?.role {
        case .probationPractitioner where !Self.isTheirs(path):
            throw PageError.notFound(ErrorPageMiddleware<Context>.notFoundMessage)
        case .sarOfficer where !Self.isOfficers(path):
            throw PageError.forbidden("A subject access officer's account reads a person's records through Subject access only.")
        default:
            return try await next(request, context)
        }
    }

    /// Whether a subject access officer may ask for the path.
    static func isOfficers(_ path: String) -> Bool {
        ["/", "/sign-in", "/sign-out", "/session/extend", "/subject-access"].contains(path) || path.hasPrefix("/assets/")
            || path.hasPrefix("/account/")
            || path.hasPrefix(WebView.notFoundPath) || path.hasPrefix(WebView.notAcceptablePath)
    }

    /// Whether a practitioner may ask for the path.
    static func isTheirs(_ path: String) -> Bool {
        if ["/", "/sign-in", "/sign-out", "/session/extend", "/referrals", "/referrals/new"].contains(path) || path.hasPrefix("/assets/")
            || path.hasPrefix("/account/")
            || path.hasPrefix(WebView.notFoundPath) || path.hasPrefix(WebView.notAcceptablePath)
        {
            return true
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[1] == "referrals" else { return false }
        if parts[2] == "drafts" { return true }
        guard UUID(uuidString: parts[2]) != nil else { return false }
        return parts.count == 3 || (parts.count == 4 && ["decide", "departure-summary"].contains(parts[3]))
    }
}
