/// What was typed, as a message quotes it: whole when short, else its first characters with a
/// mark saying how long it was, so that a message never repeats a huge input back.
public enum Excerpt {
    /// The most characters of what was typed that a message repeats.
    public static let limit = 40

    /// `text` in quotation marks, cut to `limit` characters ("…" and its length when cut).
    public static func quoted(_ text: String) -> String {
        guard text.count > limit else { return "\"\(text)\"" }
        return "\"\(text.prefix(limit))…\" (\(text.count) characters)"
    }
}
