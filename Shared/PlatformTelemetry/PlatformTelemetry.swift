import FoundationEssentials
import Instrumentation
import Logging
import OTel
import PlatformTracing
import ServiceLifecycle
import Tracing

/// Exports the spans with OTLP (HTTP/protobuf) to the collector named by the standard
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); the other standard
/// variables apply as swift-otel reads them (`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`,
/// `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_PROPAGATORS`, `OTEL_BSP_*`…). Without an
/// endpoint, or with `OTEL_SDK_DISABLED=true`, nothing is set up and nothing is traced.
public enum PlatformTelemetry {
    /// Bootstraps tracing when configured and returns the exporter to run with the service (it
    /// flushes the spans still queued at shutdown); nil when tracing stays off.
    public static func bootstrap(
        service: String, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (any Service)? {
        guard let endpoint = endpoint(environment) else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.diagnosticLogger = .custom(logger)
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        let backend = try OTel.makeTracingBackend(configuration: configuration)
        InstrumentationSystem.bootstrap(backend.factory)
        PlatformTracing.markEnabled()
        logger.info("exporting spans", metadata: ["endpoint": "\(endpoint)"])
        return backend.service
    }

    /// Whether the environment asks for tracing.
    public static func isConfigured(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        endpoint(environment) != nil
    }

    private static func endpoint(_ environment: [String: String]) -> String? {
        let endpoint = environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"]
        guard let endpoint, !endpoint.isEmpty, environment["OTEL_SDK_DISABLED"]?.lowercased() != "true" else { return nil }
        return endpoint
    }

    /// Puts the current span's `trace_id` and `span_id` on every log line.
    public static let loggingMetadataProvider: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()
}
