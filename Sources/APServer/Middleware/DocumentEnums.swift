import ApprovedPremises
import Foundation

/// The values each request body's enum fields take, and the properties each of its objects
/// has, per operation, read from the API document: so that every value a request gets wrong is
/// named at once, with the values it may take, before the generated decoder (which stops at the
/// first) reads the body; and a property the document does not give is refused, not ignored
/// (a misspelt `notse` would otherwise be dropped without a word).
///
/// Field paths are written as a problem names them, with `[]` for any array index:
/// `shift`, `observations[].observation`, `incident.kind`, `reasons[]`.
struct DocumentEnums: Sendable {
    /// operationId → field path → the values it takes.
    let fields: [String: [String: [String]]]
    /// operationId → object path → the properties the document gives it.
    let objects: [String: [String: Set<String>]]

    init(document: Data) {
        let root = YAMLOutline(String(decoding: document, as: UTF8.self))
        let schemas = root.child("components")?.child("schemas")
        var fields = [String: [String: [String]]]()
        var objects = [String: [String: Set<String>]]()
        for path in root.child("paths")?.children ?? [] {
            for operation in path.children where ["get", "post", "put", "patch", "delete"].contains(operation.key) {
                guard let id = operation.child("operationId")?.inline,
                    let schema = operation.child("requestBody")?.child("content")?.child("application/json")?.child("schema")
                else { continue }
                var found = Found()
                Self.collect(schema, prefix: "", schemas: schemas, into: &found, depth: 0)
                if !found.enums.isEmpty { fields[id] = found.enums }
                objects[id] = found.properties
            }
        }
        self.fields = fields
        self.objects = objects
    }

    /// What a body's schema declares, by path.
    private struct Found {
        var enums = [String: [String]]()
        var properties = [String: Set<String>]()
    }

    /// Every enum under a schema node (`properties`, `items`, `$ref`, or a one-line map).
    private static func collect(
        _ node: YAMLOutline.Node, prefix: String, schemas: YAMLOutline.Node?,
        into found: inout Found, depth: Int
    ) {
        guard depth < 8 else { return }
        if let inline = node.inline {
            collect(inline: inline, prefix: prefix, schemas: schemas, into: &found, depth: depth)
        }
        for child in node.children {
            switch child.key {
            case "properties":
                // An object that also takes properties of its own naming is not closed
                // (`additionalProperties: false`, or no word on it, closes it).
                let closed = node.child("additionalProperties").map { $0.inline?.trimmingCharacters(in: .whitespaces) == "false" } ?? true
                if closed {
                    found.properties[prefix, default: []].formUnion(child.children.map(\.key))
                }
                for property in child.children {
                    collect(property, prefix: join(prefix, property.key), schemas: schemas, into: &found, depth: depth + 1)
                }
            case "items":
                collect(child, prefix: prefix + "[]", schemas: schemas, into: &found, depth: depth + 1)
            case "$ref":
                if let target = referenced(child.inline, in: schemas) {
                    collect(target, prefix: prefix, schemas: schemas, into: &found, depth: depth + 1)
                }
            default:
                break
            }
        }
    }

    /// A one-line schema: `{ type: string, enum: [a, b] }`, `{ $ref: "…" }`, or an array whose
    /// `items` is one of those.
    private static func collect(
        inline: String, prefix: String, schemas: YAMLOutline.Node?,
        into found: inout Found, depth: Int
    ) {
        if let items = inline.firstMatch(of: /items: (\{[^{}]*\})/)?.output.1 {
            collect(inline: String(items), prefix: prefix + "[]", schemas: schemas, into: &found, depth: depth + 1)
            return
        }
        if let values = inline.firstMatch(of: /enum: \[([^\]]*)\]/)?.output.1 {
            found.enums[prefix] = values.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            }
        } else if let reference = inline.firstMatch(of: /\$ref: ("[^"]*")/)?.output.1,
            let target = referenced(String(reference), in: schemas)
        {
            collect(target, prefix: prefix, schemas: schemas, into: &found, depth: depth + 1)
        }
    }

    private static func referenced(_ reference: String?, in schemas: YAMLOutline.Node?) -> YAMLOutline.Node? {
        guard let name = reference?.trimmingCharacters(in: CharacterSet(charactersIn: "\"'")).split(separator: "/").last else { return nil }
        return schemas?.child(String(name))
    }

    private static func join(_ prefix: String, _ key: String) -> String {
        prefix.isEmpty ? key : "\(prefix).\(key)"
    }

    /// Every string of `value` (a JSON body) that its field's enum does not list, and every
    /// property its object does not have, each named.
    func problems(in value: Any, operationID: String) -> [FieldProblem] {
        let enums = fields[operationID] ?? [:]
        let known = objects[operationID] ?? [:]
        var problems = [FieldProblem]()
        func walk(_ value: Any, path: String, pattern: String) {
            switch value {
            case let text as String:
                if let allowed = enums[pattern], !allowed.contains(text) {
                    let field = path.isEmpty ? "body" : path
                    problems.append(
                        FieldProblem(
                            field: field, rule: "oneOf",
                            message: "\(field) must be one of \(allowed.joined(separator: ", ")); not '\(text.prefix(60))'"))
                }
            case let object as [String: Any]:
                if let properties = known[pattern] {
                    for key in object.keys.sorted() where !properties.contains(key) {
                        let field = Self.join(path, key)
                        problems.append(
                            FieldProblem(
                                field: field, rule: "additionalProperties",
                                message: "\(field.prefix(80)) is not a property this request takes (see /openapi.yaml)"))
                    }
                }
                for key in object.keys.sorted() where known[pattern]?.contains(key) ?? true {
                    walk(object[key]!, path: Self.join(path, key), pattern: Self.join(pattern, key))
                }
            case let array as [Any]:
                for (index, item) in array.enumerated() {
                    walk(item, path: "\(path)[\(index)]", pattern: pattern + "[]")
                }
            default:
                break
            }
        }
        walk(value, path: "", pattern: "")
        return problems
    }
}

/// The outline of a YAML document written as the API document is: two-space indentation, one
/// key per line, flow maps on one line. Enough to walk its keys; not a YAML parser.
struct YAMLOutline {
    final class Node {
        let key: String
        /// What follows `key:` on its line, if anything.
        let inline: String?
        var children: [Node] = []

        init(key: String, inline: String?) {
            self.key = key
            self.inline = inline
        }

        func child(_ key: String) -> Node? { children.first { $0.key == key } }
    }

    private let root: Node

    init(_ text: String) {
        root = Node(key: "", inline: nil)
        var stack: [(indent: Int, node: Node)] = [(-1, root)]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let indent = line.prefix { $0 == " " }.count
            let content = line.dropFirst(indent)
            guard !content.hasPrefix("#"), !content.hasPrefix("- "), let colon = Self.keyEnd(content) else { continue }
            let key = content[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let rest = content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let node = Node(key: key, inline: rest.isEmpty ? nil : rest)
            while let last = stack.last, last.indent >= indent { stack.removeLast() }
            stack.last?.node.children.append(node)
            stack.append((indent, node))
        }
    }

    /// Where a line's key ends: the first `:` followed by a space or the end of the line.
    private static func keyEnd(_ content: Substring) -> Substring.Index? {
        var index = content.startIndex
        while index < content.endIndex {
            if content[index] == ":" {
                let next = content.index(after: index)
                if next == content.endIndex || content[next] == " " { return index }
            }
            index = content.index(after: index)
        }
        return nil
    }

    func child(_ key: String) -> Node? { root.child(key) }
}
