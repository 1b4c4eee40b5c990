/// What a required text must hold: at least one character that is not white space.
///
/// White space is Unicode's White_Space property, as the API document's `pattern: "\\S"` and
/// `[^@\\s]` are read by the tools that check the service against it (the regular expressions
/// of Rust and of Unicode-aware engines; ECMAScript's `\s` also counts U+FEFF), so that a text the
/// document allows is never refused here, nor one it refuses taken.
extension StringProtocol {
    /// True when every character is white space (or there is none).
    public var isBlank: Bool {
        unicodeScalars.allSatisfy { BlankText.whiteSpace.contains($0.value) }
    }
}

/// The code points with Unicode's White_Space property.
enum BlankText {
    static let whiteSpace: Set<UInt32> = Set(
        [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
            + Array(0x2000...0x200A))
}
