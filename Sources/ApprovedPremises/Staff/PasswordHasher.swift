import HummingbirdBcrypt
import NIOPosix

/// Hashes and checks passwords with bcrypt, off the caller's thread (bcrypt is slow on purpose).
public struct PasswordHasher: Sendable {
    /// bcrypt's cost: 12 in production; tests use the minimum, 4, to stay quick.
    public var cost: UInt8

    /// A hasher of bcrypt cost `cost` (tests use 4).
    public init(cost: UInt8 = 12) {
        precondition((4...31).contains(cost), "bcrypt cost must be 4...31")
        self.cost = cost
    }

    /// The bcrypt hash of a password.
    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
