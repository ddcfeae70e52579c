import CoreMetrics
import Prometheus
import Synchronization

/// The process-wide Prometheus registry behind swift-metrics, rendered at `/metrics`.
public enum PlatformMetrics {
    private static let state = Mutex<PrometheusCollectorRegistry?>(nil)

    /// The registry, bootstrapping swift-metrics with it on first use (bootstrap may only happen once per process).
    public static var registry: PrometheusCollectorRegistry {
        state.withLock { current in
            if let current { return current }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultDurationHistogramBuckets = [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
                .seconds(2), .seconds(5),
            ]
            MetricsSystem.bootstrap(factory)
            current = registry
            return registry
        }
    }

    /// The Prometheus text exposition of every metric recorded so far.
    public static func render() -> String {
        var buffer = [UInt8]()
        buffer.reserveCapacity(8 * 1024)
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
