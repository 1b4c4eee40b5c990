import APClient
import Foundation

/// Asks before a change when at a terminal (unless --yes): Enter or y goes ahead. A script's
/// stdin is never read as an answer.
func confirm(_ question: String, yes: Bool) throws {
    guard !yes, isatty(STDIN_FILENO) == 1 else { return }
    print(question + " [Y/n] ", terminator: "")
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
    guard answer.isEmpty || answer == "y" || answer == "yes" else { throw CLIError("nothing recorded") }
}

/// A vocabulary code in words: `one_to_one` is "one to one".
func words(_ code: String) -> String { code.replacingOccurrences(of: "_", with: " ") }
