import Dispatch
import HummingbirdBcrypt
import Synchronization

/// bcrypt off the request path. Hashing and checking a password costs ~60 ms of CPU by design, so
/// it runs on a thread of its own, one at a time, never on the threads every service shares (where
/// a handful of concurrent logins would stall all of them); at most ``maximumWaiting`` wait, and
/// more are refused at once (``AuthError/busy``).
public final class PasswordHasher: Sendable {
    /// bcrypt's work factor: about 60 ms per hash here.
    public static let cost: UInt8 = 10
    /// How many hashes may wait their turn.
    public let maximumWaiting: Int

    private let queue = DispatchQueue(label: "flowline.bcrypt", qos: .utility)
    private let pending = Atomic(0)

    /// A hash to check unknown users' passwords against, of a password nobody has; made on the
    /// hasher's thread as it starts.
    private static let decoyHash = Bcrypt.hash("flowline-decoy-password", cost: cost)

    public init(maximumWaiting: Int = 32) {
        self.maximumWaiting = maximumWaiting
        queue.async { _ = Self.decoyHash }
    }

    /// Whether `password` is the one `hash` was made from.
    public func verify(_ password: String, hash: String) async throws(AuthError) -> Bool {
        try await run { Bcrypt.verify(password, hash: hash) }
    }

    /// Takes as long as ``verify(_:hash:)`` does, for a user who does not exist.
    public func verifyUnknownUser(_ password: String) async throws(AuthError) {
        _ = try await run { Bcrypt.verify(password, hash: Self.decoyHash) }
    }

    /// A new bcrypt hash of `password`.
    public func hash(_ password: String) async throws(AuthError) -> String {
        try await run { Bcrypt.hash(password, cost: Self.cost) }
    }

    private func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async throws(AuthError) -> T {
        guard pending.add(1, ordering: .relaxed).newValue <= maximumWaiting else {
            pending.subtract(1, ordering: .relaxed)
            throw .busy
        }
        defer { pending.subtract(1, ordering: .relaxed) }
        return await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
