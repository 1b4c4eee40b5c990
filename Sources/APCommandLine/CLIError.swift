import APIContract

/// An error the command line reports as one sentence and a non-zero exit code.
public struct CLIError: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }

    /// The service's problem answer, in words: its detail, then each field problem.
    init(status: Int, problem: Components.Schemas.Problem?) {
        guard let problem else {
            self.init("the service answered \(status) without saying why")
            return
        }
        var text = problem.detail
        let fields = (problem.errors ?? []).filter { !text.contains($0.message) }
        if !fields.isEmpty {
            text += " (" + fields.map { "\($0.field): \($0.message)" }.joined(separator: "; ") + ")"
        }
        self.init(text)
    }
}
