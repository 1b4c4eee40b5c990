/// What a required text must hold: at least one character that is not white space.
///
/// White space is read exactly as the API document's `pattern: "\\S"` is read by the tools that
/// check it (Python's `str.isspace`, a superset of ECMAScript's `\s` but for U+FEFF), so that a
/// text the document allows is never refused here, nor one it refuses taken.
extension StringProtocol {
    /// True when every character is white space (or there is none).
    public var isBlank: Bool {
        unicodeScalars.allSatisfy { BlankText.whiteSpace.contains($0.value) }
    }
}

/// The code points that count as white space (Python 3's `str.isspace`).
enum BlankText {
    static let whiteSpace: Set<UInt32> = Set([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
                                              0x2028, 0x2029, 0x202F, 0x205F, 0x3000] + Array(0x2000...0x200A))
}
