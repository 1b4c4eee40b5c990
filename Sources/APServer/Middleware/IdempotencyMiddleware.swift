import ApprovedPremises
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Answers a retried POST (same `Idempotency-Key`, same caller) with the first answer, so
/// nothing is recorded twice. The key's claim, the change, its audit row and the stored answer
/// are one database transaction (`IdempotencyStore.run`): a request that fails, or whose
/// database connection dies under it, leaves nothing behind and its retry simply runs; a retry
/// that arrives while the first is running waits for it and is given its answer. The same key
/// with a different request is refused (422).
struct IdempotencyMiddleware<Context: RequestContext>: RouterMiddleware {
    let store: IdempotencyStore
    /// The document's paths: a POST to a path that takes none is left to be answered 405, never
    /// refused as the reuse of a key.
    let routes: RouteMethods
    /// The largest body a POST may carry.
    let maxBodySize = 1 << 20

    /// An answer of the service's own failure (5xx): the change is rolled back and nothing is kept.
    private struct NotKept: Error {
        let response: Response
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let key = request.headers[.idempotencyKey], !(1...200).contains(key.unicodeScalars.count) {
            // As the document says, whatever the method: a key out of bounds is malformed.
            throw DomainError.invalid(field: "Idempotency-Key", rule: "length", "Idempotency-Key must be 1 to 200 characters")
        }
        guard request.method == .post, let key = request.headers[.idempotencyKey], let principal = RequestScope.principal,
            routes.operation(method: "POST", path: request.uri.path) != nil
        else {
            return try await next(request, context)
        }
        var request = request
        let body = try await request.collectBody(upTo: maxBodySize)
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: Data(body.readableBytesView))
        let fingerprint = Data(hasher.finalize())
        let buffered = request
        do {
            return try await store.run(staffID: principal.staffID, key: key, fingerprint: fingerprint, replay: Self.replayed) {
                let response = try await next(buffered, context)
                if response.status.code >= 500 { throw NotKept(response: response) }
                let collected = ResponseCollector()
                var original = response
                try await original.body.write(CollectingWriter(collector: collected))
                let bytes = collected.bytes
                var kept = [String: String]()
                for name in [HTTPField.Name.contentType, .eTag, .location] {
                    if let value = response.headers[name] { kept[name.canonicalName] = value }
                }
                var replayable = response
                replayable.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
                return (replayable, .init(status: Int(response.status.code), headers: kept, body: Data(bytes)))
            }
        } catch let notKept as NotKept {
            return notKept.response
        }
    }

    /// The stored answer, sent again and marked as a replay.
    static func replayed(_ stored: IdempotencyStore.StoredResponse) -> Response {
        var headers = HTTPFields()
        for (name, value) in stored.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        headers[.idempotentReplayed] = "true"
        return Response(status: .init(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: stored.body)))
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
