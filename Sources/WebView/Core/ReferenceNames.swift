import ApprovedPremises
import Foundation
import Synchronization

/// The names of the national vocabularies' codes (regions, AP types, room and premises
/// characteristics, reasons…), read once per vocabulary and kept: a page says "North West" and
/// "En-suite", never `NW` or `hasEnSuite`.
final class ReferenceNames: Sendable {
    private let reference: ReferenceStore
    private let known = Mutex<[String: [String: String]]>([:])

    init(reference: ReferenceStore) {
        self.reference = reference
    }

    /// Every name of a vocabulary, by code.
    func names(_ vocabulary: String) async throws -> [String: String] {
        if let names = known.withLock({ $0[vocabulary] }) { return names }
        let entries = try await reference.entries(of: vocabulary)
        let names = Dictionary(entries.map { ($0.code, $0.name) }, uniquingKeysWith: { a, _ in a })
        known.withLock { $0[vocabulary] = names }
        return names
    }

    /// The names of room and premises characteristics together (needs name either).
    func characteristics() async throws -> [String: String] {
        try await names("room-characteristics").merging(try await names("premises-characteristics")) { a, _ in a }
    }

    /// A code said in words: its name, or, for a code of no vocabulary (an offence flag), its
    /// words ("hateCrime" is "Hate crime").
    static func words(_ code: String, in names: [String: String]) -> String {
        if let name = names[code] { return name }
        let spaced = code.replacing(/[A-Z]/) { " " + $0.output.lowercased() }.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// A list of codes in words, joined; `none` when empty.
    static func list(_ codes: [String], in names: [String: String], none: String = "None") -> String {
        codes.isEmpty ? none : codes.map { words($0, in: names) }.joined(separator: ", ")
    }
}
