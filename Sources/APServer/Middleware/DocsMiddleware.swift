import Foundation
import HTTPTypes
import Hummingbird

/// Serves the built documentation (`Deploy/docs.sh`: the guides, one per reader, and the domain
/// library's symbols, as a static DocC site) at `/docs`. Like `/openapi.yaml` it is open to
/// anyone: it holds no one's data. It comes before the web view, whose security headers (a
/// policy that forbids inline script) the DocC site cannot keep.
struct DocsMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Where the documentation is served.
    static var path: String { "/docs" }
    /// The landing page of the catalog.
    static var home: String { "/docs/documentation/approvedpremises/" }

    let files: FileMiddleware<Context, LocalFileSystem>

    init(folder: String) {
        files = FileMiddleware(folder, urlBasePath: Self.path, searchForIndexHtml: true)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path == Self.path || path.hasPrefix(Self.path + "/") else { return try await next(request, context) }
        if path == Self.path || path == Self.path + "/" {
            return Response(status: .found, headers: [.location: Self.home])
        }
        var response = try await files.handle(request, context: context) { _, _ in throw HTTPError(.notFound) }
        // A folder asked for without its final slash is redirected to it, but by FileMiddleware
        // without the base path: put it back.
        if response.status.kind == .redirection, let location = response.headers[.location], location.hasPrefix("/"),
            !location.hasPrefix(Self.path + "/")
        {
            response.headers[.location] = Self.path + location
        }
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return response
    }
}

/// Finds the built documentation: `AP_DOCS_DIR`; `share/ap/docs` beside the executable's folder
/// (where `Deploy/install.sh` puts it); the checkout's `.build/docs-site/docs` (where
/// `Deploy/docs.sh` writes it). Nil when it has not been built: then `/docs` is not served and no
/// page links to it.
public enum DocsFolder {
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        var candidates = [URL]()
        if let configured = environment["AP_DOCS_DIR"], !configured.isEmpty {
            candidates.append(URL(fileURLWithPath: configured))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("share/ap/docs"))
        // Sources/APServer/Middleware/DocsMiddleware.swift → the checkout.
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(checkout.appendingPathComponent(".build/docs-site/docs"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path) }?.path
    }
}
