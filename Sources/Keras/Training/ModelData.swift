import KerasCore

/// Data for a model's inputs or outputs: one `Tensor` (single input/output), an array (by
/// position) or a dictionary keyed by input/output name.
///
/// ```swift
/// try model.fit(x, y)                                        // one input, one output
/// try model.fit([images, metadata], [labels])                // by position
/// try model.fit(["image": images, "meta": metadata], ["label": labels])
/// ```
public protocol ModelDataConvertible {
    /// The tensors in the order of `names` (the model's input or output names).
    func tensors(for names: [String], role: String) throws -> [Tensor]
}

extension Tensor: ModelDataConvertible {
    /// The tensors for the model inputs or outputs `names`; throws a `KerasError` naming `role` when they do not match (`ModelDataConvertible`).
    public func tensors(for names: [String], role: String) throws -> [Tensor] {
        guard names.count <= 1 else {
            throw KerasError.invalidData("the model has \(names.count) \(role)s \(names); pass an array or a dictionary of tensors, not a single tensor")
        }
        return [self]
    }
}

extension Array: ModelDataConvertible where Element == Tensor {
    /// The tensors for the model inputs or outputs `names`; throws a `KerasError` naming `role` when they do not match (`ModelDataConvertible`).
    public func tensors(for names: [String], role: String) throws -> [Tensor] {
        guard count == names.count || names.isEmpty else {
            throw KerasError.invalidData("the model has \(names.count) \(role)(s) \(names), but \(count) tensors were given")
        }
        return self
    }
}

extension Dictionary: ModelDataConvertible where Key == String, Value == Tensor {
    /// The tensors for the model inputs or outputs `names`; throws a `KerasError` naming `role` when they do not match (`ModelDataConvertible`).
    public func tensors(for names: [String], role: String) throws -> [Tensor] {
        for key in keys.sorted() where !names.contains(key) {
            throw KerasError.invalidData("no model \(role) is named \"\(key)\"; the model's \(role)s are \(names)")
        }
        return try names.map { name in
            guard let t = self[name] else { throw KerasError.invalidData("missing data for model \(role) \"\(name)\"; given keys: \(keys.sorted())") }
            return t
        }
    }
}

/// Validation data for `fit`: arrays (`ValidationData(xVal, yVal)`) or a ``Dataset``.
public struct ValidationData {
    enum Source { case arrays(x: any ModelDataConvertible, y: any ModelDataConvertible, sampleWeight: Tensor?), dataset(Dataset) }
    let source: Source

    /// Validation arrays: inputs, targets and optional sample weights.
    public init(_ x: some ModelDataConvertible, _ y: some ModelDataConvertible, sampleWeight: Tensor? = nil) {
        source = .arrays(x: x, y: y, sampleWeight: sampleWeight)
    }

    /// A validation dataset.
    public init(_ dataset: Dataset) { source = .dataset(dataset) }
}

/// Where batches come from during one `fit`/`evaluate`/`predict` call.
enum BatchSource {
    case arrays(TrainingArrays, batchSize: Int, shuffle: Bool)
    case dataset(Dataset, batchSize: Int)

    /// Batches per epoch.
    var stepCount: Int {
        switch self {
        case .arrays(let a, let b, _): (a.count + b - 1) / b
        case .dataset(let d, let b): d.isBatched ? d.count : (d.count + b - 1) / b
        }
    }

    /// The batches of one epoch, produced one at a time; arrays are reshuffled per epoch with
    /// `generator`, and each shuffled batch gathers only its own rows.
    func batches(epoch: Int, generator: inout RandomGenerator) -> AnySequence<DataBatch> {
        switch self {
        case .arrays(let arrays, let batchSize, let shuffle):
            var order: [Int]? = nil
            if shuffle {
                order = Array(0..<arrays.count)
                order!.shuffle(using: &generator)
            }
            let starts = stride(from: 0, to: arrays.count, by: batchSize)
            return AnySequence(starts.lazy.map { start in
                let range = start..<Swift.min(start + batchSize, arrays.count)
                guard let order else { return arrays.batch(range) }
                return arrays.rows(Array(order[range])).batch(0..<range.count)
            })
        case .dataset(let dataset, let batchSize):
            let d = dataset.isBatched ? dataset : dataset.batched(batchSize)
            return AnySequence(d.elements(epoch: epoch))
        }
    }
}
