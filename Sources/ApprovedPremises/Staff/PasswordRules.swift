import Foundation

/// Passwords as the NCSC advises: at least 12 characters, no rules of composition, none of the
/// most common passwords (`DenyList/common-passwords.txt`, with its source), and neither the
/// username nor the service's name inside it.
public enum PasswordRules {
    /// The fewest characters a password may have.
    public static let minimumLength = 12
    /// The most (as the API document counts characters: Unicode scalars).
    public static let maximumLength = 72

    /// The deny-list, lower case, read once.
    static let denyList: Set<String> = {
        guard
            let url = Bundle.module.url(forResource: "DenyList/common-passwords", withExtension: "txt")
                ?? Bundle.module.url(forResource: "common-passwords", withExtension: "txt", subdirectory: "DenyList"),
            let text = try? String(contentsOf: url, encoding: .utf8)
        else { fatalError("the password deny-list is missing from the ApprovedPremises bundle") }
        return Set(text.split(separator: "\n").map { $0.lowercased() })
    }()

    /// Whether a password is on the deny-list, ignoring case.
    public static func isCommon(_ password: String) -> Bool {
        denyList.contains(password.lowercased())
    }

    /// Checks a new password for the account `username`, each rule broken named on `password`.
    static func validate(_ password: String, username: String, into validation: inout Validation) {
        let length = password.unicodeScalars.count
        guard length >= minimumLength else {
            validation.require(
                false, field: "password", rule: "length",
                "password must be at least \(minimumLength) characters (this one has \(length)); a few words together make a good one")
            return
        }
        validation.require(
            length <= maximumLength, field: "password", rule: "length", "password must be at most \(maximumLength) characters")
        validation.require(
            !isCommon(password), field: "password", rule: "common",
            "password is one of the most common passwords, which are tried first; choose another")
        let letters = password.lowercased().filter { $0.isLetter || $0.isNumber }
        let name = username.lowercased().filter { $0.isLetter || $0.isNumber }
        validation.require(
            name.count < 3 || !letters.contains(name), field: "password", rule: "username",
            "password must not contain the username")
        validation.require(
            !letters.contains("approvedpremises"), field: "password", rule: "service",
            "password must not contain the service's name")
    }
}
