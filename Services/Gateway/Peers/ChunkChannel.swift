import Synchronization

/// Hands chunks from one task to one reader, one at a time: `send` waits until the reader took
/// the previous chunk, so a slow HTTP client slows the gRPC stream behind it instead of piling
/// its bytes up in the gateway. A reader that goes away (the client disconnected) makes the
/// next `send` throw `CancellationError`.
final class ChunkChannel: AsyncSequence, Sendable {
    typealias Element = ArraySlice<UInt8>

    private struct State {
        var chunk: ArraySlice<UInt8>?
        var finished = false
        var failure: (any Error)?
        var readerGone = false
        var reader: CheckedContinuation<ArraySlice<UInt8>?, any Error>?
        var sender: CheckedContinuation<Void, any Error>?
    }

    private let state = Mutex(State())

    func send(_ chunk: ArraySlice<UInt8>) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let reader: CheckedContinuation<ArraySlice<UInt8>?, any Error>? = state.withLock { state in
                if state.readerGone {
                    continuation.resume(throwing: CancellationError())
                    return nil
                }
                if let reader = state.reader {
                    state.reader = nil
                    continuation.resume()
                    return reader
                }
                state.chunk = chunk
                state.sender = continuation
                return nil
            }
            reader?.resume(returning: chunk)
        }
    }

    /// No more chunks: the reader ends (with `error`, when given) once it took the last one.
    func finish(throwing error: (any Error)? = nil) {
        let reader = state.withLock { state -> CheckedContinuation<ArraySlice<UInt8>?, any Error>? in
            state.finished = true
            state.failure = error
            defer { state.reader = nil }
            return state.reader
        }
        if let error { reader?.resume(throwing: error) } else { reader?.resume(returning: nil) }
    }

    fileprivate func next() async throws -> ArraySlice<UInt8>? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ArraySlice<UInt8>?, any Error>) in
            let (result, sender): (Result<ArraySlice<UInt8>?, any Error>?, CheckedContinuation<Void, any Error>?) = state.withLock {
                state in
                if let chunk = state.chunk {
                    state.chunk = nil
                    defer { state.sender = nil }
                    return (.success(chunk), state.sender)
                }
                if state.finished { return (state.failure.map { .failure($0) } ?? .success(nil), nil) }
                state.reader = continuation
                return (nil, nil)
            }
            sender?.resume()
            if let result { continuation.resume(with: result) }
        }
    }

    fileprivate func readerLeft() {
        let sender = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.readerGone = true
            state.chunk = nil
            defer { state.sender = nil }
            return state.sender
        }
        sender?.resume(throwing: CancellationError())
    }

    /// Tells the channel when its reader is gone, whether it read to the end or not.
    fileprivate final class Reader: Sendable {
        let channel: ChunkChannel
        init(_ channel: ChunkChannel) { self.channel = channel }
        deinit { channel.readerLeft() }
    }

    struct Iterator: AsyncIteratorProtocol {
        fileprivate let reader: Reader
        mutating func next() async throws -> ArraySlice<UInt8>? { try await reader.channel.next() }
    }

    func makeAsyncIterator() -> Iterator { Iterator(reader: Reader(self)) }
}
