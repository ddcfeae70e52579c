import FoundationEssentials
import PlatformCore

/// A configuration variable that is missing or malformed; the message names it.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "configuration variable \(variable) \(problem)" }
}

/// Typed access to configuration from environment variables.
///
/// Every getter either returns a valid value, falls back to the documented default, or
/// throws a `ConfigError` that names the variable, so a service fails fast at start-up.
public struct ConfigReader: Sendable {
    private let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    /// The raw value, treating an empty string as unset.
    public func optional(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default defaultValue: String? = nil) throws -> String {
        if let value = optional(name) { return value }
        if let defaultValue { return defaultValue }
        throw ConfigError(variable: name, problem: "is required but not set")
    }

    public func int(_ name: String, default defaultValue: Int? = nil, in range: ClosedRange<Int>? = nil) throws -> Int {
        guard let text = optional(name) else {
            if let defaultValue { return defaultValue }
            throw ConfigError(variable: name, problem: "is required but not set")
        }
        guard let value = Int(text.trimmingWhitespace()) else {
            throw ConfigError(variable: name, problem: "must be an integer, got '\(text)'")
        }
        if let range, !range.contains(value) {
            throw ConfigError(variable: name, problem: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    public func port(_ name: String, default defaultValue: Int) throws -> Int {
        try int(name, default: defaultValue, in: 1...65535)
    }

    public func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let text = optional(name) else { return defaultValue }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigError(variable: name, problem: "must be true or false, got '\(text)'")
        }
    }

    /// Seconds, fractional allowed: `DB_TIMEOUT=2.5`.
    public func duration(_ name: String, default defaultValue: Duration) throws -> Duration {
        guard let text = optional(name) else { return defaultValue }
        guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
            throw ConfigError(variable: name, problem: "must be a number of seconds, got '\(text)'")
        }
        return .milliseconds(Int64(seconds * 1000))
    }

    /// A URL with a scheme and a host, e.g. `postgresql://idm@127.0.0.1:5432/idm`. The value
    /// is never echoed in the error: it may carry a password.
    public func url(_ name: String, default defaultValue: String? = nil, schemes: Set<String>) throws -> String {
        let text = try string(name, default: defaultValue)
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            schemes.contains(scheme), components.host?.isEmpty == false
        else {
            throw ConfigError(
                variable: name, problem: "must be a URL with scheme \(schemes.sorted().joined(separator: " or ")) and a host")
        }
        return text
    }
}
