import ApprovedPremises
import Foundation
import HTTPTypes
import Hummingbird
import Postgres

/// An `application/problem+json` answer (RFC 9457).
struct Problem: Encodable, Sendable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var requestId: String?
    var errors: [FieldProblem]?

    /// The answer for a domain error.
    init(_ error: DomainError, requestID: String?) {
        var status = Self.status(of: error.kind)
        // Bad input the document could not have refused is 422, not 400 (`FieldProblem.statedByDocument`);
        // a request that breaks any rule the document states is malformed, 400, whatever else it breaks.
        if error.kind == .invalid, !error.problems.isEmpty, error.problems.allSatisfy({ !$0.isStatedByDocument }) {
            status = .unprocessableContent
        }
        self.type = "https://approved-premises.justice.local/problems/" + Self.slug(of: error.kind)
        self.title = status.reasonPhrase
        self.status = Int(status.code)
        self.detail = error.message
        self.requestId = requestID
        self.errors = error.problems.isEmpty ? nil : error.problems
    }

    init(status: HTTPResponse.Status, detail: String, requestID: String?, errors: [FieldProblem]? = nil) {
        self.type = status.code == 500 ? "about:blank" : "https://approved-premises.justice.local/problems/http-\(status.code)"
        self.title = status.reasonPhrase
        self.status = Int(status.code)
        self.detail = detail
        self.requestId = requestID
        self.errors = errors
    }

    static func status(of kind: DomainError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .invalid: .badRequest
        case .unauthenticated: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .conflict: .conflict
        case .unprocessable: .unprocessableContent
        case .preconditionFailed: .preconditionFailed
        case .preconditionRequired: .init(code: 428, reasonPhrase: "Precondition Required")
        case .rateLimited: .tooManyRequests
        case .unavailable: .serviceUnavailable
        }
    }

    static func slug(of kind: DomainError.Kind) -> String {
        switch kind {
        case .invalid: "invalid-request"
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .notFound: "not-found"
        case .conflict: "conflict"
        case .unprocessable: "unprocessable"
        case .preconditionFailed: "stale-version"
        case .preconditionRequired: "if-match-required"
        case .rateLimited: "too-many-attempts"
        case .unavailable: "unavailable"
        }
    }

    /// The response carrying this problem.
    func response(extraHeaders: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(self)) ?? Data(#"{"title":"Internal Server Error","status":500}"#.utf8)
        var headers = extraHeaders
        headers[.contentType] = "application/problem+json"
        return Response(
            status: .init(code: status, reasonPhrase: title), headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
