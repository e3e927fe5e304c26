import Foundation
import KerasCore

extension Layer {
    /// Whether inference calls of this layer may run on several threads at once: the
    /// layers whose class declares ``Layer/isStatelessInInference`` (the built-in ones) and plain
    /// functional or Sequential containers of them, without activity regularizers. Lambda
    /// closures and user subclasses are not known to be safe, so models containing them predict
    /// one batch at a time.
    public var supportsConcurrentInference: Bool {
        guard activityRegularizer == nil else { return false }
        if let model = self as? Model {
            // A container needs its graph; a layer it holds may be unbuilt where inference never
            // calls it (an attention layer's dropout): a first call builds it once, under its lock.
            guard model.built else { return false }
            // Functional graphs and plain Sequential stacks only route tensors; subclasses run user code.
            let isContainer = type(of: model) == Sequential.self || (type(of: model) == Model.self && model.graph != nil)
            return isContainer && model.layers.allSatisfy(\.supportsConcurrentInference)
        }
        // A stateful RNN carries states from batch to batch, so its batches must run in order;
        // a wrapper (RNN and its cell, Bidirectional, attention projections) is safe when its parts are.
        if let rnn = self as? RNN, rnn.stateful { return false }
        return type(of: self).isStatelessInInference && sublayers.allSatisfy(\.supportsConcurrentInference)
    }
}

extension Model {
    /// The samples in each slice that `predict` runs on one core: as many as keep the model's
    /// widest activation (by its layers' output shapes, and a recurrent layer's gates) within
    /// 1 MiB, about a core's second-level cache, but at least 32, so each slice's matrix products
    /// stay efficient.
    /// Batches of up to this many samples are not cut, nor are any batches of a model whose
    /// weights exceed 1 MiB (each slice would read them again). Measured on 2 cores at batch 256:
    /// slices of 32 predict 15–25% more samples per second on the Transformer and CNN
    /// benchmarks, whose whole-batch activations (8 MiB a layer) spill to the shared cache; on
    /// the MLP with two 2048-wide layers (17 MiB of weights) slices of 128 lost 5%; the LSTM
    /// benchmark (28 steps of 512 gates) gained 7% from slices of 32.
    /// `KERAS_PREDICT_SLICE=<samples>` overrides it (0: never cut), to compare run against run.
    var inferenceSliceSize: Int {
        if let samples = Self.sliceOverride { return samples > 0 ? samples : Int.max }
        let budget = 1 << 20
        let weightBytes = weights.reduce(0) { $0 + $1.value.scalarCount * $1.value.dtype.byteSize }
        let widest = widestActivationBytesPerSample
        return widest > 0 && weightBytes <= budget ? max(32, budget / widest) : Int.max
    }

    private static let sliceOverride = ProcessInfo.processInfo.environment["KERAS_PREDICT_SLICE"].flatMap { Int($0) }

    /// The largest output of any layer call in the graph (nested models included), or of a
    /// recurrent layer's gates, in bytes per sample.
    private var widestActivationBytesPerSample: Int {
        layers.map { layer in
            let outputs = layer.inboundNodes.flatMap(\.outputs).map { tensor in
                tensor.shape.dropFirst().reduce(tensor.dtype.byteSize) { $0 * ($1 ?? 1) }
            }
            let inner = (layer as? Model)?.widestActivationBytesPerSample ?? (layer as? RNN)?.gateBytesPerSample ?? 0
            return max(outputs.max() ?? 0, inner)
        }.max() ?? 0
    }
}

extension RNN {
    /// The gates a call computes for all steps at once, in bytes per sample: the steps times the
    /// widest of the cell's weights (4·units for an LSTM), in their dtype. 0 before the first call.
    var gateBytesPerSample: Int {
        guard let input = inboundNodes.first?.inputs.first, input.shape.count >= 2, let steps = input.shape[1] else { return 0 }
        let weights = cell.weights
        let width = weights.map { $0.shape.last ?? 0 }.max() ?? 0
        return steps * width * (weights.first?.dtype.byteSize ?? 0)
    }
}
