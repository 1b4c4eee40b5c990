/// An e-mail address as the API document's pattern reads one (`^[^@\\s]+@[^@\\s]+\\.[^@\\s]+`):
/// something, `@`, something with a dot inside it (not first or last), and no white space (as
/// `BlankText` counts it) or second `@` anywhere.
public enum EmailText {
    /// Whether `text` looks like an e-mail address.
    public static func looksValid(_ text: String) -> Bool {
        // Split by code point, as the document's pattern reads it: "@" followed by a combining
        // mark (an emoji's skin tone, say) is one Character but still the "@".
        let parts = text.unicodeScalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.unicodeScalars.contains(where: { BlankText.whiteSpace.contains($0.value) }) else {
            return false
        }
        return parts[1].dropFirst().dropLast().contains(".")
    }
}
