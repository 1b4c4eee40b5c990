import Foundation
import TestSupport
import Testing

/// The layout a newcomer relies on, checked so that it stays true: one handler file per API
/// tag holding that tag's operations, the staff commands kept off the database by the
/// compiler, and files short enough to read.
@Suite("The code's structure")
struct StructureTests {
    let root = TestDatabase.checkout

    func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    func swiftFiles(under folder: String) throws -> [(path: String, lines: Int, text: String)] {
        let base = root.appendingPathComponent(folder)
        let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil)!
        return try walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }.map { file in
            let text = try String(contentsOf: file, encoding: .utf8)
            let path = String(file.path.dropFirst(root.path.count + 1))
            return (path, text.split(separator: "\n", omittingEmptySubsequences: false).count - (text.hasSuffix("\n") ? 1 : 0), text)
        }.sorted { $0.path < $1.path }
    }

    @Test("every OpenAPI tag has one handler file, APIHandler+<Tag>.swift, and every operation is in its tag's file")
    func handlerFilePerTag() throws {
        let document = try text("Sources/APIContract/openapi.yaml")
        let regex = /tags: \[([a-z-]+)\]\n\s+operationId: (\w+)/
        let operations = document.matches(of: regex).map { (tag: String($0.output.1), operation: String($0.output.2)) }
        #expect(operations.count > 80)
        let declared = Set(document.matches(of: /\n  - name: ([a-z-]+)\n/).map { String($0.output.1) })
        #expect(declared == Set(operations.map(\.tag)), "the tags declared at the top and the tags used differ")
        for (tag, operation) in operations {
            let name = tag.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            let file = "Sources/APServer/Handlers/APIHandler+\(name).swift"
            let handler = try? text(file)
            #expect(handler?.contains("func \(operation)(_ input: Operations.") == true, "\(operation) (tag \(tag)) is not in \(file)")
        }
    }

    @Test("the staff commands depend on the API client and the argument parser only")
    func staffCommandsStayOffTheDatabase() throws {
        let manifest = try text("Package.swift")
        let target = try #require(manifest.firstRange(of: #"name: "APStaffCommands""#))
        let rest = manifest[target.upperBound...]
        let dependencies = String(rest[..<(rest.firstRange(of: "\n        ),")?.lowerBound ?? rest.endIndex)])
        #expect(dependencies.contains(#""APClient""#) && dependencies.contains(#"package: "swift-argument-parser""#))
        for forbidden in [#""Postgres""#, #""ApprovedPremises""#, #""APServer""#, #""APDemoData""#, #""APOperatorCommands""#] {
            #expect(!dependencies.contains(forbidden), "APStaffCommands depends on \(forbidden)")
        }
        for file in try swiftFiles(under: "Sources/APStaffCommands") {
            for module in ["Postgres", "ApprovedPremises", "APServer", "APDemoData"] {
                #expect(!file.text.contains("import \(module)\n"), "\(file.path) imports \(module)")
            }
            #expect(!file.text.contains("case .default"), "\(file.path) handles a problem answer itself; the client's middleware does")
        }
    }

    @Test("no Swift file over 400 lines, no command file over 250, the median under 120")
    func fileLengths() throws {
        let files = try swiftFiles(under: "Sources")
        for file in files {
            #expect(file.lines <= 400, "\(file.path) has \(file.lines) lines")
            if file.path.contains("Commands/") && !file.path.contains("/Support/") && !file.path.contains("/Benchmark/") {
                #expect(file.lines <= 250, "\(file.path) has \(file.lines) lines")
            }
        }
        let lengths = files.map(\.lines).sorted()
        #expect(lengths[lengths.count / 2] < 120, "the median file has \(lengths[lengths.count / 2]) lines")
    }

    @Test("Europe/London is named once, as the premises' default; no enum conversion is force-unwrapped")
    func namedOnce() throws {
        for file in try swiftFiles(under: "Sources") {
            let london = file.text.components(separatedBy: "\"Europe/London\"").count - 1
            #expect(london == (file.path.hasSuffix("Premises/Premises.swift") ? 1 : 0), "\(file.path) names Europe/London \(london) times")
            #expect(!file.text.contains("rawValue)!"), "\(file.path) force-unwraps an enum conversion")
        }
    }
}
