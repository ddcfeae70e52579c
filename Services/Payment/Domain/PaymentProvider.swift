import FoundationEssentials

/// What a card processor answers to a charge.
public enum ChargeOutcome: Sendable, Equatable {
    case succeeded(reference: String)
    case failed(reason: String)
}

/// A card processor. Both calls take an idempotency key, as real processors do: the same key
/// gives the same answer and moves money once, so a charge retried after a crash is not a second one.
public protocol PaymentProvider: Sendable {
    func charge(token: String, amountCents: Int64, currency: String, idempotencyKey: String) async throws -> ChargeOutcome
    func refund(reference: String, amountCents: Int64, idempotencyKey: String) async throws
}

/// The test mode of a card processor: `tok_ok` succeeds, `tok_declined` and
/// `tok_insufficient_funds` are refused, anything else is an invalid token. It keeps no state:
/// its answer depends only on the token and the key, so replays are answered alike.
public struct SimulatedPaymentProvider: PaymentProvider {
    /// How long the processor takes to answer (a suspension, never a blocked thread).
    public let latency: Duration

    public init(latency: Duration) { self.latency = latency }

    public func charge(token: String, amountCents: Int64, currency: String, idempotencyKey: String) async throws -> ChargeOutcome {
        try await respond()
        switch token {
        case "tok_ok": return .succeeded(reference: Self.reference(idempotencyKey))
        case "tok_declined": return .failed(reason: "card_declined")
        case "tok_insufficient_funds": return .failed(reason: "insufficient_funds")
        default: return .failed(reason: "invalid_token")
        }
    }

    public func refund(reference: String, amountCents: Int64, idempotencyKey: String) async throws {
        try await respond()
    }

    private func respond() async throws {
        if latency > .zero { try await Task.sleep(for: latency) }
    }

    /// The charge's reference, derived from the key alone: the same key, the same charge.
    static func reference(_ key: String) -> String {
        "ch_" + key.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(32)
    }
}

