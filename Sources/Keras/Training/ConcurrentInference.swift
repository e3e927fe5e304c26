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
