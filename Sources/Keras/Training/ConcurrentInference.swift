import KerasCore

extension Layer {
    /// Whether inference calls of this (built) layer may run on several threads at once: the
    /// Keras module's own layers and containers write no state when called for inference, except
    /// an activity regularizer (it records the last call's penalty). Lambda closures and user
    /// subclasses are not known to be safe, so models containing them predict one batch at a time.
    public var supportsConcurrentInference: Bool {
        guard built, activityRegularizer == nil, !(self is Lambda) else { return false }
        guard String(reflecting: type(of: self)).hasPrefix("Keras.") else { return false }
        if let model = self as? Model { return model.layers.allSatisfy(\.supportsConcurrentInference) }
        return true
    }
}
