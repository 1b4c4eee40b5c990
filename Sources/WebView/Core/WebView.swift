import ApprovedPremises
import Foundation
import Hummingbird
import Logging

/// The web view: the pages staff use in a browser, served by `ap serve` beside the API. Pages
/// gather what they show from the same domain stores as the API handlers (so the same rules,
/// role and premises checks and audit rows apply) and render it with the templates under
/// `Templates/`; they never call the API and never write SQL.
public struct WebView: Sendable {
    let stores: Stores
    let renderer: PageRenderer
    let browser: BrowserSessions
    let logger: Logger
    /// The names of the national vocabularies' codes.
    let names: ReferenceNames

    /// The web view over the service's stores. `publicURL` (`AP_PUBLIC_URL`) is the address
    /// browsers use: when it is https, the session cookie is `Secure`; forms are accepted only
    /// from its origin (else from the request's own `Host`). With `guides`, the documentation is
    /// served at `/docs` and every signed-in page's footer links to the guide for the person's role.
    public init(stores: Stores, publicURL: String?, guides: Bool = false, logger: Logger) throws {
        self.stores = stores
        self.renderer = try PageRenderer(guides: guides)
        self.names = ReferenceNames(reference: stores.reference)
        self.browser = BrowserSessions(sessions: stores.sessions, drafts: stores.formDrafts, names: names, publicURL: publicURL)
        self.logger = logger
    }

    /// The middleware that hands page requests to the web view and everything else on to the API.
    public func dispatcher<Context: RequestContext>(context: Context.Type = Context.self) -> WebDispatchMiddleware<Context> {
        WebDispatchMiddleware(responder: router(context: Context.self).buildResponder())
    }

    func router<Context: RequestContext>(context: Context.Type) -> Router<Context> {
        let router = Router(context: Context.self)
        router.addMiddleware {
            SecurityHeadersMiddleware<Context>(strictTransport: browser.secureCookies)
            BrowserSessionMiddleware<Context>(browser: browser)
            ErrorPageMiddleware<Context>(renderer: renderer, logger: logger)
            RoleBoundaryMiddleware<Context>()
        }
        Assets.register(on: router)
        SignInPages(view: self).register(on: router)
        SecondFactorPages(view: self).register(on: router)
        AccountPages(view: self).register(on: router)
        TodayPage(view: self).register(on: router)
        BedBoardPage(view: self).register(on: router)
        PlacementListPage(view: self).register(on: router)
        PlacementPages(view: self).register(on: router)
        PlacementForms(view: self).register(on: router)
        PlacementDatesForm(view: self).register(on: router)
        HandoverPage(view: self).register(on: router)
        OutOfServicePages(view: self).register(on: router)
        ApplyPages(view: self).register(on: router)
        PractitionerPages(view: self).register(on: router)
        ReferralPages(view: self).register(on: router)
        ReferralDecisionForm(view: self).register(on: router)
        MatchPages(view: self).register(on: router)
        TransferPages(view: self).register(on: router)
        KeyWorkPages(view: self).register(on: router)
        TestingPages(view: self).register(on: router)
        MoveOnPages(view: self).register(on: router)
        IncidentPages(view: self).register(on: router)
        NightRecordPages(view: self).register(on: router)
        RoomPages(view: self).register(on: router)
        StaffPages(view: self).register(on: router)
        OccupancyBoardPage(view: self).register(on: router)
        ReportPages(view: self).register(on: router)
        SessionPages(view: self).register(on: router)
        NotificationsPage(view: self).register(on: router)
        SubjectAccessPages(view: self).register(on: router)
        router.get(RouterPath(WebView.notFoundPath)) { _, _ -> Response in
            throw PageError.notFound(ErrorPageMiddleware<Context>.notFoundMessage)
        }
        router.get(RouterPath(WebView.notAcceptablePath)) { _, _ -> Response in throw PageError.notAcceptable }
        return router
    }

    /// Where the dispatcher sends a browser's request for an address with no page (the 404
    /// page) or an address of the API that answers only JSON (the 406 page).
    static let notFoundPath = "/errors/not-found"
    static let notAcceptablePath = "/errors/not-acceptable"

    /// What a form page says when its answers were kept because the sign-in had ended.
    static func keptNotice(_ draft: FormDraftStore.Draft?) -> String? {
        draft?.reason == .signedOut
            ? "Your sign-in had ended, so this form was not sent. Your answers are below: check them and send it again." : nil
    }

    /// The answers kept for the page's `?draft=` (`FormDraftStore`), when this browser (and the
    /// person signed in) kept them; nil otherwise.
    func draft(_ request: Request) async throws -> FormDraftStore.Draft? {
        guard let id = request.query("draft").flatMap(UUID.init(uuidString:)) else { return nil }
        return try await stores.formDrafts.read(id, browserKey: WebScope.browserKey, staffID: WebScope.principal?.staffID)
    }
}

/// Sends the browser's requests to the web view: the web view's own paths (`/`, `/sign-in`,
/// `/sign-out`, `/assets/…`) always; and, when a browser asks for a page (`Accept: text/html`)
/// or posts a form, the premises list (`/premises`), a premises' pages (`/premises/{code}…`, a
/// code, not an API identifier), the referral queue and referrals (`/referrals…`), the
/// occupancy board (`/occupancy`), the reports (`/reports/…`), the e-mail outbox (`/notifications`),
/// transfers and appeals, and staff accounts (`/staff…`). The API answers everything
/// else exactly as before, at the same paths.
public struct WebDispatchMiddleware<Context: RequestContext>: RouterMiddleware {
    let responder: RouterResponder<Context>

    /// Answers page requests with the web view, the rest with `next`. A browser asking for an
    /// address that is not a page gets the HTML 404 page when the API has nothing there either,
    /// and, when it accepts only HTML, the HTML 406 page for an address of the API.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isPage(request) { return try await responder.respond(to: request, context: context) }
        guard request.method == .get || request.method == .head, let accept = request.headers[.accept],
            accept.contains("text/html"), !accept.contains("application/json")
        else { return try await next(request, context) }
        var head = request.head
        head.headerFields[.accept] = "application/json"
        let answer = try await next(Request(head: head, body: request.body), context)
        let htmlOnly = !accept.contains("*/*") && !accept.contains("application/")
        guard answer.status == .notFound || htmlOnly else { return answer }
        var page = request.head
        page.method = .get
        page.path = answer.status == .notFound ? WebView.notFoundPath : WebView.notAcceptablePath
        return try await responder.respond(to: Request(head: page, body: .init(buffer: ByteBuffer())), context: context)
    }

    /// Whether the request is one for the web view.
    static func isPage(_ request: Request) -> Bool {
        let path = request.uri.path
        if ["/", "/sign-in", "/sign-in/code", "/sign-in/enrol", "/sign-out", "/session/extend"].contains(path) || path.hasPrefix("/assets/")
            || path.hasPrefix("/account/")
        {
            return true
        }
        guard Self.hasPage(path) else { return false }
        switch request.method {
        case .get, .head:
            // A browser's Accept names text/html and not JSON; an API client asking for JSON
            // (even with text/html beside it) gets the API.
            let accept = request.headers[.accept] ?? ""
            return accept.contains("text/html") && !accept.contains("application/json")
        case .post:
            return (request.headers[.contentType] ?? "").hasPrefix("application/x-www-form-urlencoded")
        default:
            return false
        }
    }

    /// Whether the path is one the web view has a page for (when a browser asks).
    static func hasPage(_ path: String) -> Bool {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2 else { return false }
        switch segments[1] {
        case "premises":
            return segments.count == 2 || (!segments[2].isEmpty && UUID(uuidString: String(segments[2])) == nil)
        case "referrals", "occupancy", "reports", "notifications", "transfers", "appeals", "staff", "subject-access", "access-log":
            return true
        default:
            return false
        }
    }
}
