import Foundation
import Hummingbird
import Keras
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Settings of a ``ModelServer``.
///
/// ```swift
/// var configuration = ServerConfiguration()
/// configuration.port = 8501
/// configuration.batching = BatchingOptions(maxBatchSize: 32, maxWaitMicros: 200)
/// ```
public struct ServerConfiguration: Sendable {
    /// Address to listen on (loopback by default; `0.0.0.0` for every interface).
    public var host = "127.0.0.1"
    /// TCP port (TF Serving's REST port by default; 0 picks a free one).
    public var port = 8501
    /// How concurrent requests are batched.
    public var batching = BatchingOptions()
    /// Largest request body accepted; larger ones get 413.
    public var maxBodyBytes = 64 << 20
    /// Longest a request may take; slower ones get 408.
    public var requestTimeout: Duration = .seconds(30)
    /// How often the model directory is scanned for new versions (`nil`: never).
    public var pollInterval: Duration? = .seconds(1)

    /// The defaults: 127.0.0.1:8501, 64 MiB bodies, 30 s timeout, polling every second.
    public init() {}
}

/// A TensorFlow-Serving-compatible REST server for Keras models (`keras serve`).
///
/// Endpoints, as TF Serving's REST API: `GET /v1/models/{name}[/versions/{v}]` (version
/// status), `GET …/metadata` (the signature), `POST /v1/models/{name}[/versions/{v}]:predict`
/// with `{"instances": …}` or `{"inputs": …}`, plus `GET /metrics` (Prometheus). Errors are
/// `{"error": "…"}` with TF Serving's status codes. Requests for a model are batched together
/// (``BatchingOptions``); SIGTERM and SIGINT shut down gracefully, finishing requests in flight.
///
/// ```swift
/// let server = try ModelServer(source: .file("mlp.keras", name: "mlp"))
/// try await server.run()   // until SIGTERM
/// ```
public final class ModelServer: Sendable {
    /// The `configuration` this `ModelServer` was created with.
    public let configuration: ServerConfiguration
    /// The Prometheus metrics that `GET /metrics` serves.
    public let metrics: ServingMetrics
    let repository: ModelRepository
    let logger: Logger
    private let group = Mutex<ServiceGroup?>(nil)

    /// Loads the models of `source`.
    ///
    /// - Throws: ``ServingError`` when a single model file cannot be loaded (a directory may
    ///   start empty or with broken versions: they are reported and polled again).
    public init(source: ModelSource, configuration: ServerConfiguration = ServerConfiguration(),
                logger: Logger = Logger(label: "keras.serve")) throws {
        self.configuration = configuration
        self.logger = logger
        self.metrics = ServingMetrics()
        self.repository = ModelRepository(source: source, batching: configuration.batching, logger: logger, metrics: metrics)
        repository.poll()
        if case .file(let path, let name) = source {
            do {
                _ = try repository.model(name, version: 1)
            } catch {
                let reason = (try? repository.status(name, version: 1).first?.errorMessage) ?? error.message
                throw ServingError(.invalidArgument, "Cannot serve \(path): \(reason)")
            }
        }
    }

    /// Names of the models being served.
    public var modelNames: [String] { repository.modelNames }

    /// Loads versions added to the model directory since the last scan (the server also does
    /// this every ``ServerConfiguration/pollInterval``). Returns how many were loaded.
    @discardableResult
    public func reload() -> Int { repository.poll() }

    /// Serves until SIGTERM/SIGINT (or ``shutdown()``), then stops taking connections, finishes
    /// the requests in flight and returns. `onRunning` receives the port once listening.
    public func run(signals: [UnixSignal] = [.sigterm, .sigint], onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = CallbackResponder<BasicRequestContext> { [self] request, _ in await respond(to: request) }
        let logger = self.logger
        let app = Application(
            responder: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "keras-serve"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("serving", metadata: ["port": "\(port)"])
                await onRunning(port)
            },
            logger: logger
        )
        var services: [any Service] = [app]
        if let interval = configuration.pollInterval {
            services.append(ModelPoller(repository: repository, interval: interval))
        }
        let serviceGroup = ServiceGroup(services: services, gracefulShutdownSignals: signals, logger: logger)
        group.withLock { $0 = serviceGroup }
        defer { group.withLock { $0 = nil } }
        try await serviceGroup.run()
        await repository.shutdown()
        logger.info("server stopped")
    }

    /// Starts a graceful shutdown of a running server (as SIGTERM does).
    public func shutdown() async {
        await group.withLock { $0 }?.triggerGracefulShutdown()
    }

    // MARK: Requests

    /// Answers one request; never throws (every failure becomes `{"error": …}`).
    func respond(to request: Request) async -> Response {
        let start = ContinuousClock.now
        var (route, result) = await dispatch(request)
        let response: Response
        let code: Int
        switch result {
        case .success(let (contentType, bytes)):
            response = Self.response(.ok, contentType: contentType, bytes: bytes)
            code = 200
        case .failure(let error):
            var writer = JSONWriter()
            writer.raw("{\"error\":")
            writer.string(error.message)
            writer.raw("}")
            response = Self.response(error.status, contentType: "application/json", bytes: writer.bytes)
            code = error.status.code
            if error.code == .notFound { route.model = "" }   // unknown names do not become metric labels
            logger.debug("request failed", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)",
                                                      "code": "\(code)", "error": "\(error.message)"])
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metrics.recordRequest(model: route.model, api: route.api, code: code, seconds: seconds)
        logger.trace("answered", metadata: ["method": "\(request.method)", "path": "\(request.uri.path)", "code": "\(code)",
                                           "ms": "\((seconds * 1e5).rounded() / 100)"])
        return response
    }

    static func response(_ status: HTTPResponse.Status, contentType: String, bytes: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// What a request asked for, for metrics.
    struct Route { var model = ""; var api = "unknown" }

    private func dispatch(_ request: Request) async -> (Route, Result<(String, [UInt8]), ServingError>) {
        let path = request.uri.path
        let method = request.method
        if path == "/metrics" {
            guard method == .get else { return (Route(api: "metrics"), .failure(ServingError(.methodNotAllowed, "Use GET for /metrics"))) }
            return (Route(api: "metrics"), .success(("text/plain; version=0.0.4", metrics.exposition())))
        }
        let parsed: ParsedPath
        do {
            parsed = try ParsedPath(path)
        } catch {
            return (Route(), .failure(ServingError(.notFound, "Malformed request: \(method) \(path)")))
        }
        let route = Route(model: parsed.model, api: parsed.action ?? "status")
        do {
            switch (parsed.action, method) {
            case (nil, .get):
                return (route, .success(("application/json", try statusJSON(parsed))))
            case ("metadata", .get):
                return (route, .success(("application/json", try metadataJSON(parsed))))
            case ("predict", .post):
                return (route, .success(("application/json", try await predict(parsed, request: request))))
            case ("classify", .post), ("regress", .post):
                throw ServingError(.unimplemented, "The \(parsed.action!) API needs a TensorFlow SavedModel signature; Keras models answer :predict")
            case (nil, _), ("metadata", _):
                throw ServingError(.methodNotAllowed, "Use GET for \(path)")
            case ("predict", _):
                throw ServingError(.methodNotAllowed, "Use POST for \(path)")
            default:
                throw ServingError(.notFound, "Malformed request: \(method) \(path)")
            }
        } catch {
            return (route, .failure(ServingError.from(error)))
        }
    }

    private func predict(_ parsed: ParsedPath, request: Request) async throws -> [UInt8] {
        let served = try repository.model(parsed.model, version: parsed.version)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw ServingError(.resourceExhausted, "The request body is larger than the limit of \(configuration.maxBodyBytes) bytes")
        }
        let json = try JSONValue.parse(Array(buffer: body))
        let decoded = try PredictRequest(body: json, signature: served.signature)
        let result = try await withTimeout(configuration.requestTimeout) { try await served.predict(decoded) }
        return served.encode(result, format: decoded.format)
    }

    /// Runs `operation`, giving up with 408 once `timeout` has passed.
    private func withTimeout<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw ServingError(.deadlineExceeded, "The request did not finish within \(timeout)")
            }
            return value
        }
    }

    private func statusJSON(_ parsed: ParsedPath) throws(ServingError) -> [UInt8] {
        let versions = try repository.status(parsed.model, version: parsed.version)
        var writer = JSONWriter()
        writer.raw("{\"model_version_status\":[")
        for (i, status) in versions.enumerated() {
            if i > 0 { writer.raw(",") }
            writer.raw("{\"version\":")
            writer.string(String(status.version))
            writer.raw(",\"state\":")
            writer.string(status.state)
            writer.raw(",\"status\":{\"error_code\":")
            writer.string(status.errorMessage.isEmpty ? "OK" : "UNKNOWN")
            writer.raw(",\"error_message\":")
            writer.string(status.errorMessage)
            writer.raw("}}")
        }
        writer.raw("]}")
        return writer.bytes
    }

    private func metadataJSON(_ parsed: ParsedPath) throws(ServingError) -> [UInt8] {
        let served = try repository.model(parsed.model, version: parsed.version)
        var writer = JSONWriter()
        writer.raw("{\"model_spec\":{\"name\":")
        writer.string(served.name)
        writer.raw(",\"signature_name\":\"\",\"version\":")
        writer.string(String(served.version))
        writer.raw("},\"metadata\":{\"signature_def\":{\"signature_def\":{\"serving_default\":{\"inputs\":")
        writeSpecs(served.signature.inputs, prefix: "serving_default_", into: &writer)
        writer.raw(",\"outputs\":")
        writeSpecs(served.signature.outputs, prefix: "StatefulPartitionedCall:", into: &writer)
        writer.raw(",\"method_name\":\"tensorflow/serving/predict\"}}}}}")
        return writer.bytes
    }

    private func writeSpecs(_ specs: [TensorSpec], prefix: String, into writer: inout JSONWriter) {
        writer.raw("{")
        for (i, spec) in specs.enumerated() {
            if i > 0 { writer.raw(",") }
            writer.string(spec.name)
            writer.raw(":{\"dtype\":")
            writer.string(spec.tensorFlowDType)
            writer.raw(",\"tensor_shape\":{\"dim\":[")
            for (j, dim) in spec.shape.enumerated() {
                if j > 0 { writer.raw(",") }
                writer.raw("{\"size\":")
                writer.string(String(dim ?? -1))
                writer.raw(",\"name\":\"\"}")
            }
            writer.raw("],\"unknown_rank\":false},\"name\":")
            writer.string(prefix + (prefix.hasSuffix(":") ? String(i) : spec.name + ":0"))
            writer.raw("}")
        }
        writer.raw("}")
    }
}

/// `/v1/models/{name}[/versions/{v}][/metadata | :predict]`, taken apart.
struct ParsedPath: Equatable {
    var model: String
    var version: Int64?
    /// `nil` for the status, `"metadata"`, or the verb after `:` (`"predict"`).
    var action: String?

    struct Malformed: Error {}
}

extension ParsedPath {
    init(_ path: String) throws {
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, parts[0].isEmpty, parts[1] == "v1", parts[2] == "models" else { throw Malformed() }
        parts.removeFirst(3)
        if parts.last == "metadata" && parts.count > 1 {
            action = "metadata"
            parts.removeLast()
        } else if let colon = parts[parts.count - 1].lastIndex(of: ":") {
            let last = parts[parts.count - 1]
            action = String(last[last.index(after: colon)...])
            parts[parts.count - 1] = String(last[..<colon])
        }
        switch parts.count {
        case 1:
            model = parts[0]
        case 3 where parts[1] == "versions":
            model = parts[0]
            guard let number = Int64(parts[2]), number >= 0 else { throw Malformed() }
            version = number
        default:
            throw Malformed()
        }
        model = model.removingPercentEncoding ?? model
        guard !model.isEmpty else { throw Malformed() }
    }
}

/// Scans the model directory every `interval` until graceful shutdown.
struct ModelPoller: Service {
    let repository: ModelRepository
    let interval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                repository.poll()
            }
        }
    }
}
