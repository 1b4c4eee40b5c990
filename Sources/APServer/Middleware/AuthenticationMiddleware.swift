import ApprovedPremises
import HTTPTypes
import Hummingbird

/// Reads the bearer token, when there is one, and makes its member of staff the request's
/// caller. A token that is malformed, unknown, revoked or expired is refused at once (401);
/// whether an operation needs a caller at all is `AccessPolicy`'s decision. The addresses that
/// need no one (health, readiness, the document) never read the header: a stale token sent to
/// them by a client that always sends one is no reason to refuse.
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let sessions: SessionStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authorization = request.headers[.authorization], !openAddresses.contains(request.uri.path) else {
            return try await next(request, context)
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw DomainError(.unauthenticated, "the Authorization header must be 'Bearer <token>'")
        }
        let principal = try await sessions.authenticate(token: String(parts[1]).trimmingCharacters(in: .whitespaces))
        return try await RequestScope.$principal.withValue(principal) {
            try await next(request, context)
        }
    }
}

/// The addresses that need no one, whose requests' Authorization header is never read.
private let openAddresses: Set<String> = ["/health", "/ready", "/openapi.yaml"]
