/// This build's release and the database schema it was written for.
public enum Release {
    /// The release, `YEAR.MONTH.N` (the N-th of that month, from 0), raised with each release.
    public static let version = "2026.12.0"

    /// The last migration of `sql/` this build was written against: a database must have had it
    /// (`ap db migrate`) before this build serves it.
    public static let schemaMigration = "0028_checkpoint_witness.sql"

    /// What `ap --version` prints: the release and the schema migration it expects.
    public static var description: String {
        "\(version) (schema migration \(schemaMigration))"
    }
}
