import BlockingIO
import FoundationEssentials
import Glibc
import Logging
import PlatformCore
import Synchronization

/// Writes one JSON object per line: `{"ts","level","service","logger","msg","request_id",…metadata}`.
///
/// The request id comes from the log metadata or, when absent, from `RequestScope`, so code
/// deep inside a request logs it without passing it around.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?

    private let label: String
    private let service: String
    private let output: LogOutput

    public init(label: String, service: String, level: Logger.Level, output: LogOutput = .standardOutput) {
        self.label = label
        self.service = service
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Logger.MetadataValue] = [
            "ts": .string(Self.timestamp()),
            "level": .string(event.level.rawValue),
            "service": .string(service),
            "logger": .string(label),
            "msg": .string(event.message.description),
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged { fields[key] = value }
        if fields["request_id"] == nil, let requestID = RequestScope.requestID { fields["request_id"] = .string(requestID) }
        if event.level >= .error { fields["source"] = .string("\(event.file.split(separator: "/").last ?? ""):\(event.line)") }
        // Written by hand: Foundation's JSONSerialization cost a fifth of the gateway's CPU per request.
        var line = ""
        line.reserveCapacity(256)
        JSONText.append(.dictionary(fields), to: &line)
        line.append("\n")
        output.write(line, urgent: event.level >= .error)
    }

    private static func timestamp() -> String { Date.now.rfc3339 }
}

/// Where log lines go, whole and in order.
///
/// Standard output is buffered: a request's line is one append under a lock, and a writer thread
/// passes what gathered to `write(2)` within 50 ms. Errors go out at once, and `flush()`
/// (called when a service stops) writes the rest, so a clean stop loses no line.
public final class LogOutput: Sendable {
    public static let standardOutput = LogOutput(fileDescriptor: STDOUT_FILENO)
    static let flushIntervalMicroseconds: UInt32 = 50_000
    static let bufferLimit = 64 * 1024

    private let pending = ConditionLock([UInt8]())
    /// Held while bytes go out, so that a flush never overtakes another.
    private let writing = Mutex(())
    private let sink: @Sendable ([UInt8]) -> Void
    private let buffered: Bool

    /// An unbuffered output: each line goes to `sink` as it is logged (tests).
    public init(_ sink: @escaping @Sendable ([UInt8]) -> Void) {
        self.sink = sink
        self.buffered = false
    }

    /// Buffered lines to an open file descriptor (standard output, or a pipe in tests).
    public init(fileDescriptor: Int32) {
        self.sink = { bytes in _ = writeAll(bytes, to: fileDescriptor) }  // a failed log write has nowhere to go
        self.buffered = true
        startThread(named: "log-writer") { [self] in self.writeLoop() }
    }

    func write(_ line: String, urgent: Bool) {
        guard buffered else { return writing.withLock { _ in sink(Array(line.utf8)) } }
        let (wasEmpty, count) = pending.withLock { bytes in
            defer { bytes.append(contentsOf: line.utf8) }
            return (bytes.isEmpty, bytes.count + line.utf8.count)
        }
        if urgent || count >= Self.bufferLimit {
            flush()
        } else if wasEmpty {
            pending.signal()
        }
    }

    /// Writes every line logged so far.
    public func flush() {
        writing.withLock { _ in
            let bytes = pending.withLock { bytes in
                defer { bytes.removeAll(keepingCapacity: true) }
                return bytes
            }
            if !bytes.isEmpty { sink(bytes) }
        }
    }

    /// Sleeps until a line arrives, lets more gather for 50 ms, writes them.
    private func writeLoop() {
        while true {
            pending.wait { bytes in bytes.isEmpty ? nil : () }
            usleep(Self.flushIntervalMicroseconds)
            flush()
        }
    }
}

public enum PlatformLogging {
    private static let bootstrapped = Mutex(false)

    /// Installs the JSON handler process-wide (once; later calls are ignored, which tests rely on).
    /// `metadataProvider` adds to every line (e.g. the current span's trace and span ids).
    public static func bootstrap(service: String, level: Logger.Level, metadataProvider: Logger.MetadataProvider? = nil) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = JSONLogHandler(label: label, service: service, level: level)
                handler.metadataProvider = provider
                return handler
            }, metadataProvider: metadataProvider)
    }
}

/// Minimal JSON writer for log lines: objects with sorted keys, strings escaped per RFC 8259.
enum JSONText {
    static func append(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case .string(let string): appendString(string, to: &out)
        case .stringConvertible(let convertible): appendString(convertible.description, to: &out)
        case .array(let array):
            out.append("[")
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(",") }
                append(element, to: &out)
            }
            out.append("]")
        case .dictionary(let dictionary):
            out.append("{")
            for (index, key) in dictionary.keys.sorted().enumerated() {
                if index > 0 { out.append(",") }
                appendString(key, to: &out)
                out.append(":")
                append(dictionary[key]!, to: &out)
            }
            out.append("}")
        }
    }

    static func appendString(_ string: String, to out: inout String) {
        out.append("\"")
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                out.append("\\u" + [UInt8(scalar.value >> 8), UInt8(scalar.value & 0xFF)].hexEncoded)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }
}
