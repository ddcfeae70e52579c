import BlockingIO
import CCrypt
import FoundationEssentials
import PlatformConfig
import PlatformCore
import Synchronization

/// bcrypt through libxcrypt (`$2b$`, random 128-bit salt per hash from the OS).
///
/// Hashing and verifying take tens to hundreds of milliseconds by design, so they run on
/// dedicated threads, never on an event loop. The cost is configurable: 12 by default, lower
/// only in tests.
public final class PasswordHasher: Sendable {
    public static let defaultCost = 12
    public let cost: Int
    private let threads: BlockingThreadPool
    /// Hashes and verifications accepted and not finished (running or queued). Past
    /// `maximumPending` new work is refused at once (503 with a retry delay) instead of queueing
    /// behind a flood until every caller's deadline has passed.
    private let pending = Atomic<Int>(0)
    public let maximumPending: Int
    /// Verified against an unknown account so that a missing email costs the same time as a wrong password.
    let decoyHash: String

    /// - Parameter maximumPending: by default eight per thread, about two seconds of work at cost 12.
    public init(
        cost: Int = PasswordHasher.defaultCost, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
        maximumPending: Int? = nil
    ) async throws {
        precondition((4...31).contains(cost), "bcrypt cost must be within 4...31")
        let pool = BlockingThreadPool(name: "bcrypt", threads: max(1, threads))
        self.cost = cost
        self.threads = pool
        self.maximumPending = maximumPending ?? 8 * max(1, threads)
        self.decoyHash = try await pool.run { try Self.hashNow("decoy password for unknown accounts", cost: cost) }
    }

    /// The cost from `BCRYPT_COST` (4...16, 12 by default), as user and auth both read it.
    public convenience init(config: ConfigReader) async throws {
        try await self.init(cost: try config.int("BCRYPT_COST", default: PasswordHasher.defaultCost, in: 4...16))
    }

    deinit { threads.shutdown() }

    public func hash(_ password: String) async throws -> String {
        try await bounded { [cost] in try Self.hashNow(password, cost: cost) }
    }

    /// Compares in constant time. A malformed stored hash never matches.
    public func verify(_ password: String, against storedHash: String) async throws -> Bool {
        try await bounded { Self.verifyNow(password, against: storedHash) }
    }

    private func bounded<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        guard pending.add(1, ordering: .relaxed).newValue <= maximumPending else {
            pending.subtract(1, ordering: .relaxed)
            throw AppError(.unavailable, "too many password checks are waiting; try again shortly", retryAfterSeconds: 1)
        }
        defer { pending.subtract(1, ordering: .relaxed) }
        return try await threads.run(work)
    }

    /// Spends the time of one verification, for accounts that do not exist.
    public func spendVerificationTime(_ password: String) async throws {
        _ = try await verify(password, against: decoyHash)
    }

    static func hashNow(_ password: String, cost: Int) throws -> String {
        var setting = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        guard crypt_gensalt_rn("$2b$", UInt(cost), nil, 0, &setting, Int32(setting.count)) != nil else {
            throw AppError(.internal, "could not generate a bcrypt salt")
        }
        guard let hash = crypt(password, setting: setting), hash.hasPrefix("$2b$") else {
            throw AppError(.internal, "bcrypt failed")
        }
        return hash
    }

    static func verifyNow(_ password: String, against storedHash: String) -> Bool {
        guard storedHash.hasPrefix("$2"), let computed = crypt(password, setting: Array(storedHash.utf8CString)) else {
            return false
        }
        return constantTimeEqual(Array(computed.utf8), Array(storedHash.utf8))
    }

    private static func crypt(_ password: String, setting: [CChar]) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            // The work area holds key material: wipe it.
            UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        guard let result = crypt_rn(password, setting, data, Int32(MemoryLayout<crypt_data>.size)) else { return nil }
        let text = String(cString: result)
        // libxcrypt reports failure as a string starting with '*'.
        return text.hasPrefix("*") ? nil : text
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
