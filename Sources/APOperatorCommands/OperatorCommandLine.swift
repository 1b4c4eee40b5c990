import ApprovedPremises
import ArgumentParser

/// The commands operators use on the machine that runs the service: `serve` and `db …`, which
/// reach the database directly.
public enum OperatorCommandLine {
    /// The operator commands, in the order `ap --help` lists them.
    public static let commands: [any ParsableCommand.Type] = [Serve.self, DB.self]
    /// What `ap --version` prints: the release and the schema migration it expects.
    public static let version = Release.description
}
