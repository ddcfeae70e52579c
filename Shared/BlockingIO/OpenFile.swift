import Glibc

/// A file opened for reading or writing in chunks. Every call blocks: make them on a
/// `BlockingThreadPool`. Closed by `close()` or, at the latest, when released.
public final class OpenFile: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let operation: String
        public let path: String
        public let errorNumber: Int32
        public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(errorNumber)))" }
    }

    public let path: String
    private var descriptor: Int32

    /// Opens an existing file for reading.
    public convenience init(reading path: String) throws {
        try self.init(path, flags: O_RDONLY, operation: "open")
    }

    /// Creates (or empties) a file for writing, readable by its owner only.
    public convenience init(creating path: String) throws {
        try self.init(path, flags: O_WRONLY | O_CREAT | O_TRUNC, operation: "create")
    }

    private init(_ path: String, flags: Int32, operation: String) throws {
        self.path = path
        self.descriptor = open(path, flags | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(operation: operation, path: path, errorNumber: errno) }
    }

    deinit { close() }

    /// Up to `count` bytes; empty at the end of the file.
    public func read(upTo count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        while true {
            let read = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, count) }
            if read >= 0 { return Array(bytes.prefix(read)) }
            if errno != EINTR { throw Failure(operation: "read", path: path, errorNumber: errno) }
        }
    }

    public func write(_ bytes: [UInt8]) throws {
        if let failure = writeAll(bytes, to: descriptor) { throw Failure(operation: "write", path: path, errorNumber: failure) }
    }

    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }
}

/// Writes all of `bytes` to `descriptor`, across short writes and interruptions; the `errno` of a
/// failure, nil on success.
public func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}
