import APServer
import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// The sign-in pages over HTTP: the form's token against login CSRF, the code page that comes
/// before any session, and the headers and cookies every page is sent with.
@Suite("Sign-in pages", .enabled(if: TestDatabase.isConfigured, "needs PostgreSQL: run bash Deploy/test.sh"))
struct SignInPageTests {
    static let plainForm: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func cookie(_ response: TestResponse, _ name: String) -> String? {
        response.headers[values: .setCookie].first { $0.hasPrefix("\(name)=") }
    }

    static func pair(_ setCookie: String?) -> String {
        String((setCookie ?? "").prefix { $0 != ";" })
    }

    @Test(
        "a sign-in posted with neither the form's token nor a same-origin Origin or Sec-Fetch-Site is refused; the token is bound to the browser's cookie"
    )
    func loginCSRF() async throws {
        try await withApp { client, _ in
            let form = WebViewTests.form(["username": "night", "password": Fixtures.password])
            let bare = try await client.execute(uri: "/sign-in", method: .post, headers: Self.plainForm, body: form)
            #expect(bare.status == .forbidden && Self.cookie(bare, "ap_session") == nil)

            let page = try await client.execute(uri: "/sign-in", method: .get, headers: [.accept: "text/html"])
            let browser = Self.pair(Self.cookie(page, "ap_browser"))
            let token = try #require(page.text.firstMatch(of: /name="csrf" value="([A-Za-z0-9_-]+)"/)?.output.1)
            var headers = Self.plainForm
            headers[.cookie] = browser
            let withToken = WebViewTests.form(["username": "night", "password": Fixtures.password, "csrf": String(token)])
            let signedIn = try await client.execute(uri: "/sign-in", method: .post, headers: headers, body: withToken)
            #expect(signedIn.status == .seeOther && Self.cookie(signedIn, "ap_session") != nil)

            headers[.cookie] = "ap_browser=another-browsers-cookie-value-000000"
            let elsewhere = try await client.execute(uri: "/sign-in", method: .post, headers: headers, body: withToken)
            #expect(elsewhere.status == .forbidden && Self.cookie(elsewhere, "ap_session") == nil)

            headers[.cookie] = browser
            headers[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            let crossSite = try await client.execute(uri: "/sign-in", method: .post, headers: headers, body: withToken)
            #expect(crossSite.status == .forbidden, "a cross-site post is refused even with a token")
        }
    }

    @Test("behind TLS: HSTS, a strict CSP, Secure HttpOnly SameSite=Strict cookies; the code page comes before any session")
    func headersCookiesAndCodePage() async throws {
        try await TestDatabase.withDatabase { pool in
            let world = try await TestWorld.make(pool: pool)
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            for publicURL in ["https://ap.example.org", nil] {
                let router = try buildRouter(pool: pool, passwordHasher: PasswordHasher(cost: 4), publicURL: publicURL, logger: logger)
                let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
                try await app.test(.router) { client in
                    let page = try await client.execute(uri: "/sign-in", method: .get, headers: [.accept: "text/html"])
                    let hsts = page.headers[HTTPField.Name("Strict-Transport-Security")!]
                    guard publicURL != nil else {
                        #expect(hsts == nil, "no HSTS over plain http")
                        return
                    }
                    #expect(hsts == "max-age=31536000; includeSubDomains")
                    let csp = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
                    #expect(csp.contains("script-src 'self'") && csp.contains("style-src 'self'") && !csp.contains("unsafe-inline"))
                    #expect(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"))
                    #expect(page.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                    #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                    #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
                    #expect(!page.text.contains("<script>") && !page.text.contains(" onclick="), "no inline script")
                    for cookie in [Self.cookie(page, "ap_browser")] {
                        #expect(
                            cookie?.contains("Secure") == true && cookie?.contains("HttpOnly") == true
                                && cookie?.contains("SameSite=Strict") == true)
                    }

                    var headers = Self.plainForm
                    headers[.origin] = "https://ap.example.org"
                    let password = try await client.execute(
                        uri: "/sign-in", method: .post, headers: headers,
                        body: WebViewTests.form(["username": "manager", "password": Fixtures.password, "next": "/premises/ELM"]))
                    #expect(password.headers[.location] == "/sign-in/code?next=%2Fpremises%2FELM")
                    #expect(Self.cookie(password, "ap_session") == nil, "no session before the code")
                    let pending = try #require(Self.cookie(password, "ap_pending"))
                    #expect(
                        pending.contains("Secure") && pending.contains("HttpOnly") && pending.contains("SameSite=Strict")
                            && pending.contains("Path=/sign-in"))

                    headers[.cookie] = Self.pair(pending)
                    let codePage = try await client.execute(
                        uri: "/sign-in/code?next=%2Fpremises%2FELM", method: .get,
                        headers: [.accept: "text/html", .cookie: Self.pair(pending)])
                    #expect(codePage.status == .ok && codePage.text.contains("autocomplete=\"one-time-code\""))
                    let wrong = try await client.execute(
                        uri: "/sign-in/code", method: .post, headers: headers,
                        body: WebViewTests.form(["code": "000000", "next": "/premises/ELM"]))
                    #expect(
                        wrong.status == .unauthorized && wrong.text.contains("The code is wrong") && Self.cookie(wrong, "ap_session") == nil
                    )
                    let code = try #require(try await world.fixtures.code(for: "manager"))
                    let right = try await client.execute(
                        uri: "/sign-in/code", method: .post, headers: headers,
                        body: WebViewTests.form(["code": code, "next": "/premises/ELM"]))
                    #expect(right.status == .seeOther && right.headers[.location] == "/premises/ELM")
                    let session = try #require(Self.cookie(right, "ap_session"))
                    #expect(session.contains("Secure") && session.contains("HttpOnly") && session.contains("SameSite=Strict"))
                    #expect(Self.cookie(right, "ap_pending")?.contains("Max-Age=0") == true, "the pending sign-in's cookie is gone")
                }
            }
        }
    }
}
