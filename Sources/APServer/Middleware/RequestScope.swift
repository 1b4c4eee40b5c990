import ApprovedPremises
import Foundation
import HTTPTypes

/// What the middleware learned about the request in flight, for the handlers below it.
///
/// Task-local, because the OpenAPI handlers see only the HTTP request, not Hummingbird's
/// context; the handler runs in the task that set it.
enum RequestScope {
    /// The signed-in caller, when the request carried a valid bearer token.
    @TaskLocal static var principal: Principal?
    /// The request's identifier (from `X-Request-Id`, or made up).
    @TaskLocal static var requestID: String = ""
    /// The client's `User-Agent` (`ap/...` for the command line), to tell sessions apart.
    @TaskLocal static var userAgent: String?

    /// The caller, with the request's identifier; `unauthenticated` when nobody signed in.
    static func caller() throws -> Principal {
        guard var principal else {
            throw DomainError(.unauthenticated, "sign in first: this needs an Authorization: Bearer token")
        }
        principal.requestID = requestID
        return principal
    }
}
