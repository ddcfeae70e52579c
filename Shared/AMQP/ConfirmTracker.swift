/// Which published messages the broker has not settled yet, and the outcome of the others.
struct ConfirmTracker {
    let messages: [OutgoingMessage]
    private(set) var results: [AMQPError?]
    private var pending: [UInt64: Int] = [:]
    private var returns: [Int: AMQPError] = [:]

    init(messages: [OutgoingMessage]) {
        self.messages = messages
        self.results = Array(repeating: AMQPError(.connectionLost, "not published"), count: messages.count)
    }

    var hasPending: Bool { !pending.isEmpty }

    mutating func sent(_ index: Int, sequence: UInt64) {
        pending[sequence] = index
    }

    /// basic.ack / basic.nack for `tag` (and every earlier one with `multiple`).
    mutating func settle(_ tag: UInt64, multiple: Bool, nacked: Bool) {
        let tags = multiple ? pending.keys.filter { $0 <= tag } : (pending[tag] == nil ? [] : [tag])
        for sequence in tags {
            guard let index = pending.removeValue(forKey: sequence) else { continue }
            if nacked {
                results[index] = AMQPError(.publishNacked, "the broker refused message '\(messages[index].messageID)'")
            } else {
                results[index] = returns[index]
            }
        }
    }

    /// basic.return precedes the message's ack; it is matched by message id, else by routing key.
    mutating func returned(messageID: String?, routingKey: String, error: AMQPError) {
        let candidates = pending.values.sorted().filter { returns[$0] == nil }
        let index = candidates.first { messageID != nil && messages[$0].messageID == messageID }
            ?? candidates.first { messages[$0].routingKey == routingKey }
        if let index { returns[index] = error }
    }

    mutating func failPending(_ error: AMQPError) {
        for index in pending.values { results[index] = error }
        pending = [:]
    }

    mutating func failAll(_ error: AMQPError, from firstUnsent: Int) {
        failPending(error)
        for index in firstUnsent..<messages.count { results[index] = error }
    }
}
