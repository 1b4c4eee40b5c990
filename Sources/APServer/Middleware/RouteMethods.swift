import Foundation

/// Which methods each path of the API document takes, so that a request with another method is
/// answered 405 with `Allow`, not 404 as if the address did not exist; and which operation a
/// request is, for the metrics (a replayed POST is answered before the API sees it).
struct RouteMethods: Sendable {
    /// Each path template's segments (`nil` for a parameter), its methods and their operations.
    private let routes: [(segments: [String?], methods: [String], operations: [String: String])]

    init(document: Data) {
        var routes = [(segments: [String?], methods: [String], operations: [String: String])]()
        var method: String?
        for line in String(decoding: document, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            if let path = line.wholeMatch(of: /\ \ (\/[^:]*):/)?.output.1 {
                let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
                routes.append((segments, [], [:]))
                method = nil
            } else if let found = line.wholeMatch(of: /\ {4}(get|post|put|patch|delete):/)?.output.1, !routes.isEmpty {
                method = found.uppercased()
                routes[routes.count - 1].methods.append(found.uppercased())
            } else if let id = line.wholeMatch(of: /\ {6}operationId:\ *([A-Za-z0-9_]+)\ */)?.output.1, let method, !routes.isEmpty {
                routes[routes.count - 1].operations[method] = String(id)
            }
        }
        routes.append((["openapi.yaml"], ["GET"], [:]))
        self.routes = routes
    }

    /// The operation a request is: of the paths it matches, the one with the most literal segments.
    func operation(method: String, path: String) -> String? {
        let segments = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/").map(String.init) } ?? []
        return routes.filter { route in
            route.segments.count == segments.count && route.operations[method] != nil
                && zip(route.segments, segments).allSatisfy { $0 == nil || $0 == $1 }
        }.max { $0.segments.compactMap { $0 }.count < $1.segments.compactMap { $0 }.count }?.operations[method]
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
