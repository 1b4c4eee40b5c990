import APIContract
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The statuses the API document gives each operation, read from `openapi.yaml`: path template
/// (`nil` segments are parameters), method, statuses.
struct DocumentedStatuses: Sendable {
    private struct Operation: Sendable {
        var segments: [String?]
        var method: String
        var statuses: Set<Int> = []
    }

    private let operations: [Operation]

    static let shared = DocumentedStatuses(document: (try? APIDocument.yaml()) ?? Data())

    init(document: Data) {
        var operations = [Operation]()
        var segments: [String?]?
        var inResponses = false
        for line in String(decoding: document, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if let path = line.wholeMatch(of: /\ \ (\/[^:]*):/)?.output.1 {
                segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
                inResponses = false
            } else if let method = line.wholeMatch(of: /\ {4}(get|post|put|patch|delete):/)?.output.1, let segments {
                operations.append(Operation(segments: segments, method: method.uppercased()))
                inResponses = false
            } else if line == "      responses:" {
                inResponses = !operations.isEmpty
            } else if inResponses, let status = line.firstMatch(of: /^\ {8}"(\d{3})":/)?.output.1 {
                operations[operations.count - 1].statuses.insert(Int(status)!)
            } else if line.hasPrefix("components:") {
                break
            }
        }
        self.operations = operations
    }

    /// The statuses documented for `method` on `path`, or nil when the document has no such
    /// operation (an unknown address, a method the address does not take: 404 and 405 for any).
    /// A literal segment beats a parameter, as the router's own matching does.
    func statuses(method: String, path: String) -> Set<Int>? {
        let concrete = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
        let matching = operations.filter { operation in
            operation.method == method && operation.segments.count == concrete.count
                && zip(operation.segments, concrete).allSatisfy { $0 == nil || $0 == $1 }
        }
        return matching.max { $0.segments.compactMap { $0 }.count < $1.segments.compactMap { $0 }.count }?.statuses
    }

    /// How many operations the document has.
    var count: Int { operations.count }
}

/// A test client that checks every answer the suite sees against the API document: a status
/// the document does not give that operation is a failure of the test that saw it.
struct DocumentedClient: TestClientProtocol {
    let client: any TestClientProtocol

    var port: Int? { client.port }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        let code = Int(response.status.code)
        // A browser's page or form is the web view's, which the API document does not describe.
        let page =
            (headers[.accept] ?? "").contains("text/html") || (headers[.contentType] ?? "").hasPrefix("application/x-www-form-urlencoded")
        if !page, let documented = DocumentedStatuses.shared.statuses(method: method.rawValue, path: uri), !documented.contains(code) {
            Issue.record("\(method) \(uri) answered \(code), which the API document does not give this operation (\(documented.sorted()))")
        }
        return response
    }
}

@Suite("Every answer the suite sees is documented")
struct DocumentedStatusesTests {
    @Test("the document is read whole: each operation with its statuses, a literal segment before a parameter")
    func readsTheDocument() throws {
        let documented = DocumentedStatuses.shared
        let operations = String(decoding: try APIDocument.yaml(), as: UTF8.self).matches(of: /\n\ {6}operationId:/).count
        #expect(documented.count == operations)
        #expect(
            documented.statuses(method: "POST", path: "/placements/\(UUID())/arrival") == [
                200, 400, 401, 403, 404, 409, 412, 413, 422, 503,
            ])
        #expect(documented.statuses(method: "GET", path: "/premises/\(UUID())/handovers/latest")?.contains(200) == true)
        #expect(documented.statuses(method: "GET", path: "/no/such/thing") == nil)
        #expect(documented.statuses(method: "DELETE", path: "/me") == nil)
        // So an undocumented status is caught: a 500 is documented nowhere.
        #expect(documented.statuses(method: "GET", path: "/me")?.contains(500) == false)
    }
}
