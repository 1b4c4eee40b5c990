import APIContract

/// An error the command line reports as one sentence and a non-zero exit code.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    /// The sentence.
    public var description: String
    /// The HTTP status when the error is the service's answer, so a command may expect one
    /// (a 404 for "there is none yet").
    public var status: Int?
    /// The service could not be reached at all (refused, timed out, no such host).
    public var unreachable = false
    /// The rule each field of the service's problem broke (`code` → `required`), for a
    /// command that answers one (`ap login` asking for the second factor's code).
    public var rules: [String: String] = [:]

    /// An error in one sentence.
    public init(_ description: String) {
        self.description = description
    }

    /// The service's problem answer, in words: its detail, then each field problem.
    init(status: Int, problem: Components.Schemas.Problem?) {
        guard let problem else {
            self.init("the service answered \(status) without saying why")
            self.status = status
            return
        }
        var text = problem.detail
        let fields = (problem.errors ?? []).filter { !text.contains($0.message) }
        if !fields.isEmpty {
            text += " (" + fields.map { "\($0.field): \($0.message)" }.joined(separator: "; ") + ")"
        }
        self.init(text)
        self.status = status
        for field in problem.errors ?? [] { rules[field.field] = field.rule }
    }
}

extension CLIError {
    /// Whether `error` means the service could not record anything just now: it could not be
    /// reached, or it answered 5xx (its database down, say). A 4xx is an answer, never this.
    public static func isUnreachable(_ error: any Error) -> Bool {
        guard let problem = unwrapping(error) as? CLIError else { return false }
        return problem.unreachable || (problem.status ?? 0) >= 500
    }
}

/// A call whose answer is "none" when the service says 404: `try await absentAsNil { ... }`.
public func absentAsNil<T>(_ call: () async throws -> T) async throws -> T? {
    do {
        return try await call()
    } catch {
        if let problem = CLIError.unwrapping(error) as? CLIError, problem.status == 404 { return nil }
        throw error
    }
}
