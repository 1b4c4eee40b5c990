import Foundation

/// Reading secrets and printing answers in a terminal, for the staff and operator commands.
public enum Terminal {
    /// Reads a password: from a prompt with echo off when stdin is a terminal, else the first
    /// line of stdin (for scripts: `echo "$PASSWORD" | ap login name`). Never from an option.
    public static func readPassword(prompt: String) throws -> String {
        if isatty(STDIN_FILENO) == 1 {
            guard let pointer = getpass(prompt) else { throw CLIError("no password given") }
            return String(cString: pointer)
        }
        guard let line = Swift.readLine(strippingNewline: true), !line.isEmpty else {
            throw CLIError("no password given: type it at the prompt, or send it on stdin")
        }
        return line
    }

    /// Reads one line, after a prompt at a terminal; an error when there is none.
    public static func readCode(prompt: String) throws -> String {
        if isatty(STDIN_FILENO) == 1 {
            FileHandle.standardOutput.write(Data(prompt.utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true), !line.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CLIError("no code given: type it at the prompt, or send it on the line after the password")
        }
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// Reads one key press: at a terminal without waiting for Enter or echoing it; otherwise the
    /// next character of stdin that is not white space. Nil at the end of input.
    public static func readKey() -> Character? {
        var byte: UInt8 = 0
        guard isatty(STDIN_FILENO) == 1 else {
            while read(STDIN_FILENO, &byte, 1) == 1 {
                let key = Character(UnicodeScalar(byte))
                if !key.isWhitespace { return Character(key.lowercased()) }
            }
            return nil
        }
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        tcsetattr(STDIN_FILENO, TCSANOW, &raw)
        defer { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        guard read(STDIN_FILENO, &byte, 1) == 1 else { return nil }
        if byte == 3 || byte == 4 { return "q" }  // Ctrl-C, Ctrl-D: stop
        if byte == 127 || byte == 8 { return "b" }  // Backspace: back
        return Character(Character(UnicodeScalar(byte)).lowercased())
    }

    /// Prints a value as indented JSON.
    public static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Prints rows as a table with a header, columns padded to their widest cell.
    public static func printTable(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { column in
            ([header[column]] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            var text = zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        print(line(header))
        rows.forEach { print(line($0)) }
    }

    /// A time in this PC's zone, as people here read it: on the 24-hour clock, whatever the
    /// locale ("Sun 6 Dec 2026 23:40").
    public static func time(_ date: Date, in timeZone: TimeZone = .current) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        formatter.dateFormat = "EEE d MMM yyyy HH:mm"
        return formatter.string(from: date)
    }
}
