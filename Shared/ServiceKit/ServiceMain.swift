import BlockingIO
import Glibc
import PlatformConfig
import Logging
import PlatformLogging
import PlatformTelemetry

/// The whole body of every service executable: configure logging, build, serve.
/// A configuration error is printed with the variable's name and exits with status 2.
public enum ServiceMain {
    public static func run(
        _ descriptor: ServiceDescriptor, build: @Sendable (ServiceSettings) async throws -> ServiceRuntime
    ) async {
        let config = ConfigReader()
        let settings: ServiceSettings
        do {
            settings = try ServiceSettings(descriptor, config: config)
        } catch {
            fail("\(descriptor.name): \(error)", status: 2)
        }
        let tracing = PlatformTelemetry.isConfigured()
        PlatformLogging.bootstrap(
            service: descriptor.name, level: settings.logLevel,
            metadataProvider: tracing ? PlatformTelemetry.loggingMetadataProvider : nil)
        do {
            var logger = Logger(label: descriptor.name)
            logger.logLevel = settings.logLevel
            let exporter = tracing ? try PlatformTelemetry.bootstrap(service: descriptor.name, logger: logger) : nil
            var runtime = try await build(settings)
            if let exporter { runtime.addExporter(exporter) }
            try await runtime.run()
            LogOutput.standardOutput.flush()
        } catch let error as ConfigError {
            fail("\(descriptor.name): \(error)", status: 2)
        } catch {
            fail("\(descriptor.name): stopped by error: \(error)", status: 1)
        }
    }

    private static func fail(_ message: String, status: Int32) -> Never {
        LogOutput.standardOutput.flush()
        _ = writeAll(Array((message + "\n").utf8), to: STDERR_FILENO)
        exit(status)
    }
}
