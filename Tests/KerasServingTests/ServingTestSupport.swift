import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Keras
import KerasServing
import KerasTestSupport
import Testing

/// Keras-written model files and their Keras predictions (`Tests/Fixtures/saving_generate.py`).
enum ServingFixtures {
    nonisolated(unsafe) static let expected: [String: Any] = try! loadFixture("saving/saving_expected.json") as! [String: Any]

    static func path(_ name: String) -> String { fixturesDirectory.appendingPathComponent("saving/\(name)").path }
    static func tensor(_ model: String, _ key: String) -> Tensor { tensorFromFixture((expected[model] as! [String: Any])[key]!) }

    /// A fresh temporary directory (removed when the tests end).
    static func temporaryDirectory() throws -> String { try makeTemporaryDirectory("swift-keras-serving") }

    /// A small CNN (8×8×1 → 3), saved to `path`.
    static func saveCNN(to path: String) throws -> Model {
        let model = Sequential([InputLayer(shape: [8, 8, 1]), Conv2D(4, kernelSize: [3, 3], activation: .relu),
                                MaxPooling2D(poolSize: [2, 2]), Flatten(), Dense(3, activation: .softmax)])
        try model.save(to: path)
        return model
    }
}

/// A JSON body's top-level value, decoded with Foundation (an independent parser).
func decodeJSON(_ bytes: [UInt8]) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

/// Nested numeric lists from a JSON answer as a float tensor of `shape`.
func tensorFromJSON(_ value: Any, shape: [Int]) -> Tensor {
    var flat: [Float] = []
    func walk(_ v: Any) {
        if let list = v as? [Any] { list.forEach(walk) } else { flat.append((v as! NSNumber).floatValue) }
    }
    walk(value)
    return Tensor(shape: shape, scalars: flat)
}

/// Nested lists of a tensor's values, for request bodies.
func jsonList(_ tensor: Tensor) -> Any {
    let values = tensor.toArray(of: Double.self)
    func build(_ dims: ArraySlice<Int>, _ offset: inout Int) -> Any {
        guard let n = dims.first else { defer { offset += 1 }; return values[offset] }
        return (0..<n).map { _ in build(dims.dropFirst(), &offset) }
    }
    var offset = 0
    return build(tensor.shape[...], &offset)
}

func jsonBody(_ object: Any) -> [UInt8] {
    Array(try! JSONSerialization.data(withJSONObject: object))
}

/// A server on a free loopback port, for one test.
struct RunningServer: LoopbackHTTP {
    let server: ModelServer
    let port: Int
    let task: Task<Void, any Error>

    static func start(_ source: ModelSource, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> RunningServer {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.pollInterval = nil
        configure(&configuration)
        let server = try ModelServer(source: source, configuration: configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run(signals: []) { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return RunningServer(server: server, port: port, task: task)
    }

    /// Graceful shutdown; waits for `run` to return.
    func stop() async throws {
        await server.shutdown()
        try await task.value
    }
}

/// Requests to a server on 127.0.0.1 (URLSession: a real HTTP client over a real socket).
protocol LoopbackHTTP {
    var port: Int { get }
}

/// A client for a server some other process runs.
struct LoopbackClient: LoopbackHTTP {
    let port: Int
}

extension LoopbackHTTP {
    /// One HTTP request over loopback: status and body.
    func request(_ method: String, _ path: String, body: [UInt8]? = nil) async throws -> (status: Int, body: [UInt8]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 30
        if let body {
            request.httpBody = Data(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, Array(data))
    }

    /// POSTs JSON and decodes the JSON answer.
    func post(_ path: String, _ object: Any) async throws -> (status: Int, json: Any) {
        let (status, body) = try await request("POST", path, body: jsonBody(object))
        return (status, try decodeJSON(body))
    }

    func get(_ path: String) async throws -> (status: Int, json: Any) {
        let (status, body) = try await request("GET", path)
        return (status, try decodeJSON(body))
    }

}
