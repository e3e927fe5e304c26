import Foundation
import Keras
@testable import KerasServing
import KerasTestSupport
import Testing

/// `keras serve` end to end: a server on a free loopback port, called over HTTP, answering as
/// TensorFlow Serving's REST API does, with the predictions of the model run in process.
@Suite("Model server", .serialized) struct ServerTests {
    @Test func answersStatusMetadataAndPredictions() async throws {
        let server = try await RunningServer.start(.file(ServingFixtures.path("mlp.keras"), name: "mlp"))
        let x = ServingFixtures.tensor("mlp", "x"), y = ServingFixtures.tensor("mlp", "y")
        let inProcess = try loadModel(ServingFixtures.path("mlp.keras")).predict(x, verbose: 0)

        let status = try await server.get("/v1/models/mlp")
        #expect(status.status == 200)
        let versions = try #require((status.json as? [String: Any])?["model_version_status"] as? [[String: Any]])
        #expect(versions.count == 1)
        #expect(versions[0]["version"] as? String == "1")
        #expect(versions[0]["state"] as? String == "AVAILABLE")

        let metadata = try await server.get("/v1/models/mlp/metadata")
        #expect(metadata.status == 200)
        let signature = try #require(((((metadata.json as? [String: Any])?["metadata"] as? [String: Any])?["signature_def"] as? [String: Any])?["signature_def"] as? [String: Any])?["serving_default"] as? [String: Any])
        let inputs = try #require(signature["inputs"] as? [String: [String: Any]])
        #expect(inputs.count == 1)
        let input = try #require(inputs.values.first)
        #expect(input["dtype"] as? String == "DT_FLOAT")
        let dims = ((input["tensor_shape"] as? [String: Any])?["dim"] as? [[String: Any]])?.compactMap { $0["size"] as? String }
        #expect(dims == ["-1", String(x.shape[1])])

        let rows = try await server.post("/v1/models/mlp:predict", ["instances": jsonList(x)])
        #expect(rows.status == 200)
        let predictions = tensorFromJSON(try #require((rows.json as? [String: Any])?["predictions"]), shape: y.shape)
        assertClose(predictions, inProcess, rtol: 1e-6, atol: 1e-7)
        assertClose(predictions, y, rtol: 1e-5, atol: 1e-6)

        let columns = try await server.post("/v1/models/mlp/versions/1:predict", ["inputs": jsonList(x)])
        #expect(columns.status == 200)
        assertClose(tensorFromJSON(try #require((columns.json as? [String: Any])?["outputs"]), shape: y.shape), inProcess, rtol: 1e-6, atol: 1e-7)

        let metrics = try await server.request("GET", "/metrics")
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(metrics.status == 200)
        #expect(text.contains(#"keras_serving_requests_total{model="mlp",api="predict",code="200"} 2"#))
        #expect(text.contains("keras_serving_batch_size_rows"))
        try await server.stop()
    }

    @Test func servesNamedInputsAndOutputs() async throws {
        let server = try await RunningServer.start(.file(ServingFixtures.path("functional.keras"), name: "two"))
        let model = try loadModel(ServingFixtures.path("functional.keras"), compile: false)
        let a = ServingFixtures.tensor("functional", "a"), b = ServingFixtures.tensor("functional", "b")
        let expected = try model.predictOutputs([a, b], verbose: 0)
        let (names, outputs) = (model.outputNames, expected.tensors)

        let aRows = jsonList(a) as! [Any], bRows = jsonList(b) as! [Any]
        let instances = (0..<a.shape[0]).map { ["a": aRows[$0], "b": bRows[$0]] }
        let rows = try await server.post("/v1/models/two:predict", ["instances": instances])
        #expect(rows.status == 200)
        let predictions = try #require((rows.json as? [String: Any])?["predictions"] as? [[String: Any]])
        #expect(predictions.count == a.shape[0])
        for (name, output) in zip(names, outputs) {
            let got = tensorFromJSON(predictions.map { $0[name]! }, shape: output.shape)
            assertClose(got, output, rtol: 1e-6, atol: 1e-7, name)
        }
        assertClose(tensorFromJSON(predictions.map { $0[names[0]]! }, shape: outputs[0].shape), ServingFixtures.tensor("functional", "score"), rtol: 1e-5, atol: 1e-6)

        let columns = try await server.post("/v1/models/two:predict", ["inputs": ["b": jsonList(b), "a": jsonList(a)]])
        #expect(columns.status == 200)
        let byName = try #require((columns.json as? [String: Any])?["outputs"] as? [String: Any])
        for (name, output) in zip(names, outputs) {
            assertClose(tensorFromJSON(try #require(byName[name]), shape: output.shape), output, rtol: 1e-6, atol: 1e-7, name)
        }

        let missing = try await server.post("/v1/models/two:predict", ["inputs": ["a": jsonList(a)]])
        #expect(missing.status == 400)
        #expect(((missing.json as? [String: Any])?["error"] as? String)?.contains("Missing input \"b\"") == true)
        try await server.stop()
    }

    @Test func hotLoadsNewVersionsAndKeepsServingThroughABrokenOne() async throws {
        let base = try ServingFixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: base + "/cnn/1", withIntermediateDirectories: true)
        let first = try ServingFixtures.saveCNN(to: base + "/cnn/1/model.keras")
        let server = try await RunningServer.start(.directory(base)) { $0.pollInterval = .milliseconds(50) }
        let x = Tensor(shape: [2, 8, 8, 1], scalars: (0..<128).map { Float($0 % 7) / 7 })
        let body: [String: Any] = ["instances": jsonList(x)]

        func predictions(_ path: String) async throws -> Tensor {
            let answer = try await server.post(path, body)
            #expect(answer.status == 200, "\(path): \(answer.json)")
            return tensorFromJSON(try #require((answer.json as? [String: Any])?["predictions"]), shape: [2, 3])
        }
        func waitForVersion(_ version: String) async throws -> [[String: Any]] {
            for _ in 0..<200 {
                let status = try await server.get("/v1/models/cnn")
                let versions = (status.json as? [String: Any])?["model_version_status"] as? [[String: Any]] ?? []
                if versions.contains(where: { $0["version"] as? String == version }) { return versions }
                try await Task.sleep(for: .milliseconds(25))
            }
            Issue.record("version \(version) never appeared")
            return []
        }
        assertClose(try await predictions("/v1/models/cnn:predict"), try first.predict(x, verbose: 0), rtol: 1e-6, atol: 1e-7)

        try FileManager.default.createDirectory(atPath: base + "/cnn/2", withIntermediateDirectories: true)
        let second = try ServingFixtures.saveCNN(to: base + "/cnn/2/model.keras")
        _ = try await waitForVersion("2")
        assertClose(try await predictions("/v1/models/cnn:predict"), try second.predict(x, verbose: 0), rtol: 1e-6, atol: 1e-7)
        assertClose(try await predictions("/v1/models/cnn/versions/1:predict"), try first.predict(x, verbose: 0), rtol: 1e-6, atol: 1e-7)

        try FileManager.default.createDirectory(atPath: base + "/cnn/3", withIntermediateDirectories: true)
        try Data("PK\u{3}\u{4} truncated".utf8).write(to: URL(fileURLWithPath: base + "/cnn/3/model.keras"))
        let versions = try await waitForVersion("3")
        let broken = try #require(versions.first { $0["version"] as? String == "3" })
        #expect(broken["state"] as? String == "END")
        #expect((((broken["status"] as? [String: Any])?["error_message"]) as? String)?.isEmpty == false)
        assertClose(try await predictions("/v1/models/cnn:predict"), try second.predict(x, verbose: 0), rtol: 1e-6, atol: 1e-7)
        let specific = try await server.post("/v1/models/cnn/versions/3:predict", body)
        #expect(specific.status == 404)

        // A version removed from disk is unloaded; the newest remaining one answers.
        try FileManager.default.removeItem(atPath: base + "/cnn/2")
        for _ in 0..<200 {
            let versions = ((try await server.get("/v1/models/cnn")).json as? [String: Any])?["model_version_status"] as? [[String: Any]] ?? []
            if !versions.contains(where: { $0["version"] as? String == "2" }) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        assertClose(try await predictions("/v1/models/cnn:predict"), try first.predict(x, verbose: 0), rtol: 1e-6, atol: 1e-7)
        try await server.stop()
    }

    @Test func hundredsOfMalformedRequestsGetClearErrorsAndTheServerStaysCorrect() async throws {
        let server = try await RunningServer.start(.file(ServingFixtures.path("mlp.keras"), name: "mlp")) {
            $0.maxBodyBytes = 32 << 10
        }
        let x = ServingFixtures.tensor("mlp", "x")
        let width = x.shape[1]
        let row = (0..<width).map { "0.\($0)" }.joined(separator: ",")
        let huge = "{\"instances\": [" + Array(repeating: "[" + row + "]", count: 4000).joined(separator: ",") + "]}"
        let bad: [(String, String, String, Int)] = [
            ("POST", "/v1/models/mlp:predict", "{\"instances\": [[1, 2", 400),
            ("POST", "/v1/models/mlp:predict", "{\"instances\": [[NaN\(String(repeating: ", 1", count: width - 1))]]}", 400),
            ("POST", "/v1/models/mlp:predict", "{\"instances\": [[Infinity\(String(repeating: ", 1", count: width - 1))]]}", 400),
            ("POST", "/v1/models/mlp:predict", "{\"instances\": [[\(row)], [1]]}", 400),
            ("POST", "/v1/models/mlp:predict", "{\"instances\": [[\(row), 5]]}", 400),
            ("POST", "/v1/models/mlp:predict", "{\"instances\": [[\"a\"\(String(repeating: ", 1", count: width - 1))]]}", 400),
            ("POST", "/v1/models/mlp:predict", "{\"instances\": [[[\(row)]]]}", 400),
            ("POST", "/v1/models/mlp:predict", "{\"instances\": []}", 400),
            ("POST", "/v1/models/mlp:predict", "{\"signature_name\": \"serving_default\"}", 400),
            ("POST", "/v1/models/mlp:predict", "", 400),
            ("POST", "/v1/models/mlp:predict", "[1, 2, 3]", 400),
            ("POST", "/v1/models/mlp:predict", String(repeating: "[", count: 5000), 400),
            ("POST", "/v1/models/mlp:predict", huge, 413),
            ("POST", "/v1/models/nope:predict", "{\"instances\": [[\(row)]]}", 404),
            ("POST", "/v1/models/mlp/versions/9:predict", "{\"instances\": [[\(row)]]}", 404),
            ("GET", "/v1/models/mlp:predict", "", 405),
            ("POST", "/v1/models/mlp:classify", "{\"examples\": []}", 501),
            ("GET", "/v2/whatever", "", 404),
            ("GET", "/v1/models/nope/metadata", "", 404),
        ]
        let repeats = 16   // 304 requests, 8 at a time
        let failures = try await withThrowingTaskGroup(of: String?.self) { group in
            var pending = 0
            var failures: [String] = []
            for i in 0..<(bad.count * repeats) {
                let (method, path, body, expected) = bad[i % bad.count]
                group.addTask {
                    let answer = try await server.request(method, path, body: method == "POST" ? Array(body.utf8) : nil)
                    let error = (try? decodeJSON(answer.body) as? [String: Any])?["error"] as? String
                    if answer.status != expected || (error ?? "").isEmpty {
                        return "\(method) \(path) \(body.prefix(60)): \(answer.status) \(error ?? "no error message")"
                    }
                    return nil
                }
                pending += 1
                if pending == 8, let result = try await group.next() { pending -= 1; if let result { failures.append(result) } }
            }
            for try await result in group { if let result { failures.append(result) } }
            return failures
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")

        let answer = try await server.post("/v1/models/mlp:predict", ["instances": jsonList(x)])
        #expect(answer.status == 200)
        let y = ServingFixtures.tensor("mlp", "y")
        assertClose(tensorFromJSON(try #require((answer.json as? [String: Any])?["predictions"]), shape: y.shape), y, rtol: 1e-5, atol: 1e-6)
        try await server.stop()
    }

    @Test func batchesConcurrentRequestsAndSplitsTheAnswers() async throws {
        let server = try await RunningServer.start(.file(ServingFixtures.path("mlp.keras"), name: "mlp")) {
            $0.batching = BatchingOptions(maxBatchSize: 64, maxWaitMicros: 100_000)
        }
        let model = try loadModel(ServingFixtures.path("mlp.keras"), compile: false)
        let width = ServingFixtures.tensor("mlp", "x").shape[1]
        let requests = 12
        let inputs = (0..<requests).map { i in Tensor(shape: [1 + i % 3, width], scalars: (0..<((1 + i % 3) * width)).map { Float(i * 10 + $0) / 50 }) }
        let answers = try await withThrowingTaskGroup(of: (Int, Tensor).self) { group in
            for (i, x) in inputs.enumerated() {
                group.addTask {
                    let answer = try await server.post("/v1/models/mlp:predict", ["instances": jsonList(x)])
                    #expect(answer.status == 200)
                    let shape = [x.shape[0], 3]
                    return (i, tensorFromJSON((answer.json as! [String: Any])["predictions"]!, shape: shape))
                }
            }
            var out: [Int: Tensor] = [:]
            for try await (i, t) in group { out[i] = t }
            return out
        }
        for (i, x) in inputs.enumerated() {
            assertClose(try #require(answers[i]), try model.predict(x, verbose: 0), rtol: 1e-6, atol: 1e-7)
        }
        // Fewer model calls than requests: the histogram counts batches.
        let text = String(decoding: try await server.request("GET", "/metrics").body, as: UTF8.self)
        let countLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("keras_serving_batch_size_rows_count") })
        let batches = try #require(Int(Double(countLine.split(separator: " ").last!)!))
        #expect(batches < requests)
        try await server.stop()
    }

    @Test func timesOutSlowRequestsAndShutsDownGracefully() async throws {
        let slow = try await RunningServer.start(.file(ServingFixtures.path("mlp.keras"), name: "mlp")) {
            $0.batching = BatchingOptions(maxBatchSize: 64, maxWaitMicros: 2_000_000)
            $0.requestTimeout = .milliseconds(100)
        }
        let width = ServingFixtures.tensor("mlp", "x").shape[1]
        let body: [String: Any] = ["instances": [Array(repeating: 0.5, count: width)]]
        let timedOut = try await slow.post("/v1/models/mlp:predict", body)
        #expect(timedOut.status == 408)
        try await slow.stop()

        // A request waiting in its batch when SIGTERM's shutdown starts is still answered.
        let server = try await RunningServer.start(.file(ServingFixtures.path("mlp.keras"), name: "mlp")) {
            $0.batching = BatchingOptions(maxBatchSize: 64, maxWaitMicros: 400_000)
        }
        let bytes = jsonBody(body)
        let inFlight = Task { try await server.request("POST", "/v1/models/mlp:predict", body: bytes).status }
        try await Task.sleep(for: .milliseconds(150))
        await server.server.shutdown()
        #expect(try await inFlight.value == 200)
        try await server.task.value
        await #expect(throws: (any Error).self) { try await server.get("/v1/models/mlp") }
    }

    @Test func serveExecutableAnswersAndExitsCleanlyOnSIGTERM() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(CommandLineTests.executable, "the keras executable is not built"))
        process.arguments = ["serve", ServingFixtures.path("mlp.keras"), "--port", "0", "--poll-seconds", "0"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // The structured log line `… port=NNNN [KerasServing] serving` gives the port.
        var log = ""
        var port: Int?
        while port == nil {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
            if let range = log.range(of: "port=") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if log[range.upperBound...].dropFirst(digits.count).first != nil { port = Int(digits) }
            }
        }
        let running = LoopbackClient(port: try #require(port, "no port in the log: \(log)"))
        let x = ServingFixtures.tensor("mlp", "x"), y = ServingFixtures.tensor("mlp", "y")
        let answer = try await running.post("/v1/models/mlp:predict", ["instances": jsonList(x)])
        #expect(answer.status == 200)
        assertClose(tensorFromJSON(try #require((answer.json as? [String: Any])?["predictions"]), shape: y.shape), y, rtol: 1e-5, atol: 1e-6)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}
