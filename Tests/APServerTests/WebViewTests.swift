import APServer
import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// The web view beside the API, over HTTP: which requests are pages, the session cookie, and
/// the origin check. The pages themselves are tested in a real browser (Tests/Browser).
@Suite("web view")
struct WebViewTests {
    static func form(_ fields: [String: String]) -> ByteBuffer {
        ByteBuffer(
            string: fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(
                separator: "&"))
    }

    /// A form post as a browser sends one from our own page (`Sec-Fetch-Site: same-origin`).
    static let formHeaders: HTTPFields = [
        .contentType: "application/x-www-form-urlencoded", HTTPField.Name("Sec-Fetch-Site")!: "same-origin",
    ]

    /// Signs in through the pages as a browser does: the password, then (for an account with a
    /// second factor) the code page with the pending sign-in's cookie; the session cookie.
    static func browserSignIn(_ client: some TestClientProtocol, _ username: String, _ fixtures: Fixtures) async throws -> String {
        let (location, cookie) = try await client.execute(
            uri: "/sign-in", method: .post, headers: formHeaders, body: form(["username": username, "password": Fixtures.password])
        ) { response in (response.headers[.location] ?? "", String(try #require(response.headers[.setCookie]?.split(separator: ";").first)))
        }
        guard location.hasPrefix("/sign-in/code") else { return cookie }
        var headers = formHeaders
        headers[.cookie] = cookie
        let code = try #require(try await fixtures.code(for: username))
        return try await client.execute(uri: "/sign-in/code", method: .post, headers: headers, body: form(["code": code])) { response in
            #expect(response.status == .seeOther)
            let session = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("ap_session=") })
            return String(try #require(session.split(separator: ";").first))
        }
    }

    @Test("a request for JSON at a premises code is still the API's, and a page needs a browser's Accept")
    func apiKeepsItsPaths() async throws {
        try await withApp { client, world in
            try await client.execute(uri: "/premises/ELM", method: .get, headers: world.headers("manager", [.accept: "application/json"])) {
                response in
                #expect(response.status == .badRequest)
                #expect(response.headers[.contentType]?.contains("json") == true)
            }
            try await client.execute(
                uri: "/premises/\(world.elm.uuidString.lowercased())", method: .get,
                headers: world.headers("manager", [.accept: "text/html, application/json;q=0.9"])
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.contains("json") == true, "an API identifier is the API's whatever the Accept")
            }
        }
    }

    @Test("signing in in a browser sets an HttpOnly, SameSite=Strict session cookie that opens the premises' pages")
    func signInCookie() async throws {
        try await withApp { client, _ in
            let cookie = try await client.execute(
                uri: "/sign-in", method: .post, headers: Self.formHeaders,
                body: Self.form(["username": "night", "password": Fixtures.password, "next": "/premises/ELM"])
            ) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/premises/ELM")
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
                #expect(!setCookie.contains("Secure"), "plain http has no Secure cookie")
                return String(try #require(setCookie.split(separator: ";").first))
            }
            try await client.execute(uri: "/premises/ELM", method: .get, headers: [.accept: "text/html", .cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("Today"))
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("frame-ancestors 'none'") == true)
            }
            try await client.execute(uri: "/premises/OAK", method: .get, headers: [.accept: "text/html", .cookie: cookie]) { response in
                #expect(response.status == .forbidden, "another AP's page is the 403 page")
            }
            try await client.execute(uri: "/premises/ELM", method: .get, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/sign-in?next=%2Fpremises%2FELM")
            }
        }
    }

    @Test("a wrong password is the sign-in page again with the reason, and counts toward the throttle")
    func wrongPassword() async throws {
        try await withApp { client, world in
            // Post/redirect/get: the sign-in page again, by a redirect, with the username kept (never the password) and the reason.
            let (location, cookie) = try await client.execute(
                uri: "/sign-in", method: .post, headers: Self.formHeaders,
                body: Self.form(["username": "manager", "password": "wrong"])
            ) { response in
                #expect(response.status == .seeOther)
                return (response.headers[.location] ?? "", response.headers[.setCookie] ?? "")
            }
            #expect(location.hasPrefix("/sign-in?next=%2F&draft="))
            #expect(cookie.hasPrefix("ap_browser="))
            let browser = String(cookie.prefix { $0 != ";" })
            try await client.execute(uri: location, method: .get, headers: [.accept: "text/html", .cookie: browser]) { response in
                #expect(response.status == .unauthorized)
                let page = String(buffer: response.body)
                #expect(page.contains("The username or password is wrong"))
                #expect(page.contains("value=\"manager\""))
            }
            try await client.execute(uri: location, method: .get, headers: [.accept: "text/html"]) { response in
                #expect(
                    !String(buffer: response.body).contains("The username or password is wrong"),
                    "another browser is not shown the kept answers")
            }
            let kept: String? = try await world.pool.query("SELECT fields::text AS fields FROM form_draft").first?.decode("fields")
            #expect(kept?.contains("wrong") == false, "the password is never kept")
            let failures: Int? = try await world.pool.query("SELECT consecutive_failures FROM sign_in_throttle WHERE username = 'manager'")
                .first?.decode("consecutive_failures")
            #expect(failures == 1)
        }
    }

    @Test("with an https public address the cookie is Secure, and a form from another origin is refused")
    func httpsPublicAddress() async throws {
        try await TestDatabase.withDatabase { pool in
            _ = try await TestWorld.make(pool: pool)
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let router = try buildRouter(
                pool: pool, passwordHasher: PasswordHasher(cost: 4), publicURL: "https://ap.example.org", logger: logger)
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            try await app.test(.router) { client in
                var headers = Self.formHeaders
                headers[.origin] = "https://ap.example.org"
                try await client.execute(
                    uri: "/sign-in", method: .post, headers: headers,
                    body: Self.form(["username": "night", "password": Fixtures.password])
                ) { response in
                    #expect(response.status == .seeOther)
                    #expect(response.headers[.setCookie]?.contains("Secure") == true)
                }
                headers[.origin] = "https://evil.example"
                try await client.execute(
                    uri: "/sign-in", method: .post, headers: headers,
                    body: Self.form(["username": "manager", "password": Fixtures.password])
                ) { response in
                    #expect(response.status == .forbidden)
                    #expect(response.headers[.setCookie] == nil)
                }
            }
        }
    }

    @Test("the built guides are served at /docs, open to anyone, and each page's footer links to the guide for the person's role")
    func guidesAtDocs() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ap-docs-\(UUID().uuidString)")
        let article = folder.appendingPathComponent("documentation/approvedpremises/apmanager")
        try FileManager.default.createDirectory(at: article, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("<html>the catalog</html>".utf8).write(to: folder.appendingPathComponent("index.html"))
        try Data("<html>The AP manager in the browser</html>".utf8).write(to: article.appendingPathComponent("index.html"))
        for docs in [folder.path, nil] {
            try await TestDatabase.withDatabase { pool in
                _ = try await TestWorld.make(pool: pool)
                var logger = Logger(label: "test")
                logger.logLevel = .warning
                let router = try buildRouter(pool: pool, passwordHasher: PasswordHasher(cost: 4), docsFolder: docs, logger: logger)
                let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
                try await app.test(.router) { client in
                    let cookie = try await Self.browserSignIn(client, "manager", Fixtures(pool: pool))
                    try await client.execute(uri: "/premises/ELM", method: .get, headers: [.accept: "text/html", .cookie: cookie]) {
                        response in
                        let footerLink =
                            "href=\"/docs/documentation/approvedpremises/apmanager\">Your guide: The AP manager in the browser</a>"
                        #expect(String(buffer: response.body).contains(footerLink) == (docs != nil))
                    }
                    try await client.execute(
                        uri: "/docs/documentation/approvedpremises/apmanager/", method: .get, headers: [.accept: "text/html"]
                    ) {
                        response in
                        if docs != nil {
                            #expect(response.status == .ok)
                            #expect(String(buffer: response.body).contains("The AP manager in the browser"))
                            #expect(
                                response.headers[HTTPField.Name("Content-Security-Policy")!] == nil,
                                "the DocC site runs its own inline script")
                        } else {
                            #expect(response.status == .notFound, "nothing is served at /docs when the guides were not built")
                        }
                    }
                    if docs != nil {
                        try await client.execute(uri: "/docs", method: .get) { response in
                            #expect(response.status == .found)
                            #expect(response.headers[.location] == "/docs/documentation/approvedpremises/")
                        }
                        try await client.execute(uri: "/docs/documentation/approvedpremises/none/", method: .get) { response in
                            #expect(response.status == .notFound)
                        }
                        try await client.execute(uri: "/docs/documentation/approvedpremises/apmanager", method: .get) { response in
                            #expect(response.status.kind == .redirection)
                            #expect(
                                response.headers[.location] == "/docs/documentation/approvedpremises/apmanager/", "the folder, under /docs")
                        }
                    }
                }
            }
        }
    }
}
