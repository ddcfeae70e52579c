import HTTPTypes

extension HTTPField.Name {
    /// A write's key: a replay with the same key returns the first result (orders, tickets).
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
