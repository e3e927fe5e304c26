import Keras

/// Batching settings of the models a server loads (TF Serving's `--enable_batching` parameters).
///
/// ```swift
/// let batching = BatchingOptions(maxBatchSize: 64, maxWaitMicros: 500)
/// ```
public struct BatchingOptions: Sendable, Equatable {
    /// The most rows run through the model in one call.
    public var maxBatchSize: Int
    /// How long the first queued request waits for others to join its batch (0: only those
    /// already queued, which still batches under load).
    public var maxWaitMicros: Int

    /// At most `maxBatchSize` rows per batch, waiting up to `maxWaitMicros` for more requests.
    public init(maxBatchSize: Int = 64, maxWaitMicros: Int = 0) {
        self.maxBatchSize = maxBatchSize
        self.maxWaitMicros = maxWaitMicros
    }
}

/// One loaded version of a model, ready to answer requests through its ``Batcher``.
///
/// ```swift
/// let served = ServedModel(name: "mlp", version: 1, model: try loadModel("mlp.keras"), batching: BatchingOptions())
/// let outputs = try await served.predict(request)
/// ```
final class ServedModel: Sendable {
    let name: String
    let version: Int64
    let model: Model
    let signature: ModelSignature
    let batcher: Batcher

    init(name: String, version: Int64, model: Model, batching: BatchingOptions, onBatch: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.name = name
        self.version = version
        self.model = model
        let signature = ModelSignature(model: model)
        self.signature = signature
        self.batcher = Batcher(maxBatchSize: batching.maxBatchSize, maxWaitMicros: batching.maxWaitMicros,
                               dtypes: signature.inputs.map(\.dtype), onBatch: onBatch) { inputs in
            try model.predictOnBatch(inputs).tensors
        }
    }

    /// The outputs for a decoded request: its rows of the batch it ran in.
    func predict(_ request: PredictRequest) async throws -> BatchResult {
        try await batcher.submit(request.inputs)
    }

    /// The JSON answer to a request, in the request's format.
    func encode(_ result: BatchResult, format: PredictRequest.Format) -> [UInt8] {
        let names = signature.outputs.count == result.outputs.count
            ? signature.outputs.map(\.name) : result.outputs.indices.map { "output_\($0)" }
        var writer = JSONWriter(capacity: 64 + result.rows.count * 16 * max(1, result.outputs.count))
        switch (format, result.outputs.count) {
        case (.row, 1):
            writer.raw("{\"predictions\":")
            writer.tensorRows(result.outputs[0], rows: result.rows)
            writer.raw("}")
        case (.row, _):
            writer.raw("{\"predictions\":[")
            for row in result.rows {
                if row != result.rows.lowerBound { writer.raw(",") }
                writer.raw("{")
                for (i, output) in result.outputs.enumerated() {
                    if i > 0 { writer.raw(",") }
                    writer.string(names[i])
                    writer.raw(":")
                    writer.tensorRows(output, rows: row..<row + 1, single: true)
                }
                writer.raw("}")
            }
            writer.raw("]}")
        case (.columnar, 1):
            writer.raw("{\"outputs\":")
            writer.tensorRows(result.outputs[0], rows: result.rows)
            writer.raw("}")
        case (.columnar, _):
            writer.raw("{\"outputs\":{")
            for (i, output) in result.outputs.enumerated() {
                if i > 0 { writer.raw(",") }
                writer.string(names[i])
                writer.raw(":")
                writer.tensorRows(output, rows: result.rows)
            }
            writer.raw("}}")
        }
        return writer.bytes
    }
}
