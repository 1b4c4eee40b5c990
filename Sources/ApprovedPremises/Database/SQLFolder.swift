import Foundation

/// Finds the sql/ folder of migrations.
public enum SQLFolder {
    /// In order: `AP_SQL_DIR`; `sql/` in the working folder; `sql/` or `share/approved-premises/sql`
    /// beside or above the executable (an installed copy); the checkout this was built from.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        var candidates = [URL]()
        if let configured = environment["AP_SQL_DIR"], !configured.isEmpty {
            candidates.append(URL(fileURLWithPath: configured))
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("sql"))
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(executable.appendingPathComponent("sql"))
        candidates.append(executable.deletingLastPathComponent().appendingPathComponent("share/approved-premises/sql"))
        // Sources/ApprovedPremises/Database/SQLFolder.swift → the checkout's sql/.
        let checkout = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(checkout.appendingPathComponent("sql"))
        for candidate in candidates {
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("0001_foundation.sql").path) {
                return candidate
            }
        }
        throw MigrationError.folderNotFound
    }
}
