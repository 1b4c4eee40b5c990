import APClient
import Foundation

/// Asks before a change when at a terminal (unless --yes): Enter or y goes ahead. A script's
/// stdin is never read as an answer. Answers the moment the person said yes, when it asked.
@discardableResult
func confirm(_ question: String, yes: Bool) throws -> Date? {
    guard !yes, isatty(STDIN_FILENO) == 1 else { return nil }
    print(question + " [Y/n] ", terminator: "")
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
    guard answer.isEmpty || answer == "y" || answer == "yes" else { throw CLIError("nothing recorded") }
    return Date()
}

/// A vocabulary code in words: `one_to_one` is "one to one".
func words(_ code: String) -> String { code.replacingOccurrences(of: "_", with: " ") }
