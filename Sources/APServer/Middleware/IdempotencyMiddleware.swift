import HTTPTypes
import ApprovedPremises
import Crypto
import Foundation
import Hummingbird
import Synchronization

/// Answers a retried POST (same `Idempotency-Key`, same caller) with the first answer, so
/// nothing is recorded twice. The same key with a different request is refused (422); a retry
/// while the first is still running is told to wait (409). A request that failed is forgotten,
/// so its retry runs again.
struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: IdempotencyStore
    /// The largest body a POST may carry.
    let maxBodySize = 1 << 20

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, let key = request.headers[.idempotencyKey], let principal = RequestScope.principal else {
            return try await next(request, context)
        }
        var request = request
        let body = try await request.collectBody(upTo: maxBodySize)
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        let fingerprint = Data(hasher.finalize())

        switch try await store.begin(staffID: principal.staffID, key: key, fingerprint: fingerprint) {
        case .replay(let stored):
            var headers = HTTPFields()
            for (name, value) in stored.headers {
                if let field = HTTPField.Name(name) { headers[field] = value }
            }
            headers[.idempotentReplayed] = "true"
            return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
        case .keyReused:
            throw DomainError(.unprocessable, "this Idempotency-Key was already used for a different request; use a new key for a new change",
                              problems: [FieldProblem(field: "Idempotency-Key", rule: "reused", message: "already used for a different request")])
        case .inProgress:
            throw DomainError(.conflict, "a request with this Idempotency-Key is still being processed; retry in a moment")
        case .proceed:
            break
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            try? await store.abandon(staffID: principal.staffID, key: key)
            throw error
        }
        if response.status.code >= 500 {
            try? await store.abandon(staffID: principal.staffID, key: key)
            return response
        }
        let collected = ResponseCollector()
        var original = response
        try await original.body.write(CollectingWriter(collector: collected))
        let bytes = collected.bytes
        var kept = [String: String]()
        for name in [HTTPField.Name.contentType, .eTag, .location] {
            if let value = response.headers[name] { kept[name.canonicalName] = value }
        }
        try await store.complete(staffID: principal.staffID, key: key,
                                 response: .init(status: Int(response.status.code), headers: kept, body: Data(bytes)))
        var replayable = response
        replayable.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
        return replayable
    }
}

/// Holds the bytes a response body wrote.
final class ResponseCollector: Sendable {
    private let buffer = Mutex<[UInt8]>([])

    func append(_ bytes: ByteBuffer) {
        buffer.withLock { $0.append(contentsOf: bytes.readableBytesView) }
    }

    var bytes: [UInt8] { buffer.withLock { $0 } }
}

/// A body writer that keeps what it is given.
struct CollectingWriter: ResponseBodyWriter {
    let collector: ResponseCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.append(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
