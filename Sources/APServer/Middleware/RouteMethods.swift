import Foundation

/// Which methods each path of the API document takes, so that a request with another method is
/// answered 405 with `Allow`, not 404 as if the address did not exist.
struct RouteMethods: Sendable {
    /// Each path template's segments (`nil` for a parameter) and its methods.
    private let routes: [(segments: [String?], methods: [String])]

    init(document: Data) {
        var routes = [(segments: [String?], methods: [String])]()
        for line in String(decoding: document, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if let path = line.wholeMatch(of: /\ \ (\/[^:]*):/)?.output.1 {
                let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
                routes.append((segments, []))
            } else if let method = line.wholeMatch(of: /\ {4}(get|post|put|patch|delete):/)?.output.1, !routes.isEmpty {
                routes[routes.count - 1].methods.append(method.uppercased())
            }
        }
        routes.append(([ "openapi.yaml" ], ["GET"]))
        self.routes = routes
    }

    /// The methods `path` takes; empty when the document has no such path.
    func allowed(for path: String) -> [String] {
        let segments = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
        var methods = Set<String>()
        for route in routes where route.segments.count == segments.count {
            if zip(route.segments, segments).allSatisfy({ $0 == nil || $0 == $1 }) { methods.formUnion(route.methods) }
        }
        return methods.sorted()
    }
}
