import Prometheus

/// The server's Prometheus metrics, served at `GET /metrics`: requests by model, API and
/// status code, request latency and batch size histograms, and the number of loaded versions.
///
/// ```swift
/// let metrics = ServingMetrics()
/// metrics.recordRequest(model: "mlp", api: "predict", code: 200, seconds: 0.002)
/// print(metrics.exposition())
/// ```
public final class ServingMetrics: Sendable {
    /// The registry the metrics live in (add your own to it).
    public let registry: PrometheusCollectorRegistry

    private static let latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    /// Metrics registered in `registry`.
    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    private func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "keras", subsystem: "serving", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts one answered request and its latency.
    public func recordRequest(model: String, api: String, code: Int, seconds: Double) {
        registry.makeCounter(descriptor: name("requests", "total", "HTTP requests answered, by model, API and status code"),
                             labels: [("model", model), ("api", api), ("code", String(code))]).increment()
        registry.makeValueHistogram(descriptor: name("request_duration", "seconds", "Time to answer a request"),
                                    labels: [("model", model), ("api", api)], buckets: Self.latencyBuckets).record(seconds)
    }

    /// Records the number of rows of one batch run through a model.
    public func recordBatch(model: String, rows: Int) {
        registry.makeValueHistogram(descriptor: name("batch_size", "rows", "Rows per batch run through the model (dynamic batching)"),
                                    labels: [("model", model)], buckets: Self.batchBuckets).record(Double(rows))
    }

    /// Sets the number of model versions currently loaded.
    public func setLoadedVersions(_ count: Int) {
        registry.makeGauge(descriptor: name("loaded_versions", "count", "Model versions loaded and available")).set(Double(count))
    }

    /// The metrics in Prometheus's text exposition format.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
