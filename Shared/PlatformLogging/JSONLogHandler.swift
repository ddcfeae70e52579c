import Foundation
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
        var fields: [String: Any] = [
            "ts": Self.timestamp(),
            "level": event.level.rawValue,
            "service": service,
            "logger": label,
            "msg": event.message.description,
        ]
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for (key, value) in merged { fields[key] = Self.plain(value) }
        if fields["request_id"] == nil, let requestID = RequestScope.requestID { fields["request_id"] = requestID }
        if event.level >= .error { fields["source"] = "\(event.file.split(separator: "/").last ?? ""):\(event.line)" }
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        output.write(line)
    }

    private static func plain(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): array.map(plain)
        case .dictionary(let dictionary): dictionary.mapValues(plain)
        }
    }

    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// RFC 3339 UTC with milliseconds: `2026-11-23T12:29:48.722Z`.
    private static func timestamp() -> String { timestampStyle.format(Date.now) }
}

/// Where log lines go; a lock keeps lines from interleaving.
public final class LogOutput: Sendable {
    public static let standardOutput = LogOutput { data in FileHandle.standardOutput.write(data) }

    private let lock = Mutex(())
    private let sink: @Sendable (Data) -> Void

    public init(_ sink: @escaping @Sendable (Data) -> Void) { self.sink = sink }

    func write(_ data: Data) {
        lock.withLock { _ in sink(data) }
    }
}

public enum PlatformLogging {
    private static let bootstrapped = Mutex(false)

    /// Installs the JSON handler process-wide (once; later calls are ignored, which tests rely on).
    public static func bootstrap(service: String, level: Logger.Level) {
        let first = bootstrapped.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, service: service, level: level) }
    }
}
