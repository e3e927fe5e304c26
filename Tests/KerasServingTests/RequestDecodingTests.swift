import Foundation
import Keras
@testable import KerasServing
import Testing

/// The strict JSON parser, the REST paths, request decoding and response encoding, without a
/// server.
@Suite("Serving request decoding") struct RequestDecodingTests {
    static func parse(_ text: String) throws(ServingError) -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func parsesJSONLikeFoundation() throws {
        let text = #"{"a": [1, -2.5e3, 0.125, true, false, null], "b\u00e9\n": {"c": "x\"y"}, "d": []}"#
        let value = try Self.parse(text)
        #expect(value["a"] == .array([.number(1), .number(-2500), .number(0.125), .bool(true), .bool(false), .null]))
        #expect(value["bé\n"]?["c"] == .string("x\"y"))
        #expect(value["d"] == .array([]))
        // Numbers are correctly rounded, as Swift's own parser reads them.
        let numbers = ["0.1", "3.4028234663852886e38", "1e-45", "123456789012345678", "-0.0", "2.2250738585072014E-308"]
        let ours = try Self.parse("[" + numbers.joined(separator: ",") + "]")
        #expect(ours == .array(numbers.map { .number(Double($0)!) }))
    }

    @Test(arguments: [
        "", "{", "[1,]", "[1 2]", "{\"a\" 1}", "[NaN]", "[Infinity]", "[-Infinity]", "[1e999]", "[01]",
        "[.5]", "[1.]", "[\"unterminated]", "{\"a\": tru}", "[1] x", "[\"\\q\"]", "{'a': 1}",
    ])
    func refusesMalformedJSON(_ text: String) {
        #expect(throws: ServingError.self) { try Self.parse(text) }
    }

    @Test func refusesNaNWithAClearMessage() {
        #expect { try Self.parse(#"{"instances": [[NaN, 1]]}"#) } throws: { error in
            (error as? ServingError)?.message.contains("NaN and Infinity are not valid JSON numbers") == true
        }
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: ServingError.self) { try Self.parse(deep) }
    }

    @Test func parsesRESTPaths() throws {
        #expect(try ParsedPath("/v1/models/mlp") == ParsedPath(model: "mlp", version: nil, action: nil))
        #expect(try ParsedPath("/v1/models/mlp:predict") == ParsedPath(model: "mlp", version: nil, action: "predict"))
        #expect(try ParsedPath("/v1/models/mlp/versions/3:predict") == ParsedPath(model: "mlp", version: 3, action: "predict"))
        #expect(try ParsedPath("/v1/models/mlp/versions/3/metadata") == ParsedPath(model: "mlp", version: 3, action: "metadata"))
        #expect(try ParsedPath("/v1/models/mlp/metadata") == ParsedPath(model: "mlp", version: nil, action: "metadata"))
        for bad in ["/v1/models/", "/v2/models/mlp", "/v1/models/mlp/versions/x:predict", "/v1/models/mlp/versions/-1", "/v1/models/a/b"] {
            #expect(throws: ParsedPath.Malformed.self) { try ParsedPath(bad) }
        }
    }

    static let single = ModelSignature(inputs: [TensorSpec(name: "x", shape: [nil, 2, 3], dtype: .float32)],
                                       outputs: [TensorSpec(name: "y", shape: [nil, 4], dtype: .float32)])
    static let pair = ModelSignature(inputs: [TensorSpec(name: "a", shape: [nil, 2], dtype: .float32),
                                              TensorSpec(name: "ids", shape: [nil], dtype: .int32)],
                                     outputs: [])

    @Test func decodesRowAndColumnarFormats() throws {
        let rows = try PredictRequest(body: Self.parse(#"{"signature_name": "serving_default", "instances": [[[1,2,3],[4,5,6]], [[7,8,9],[10,11,12]]]}"#), signature: Self.single)
        #expect(rows.format == .row)
        #expect(rows.inputs[0].shape == [2, 2, 3])
        #expect(rows.inputs[0].values == (1...12).map(Double.init))
        let columns = try PredictRequest(body: Self.parse(#"{"inputs": {"x": [[[1,2,3],[4,5,6]]]}}"#), signature: Self.single)
        #expect(columns.format == .columnar)
        #expect(columns.inputs[0].shape == [1, 2, 3])

        let named = try PredictRequest(body: Self.parse(#"{"instances": [{"a": [1, 2], "ids": 7}, {"ids": 8, "a": [3, 4]}]}"#), signature: Self.pair)
        #expect(named.inputs.map(\.shape) == [[2, 2], [2]])
        #expect(named.inputs[0].values == [1, 2, 3, 4])
        #expect(named.inputs[1].values == [7, 8])
        let namedColumns = try PredictRequest(body: Self.parse(#"{"inputs": {"a": [[1, 2]], "ids": [5]}}"#), signature: Self.pair)
        #expect(namedColumns.rows == 1)
    }

    @Test(arguments: [
        (#"[1, 2]"#, "must be a JSON object"),
        (#"{}"#, "Missing \"instances\" or \"inputs\""),
        (#"{"instances": [], "inputs": []}"#, "only one of"),
        (#"{"instances": []}"#, "empty list"),
        (#"{"instances": [[1, 2, 3]]}"#, "rank"),
        (#"{"instances": [[[1,2,3],[4,5]]]}"#, "Ragged list"),
        (#"{"instances": [[[1,2,3],[4,5,6]], [[1,2,3]]]}"#, "Ragged list"),
        (#"{"instances": [[[1,2,3,4],[4,5,6,7]]]}"#, "expects shape (None, 2, 3)"),
        (#"{"instances": [[[1,2,"3"],[4,5,6]]]}"#, "is a string, expected a number"),
        (#"{"instances": [[[1,2,true],[4,5,6]]]}"#, "is a boolean"),
        (#"{"instances": [[[1,2,1e39],[4,5,6]]]}"#, "out of the range of float32"),
        (#"{"inputs": {"z": [[[1,2,3],[4,5,6]]]}}"#, "Unknown input \"z\""),
        (#"{"instances": [[[], []]]}"#, "empty list on axis 2"),
        (#"{"signature_name": "classify", "instances": [[[1,2,3],[4,5,6]]]}"#, "signature name: \"classify\" not found"),
    ])
    func refusesBadRequestsForOneInput(_ body: String, _ message: String) throws {
        let json = try Self.parse(body)
        #expect { try PredictRequest(body: json, signature: Self.single) } throws: { error in
            let error = error as! ServingError
            return error.code == .invalidArgument && error.message.contains(message)
        }
    }

    @Test(arguments: [
        (#"{"instances": [{"a": [1, 2]}]}"#, "Missing input \"ids\""),
        (#"{"instances": [[1, 2]]}"#, "each instance must be an object"),
        (#"{"instances": [{"a": [1, 2], "ids": 1}, [1, 2]]}"#, "same form"),
        (#"{"inputs": {"a": [[1, 2]], "ids": [1.5]}}"#, "is not an int32 value"),
        (#"{"inputs": {"a": [[1, 2]], "ids": [1, 2]}}"#, "same number of rows"),
        (#"{"inputs": [[1, 2]]}"#, "must be an object naming them"),
    ])
    func refusesBadRequestsForNamedInputs(_ body: String, _ message: String) throws {
        let json = try Self.parse(body)
        #expect { try PredictRequest(body: json, signature: Self.pair) } throws: { error in
            (error as! ServingError).message.contains(message)
        }
    }

    @Test func refusesIdsOutsideTheEmbeddingTheyFeed() throws {
        let ids = Input(shape: [3], dtype: .int32)
        let embedded = Flatten()(Embedding(inputDim: 10, outputDim: 2)(ids))
        let functional = try Model(inputs: ids, outputs: Dense(1)(embedded))
        let sequential = Sequential([InputLayer(shape: [3]), Embedding(inputDim: 7, outputDim: 2), Flatten(), Dense(1)])
        for (model, limit) in [(functional, 10), (sequential, 7)] {
            let signature = ModelSignature(model: model)
            #expect(signature.inputs[0].idLimit == limit)
            let fine = try PredictRequest(body: Self.parse("{\"instances\": [[0, 1, \(limit - 1)]]}"), signature: signature)
            #expect(try model.predict(Tensor(shape: [1, 3], doubles: fine.inputs[0].values, dtype: signature.inputs[0].dtype), verbose: 0).shape == [1, 1])
            for bad in ["[[0, 1, \(limit)]]", "[[-1, 0, 0]]"] {
                #expect(throws: ServingError.self) { try PredictRequest(body: Self.parse("{\"instances\": \(bad)}"), signature: signature) }
            }
        }
    }

    @Test func writesTensorsAsNestedLists() throws {
        var writer = JSONWriter()
        let t = Tensor(shape: [3, 2], scalars: [Float(0.5), 1, -2, .nan, .infinity, 3e-8])
        writer.tensorRows(t, rows: 1..<3)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[[-2.0,NaN],[Infinity,3e-08]]")
        var ints = JSONWriter()
        ints.tensorRows(Tensor(shape: [2], scalars: [Int32(4), -5]), rows: 0..<2)
        #expect(String(decoding: ints.bytes, as: UTF8.self) == "[4,-5]")
    }

    @Test func batcherSplitsOneBatchBackIntoRequests() async throws {
        let calls = Counter()
        let batcher = Batcher(maxBatchSize: 16, maxWaitMicros: 200_000, dtypes: [.float32]) { inputs in
            calls.increment()
            return [inputs[0] * 2]
        }
        defer { batcher.stop() }
        let results = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for i in 0..<4 {
                group.addTask {
                    let input = InputArray(shape: [i + 1, 1], values: (0...i).map { Double(10 * i + $0) })
                    let result = try await batcher.submit([input])
                    let all = result.outputs[0].scalars
                    return (i, Array(all[result.rows]))
                }
            }
            var out: [Int: [Float]] = [:]
            for try await (i, values) in group { out[i] = values }
            return out
        }
        for i in 0..<4 { #expect(results[i] == (0...i).map { Float(2 * (10 * i + $0)) }) }
        #expect(calls.value == 1)   // 10 rows in all fit one batch within the 200 ms wait
    }
}

/// A thread-safe call counter.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
