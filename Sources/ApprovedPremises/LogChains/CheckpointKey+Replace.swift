import Foundation

extension CheckpointKey {
    /// Replaces the key in `file` with a new one (`ap db keygen --replace`): first the change,
    /// signed by the old key and the new, is appended to the list of keys in each folder (the
    /// checkpoint folder and the witness's; the old key listed as the first when a list is still
    /// empty), then the file is replaced whole (mode 0600) and its `.pub` beside it. The old
    /// private key is kept nowhere. Returns the new key.
    public static func replace(file: String, folders: [CheckpointFolder], at date: Date = Date()) throws -> CheckpointKey {
        let old = try CheckpointKey(file: file)
        let new = CheckpointKey()
        let change = try KeyRecord.introducing(new, replacing: old, at: date)
        for folder in folders {
            if folder.keyRecords().records.isEmpty {
                try folder.append(try KeyRecord.introducing(old, replacing: nil, at: date.addingTimeInterval(-0.001)))
            }
            try folder.append(change)
        }
        let staged = file + ".new"
        try? FileManager.default.removeItem(atPath: staged)
        guard FileManager.default.createFile(atPath: staged, contents: Data(new.fileText.utf8), attributes: [.posixPermissions: 0o600]),
            rename(staged, file) == 0
        else { throw DomainError(.unavailable, "cannot replace \(file)") }
        try (new.publicKey + "\n").write(toFile: file + ".pub", atomically: true, encoding: .utf8)
        return new
    }
}
