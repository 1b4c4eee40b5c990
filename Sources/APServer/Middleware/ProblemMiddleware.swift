import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import OpenAPIRuntime
import Postgres

/// Gives every request an identifier and turns every error into `application/problem+json`:
/// domain errors to their status, unreadable input to 400 naming the field, and anything
/// unexpected to a bare 500 that says nothing of SQL or code (the log has the details).
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// The document's methods per path, for 405 answers.
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let requestID = request.headers[.requestID].flatMap { $0.count <= 100 ? $0 : nil } ?? UUID().uuidString.lowercased()
        var response = await RequestScope.$requestID.withValue(requestID) {
            await RequestScope.$userAgent.withValue(request.headers[.userAgent]) {
                do {
                    return try await next(request, context)
                } catch {
                    return answer(for: error, requestID: requestID, request: request)
                }
            }
        }
        response.headers[.requestID] = requestID
        // The generated server percent-encodes header values, which would send the ETag
        // "1" as %221%22; an ETag must go out as written.
        if let etag = response.headers[.eTag], etag.contains("%") {
            response.headers[.eTag] = etag.removingPercentEncoding ?? etag
        }
        return response
    }

    func answer(for error: any Error, requestID: String, request: Request) -> Response {
        var error = error
        var inputUnreadable = false
        var cause = ""
        if let serverError = error as? ServerError {
            error = serverError.underlyingError
            inputUnreadable = serverError.operationInput == nil
            cause = serverError.causeDescription
        }
        error = ConstraintViolations.translate(error)
        switch error {
        case let domain as DomainError:
            var headers = HTTPFields()
            if case .rateLimited(let seconds) = domain.kind {
                headers[.retryAfter] = String(seconds)
            }
            if domain.kind == .unauthenticated {
                headers[.wwwAuthenticate] = "Bearer"
            }
            return Problem(domain, requestID: requestID).response(extraHeaders: headers)
        case let decoding as DecodingError:
            let problem = Self.fieldProblem(decoding)
            return Problem(status: .badRequest, detail: problem.message, requestID: requestID, errors: [problem]).response()
        case let http as HTTPError:
            // An address the API has, asked with a method it does not take: 405, saying which it takes.
            let allowed = http.status == .notFound ? routes.allowed(for: request.uri.path) : []
            if !allowed.isEmpty, !allowed.contains(request.method.rawValue) {
                var headers = HTTPFields()
                headers[.allow] = allowed.joined(separator: ", ")
                return Problem(
                    status: .methodNotAllowed,
                    detail: "this address takes \(allowed.joined(separator: ", ")), not \(request.method.rawValue)",
                    requestID: requestID
                ).response(extraHeaders: headers)
            }
            return Problem(status: http.status, detail: http.body ?? Self.detail(for: http.status), requestID: requestID).response()
        default:
            if inputUnreadable {
                return Problem(status: .badRequest, detail: "the request could not be read: \(cause)", requestID: requestID).response()
            }
            logger.error(
                "request failed",
                metadata: [
                    "request_id": "\(requestID)", "path": "\(request.uri.path)", "error": "\(LogSafe.describe(error))",
                ])
            return Problem(
                status: .internalServerError,
                detail: "something went wrong on our side; quote request \(requestID) when you report it",
                requestID: requestID
            ).response()
        }
    }

    static func detail(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "there is nothing at this address; see /openapi.yaml for the API"
        case 405: "this address does not take that method; see /openapi.yaml for the API"
        case 413: "the request body is too large"
        default: status.reasonPhrase
        }
    }

    /// Names the field a JSON body got wrong, and how.
    static func fieldProblem(_ error: DecodingError) -> FieldProblem {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = (codingPath + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "body" : keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            return FieldProblem(field: field, rule: "required", message: "\(field) is required")
        case .valueNotFound(_, let context):
            let field = path(context.codingPath)
            return FieldProblem(field: field, rule: "required", message: "\(field) must not be null")
        case .typeMismatch(let type, let context):
            let field = path(context.codingPath)
            return FieldProblem(field: field, rule: "type", message: "\(field) must be \(Self.describe(type))")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            if context.codingPath.isEmpty {
                return FieldProblem(field: "body", rule: "json", message: "the body is not valid JSON")
            }
            if let value = context.debugDescription.firstMatch(of: /from invalid String value (.*)$/)?.output.1 {
                // A value the document's enum for this field does not list.
                return FieldProblem(
                    field: field, rule: "oneOf", message: "\(field) cannot be '\(value)': /openapi.yaml lists the values it takes")
            }
            return FieldProblem(field: field, rule: "format", message: "\(field) is not an accepted value")
        @unknown default:
            return FieldProblem(field: "body", rule: "json", message: "the body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "an object of the documented shape"
        }
    }
}

extension HTTPField.Name {
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}
