import KerasCore

/// Anything `compile` accepts as an optimizer: an ``Optimizer`` or a Keras name (`"adam"`).
public protocol OptimizerConvertible {
    /// The optimizer this value names or is.
    func makeOptimizer() throws -> Optimizer
}

extension String: OptimizerConvertible {
    /// The optimizer this value names or is (`OptimizerConvertible`).
    public func makeOptimizer() throws -> Optimizer { try Optimizer.named(self) }
}

extension Optimizer: OptimizerConvertible {
    /// The optimizer this value names or is (`OptimizerConvertible`).
    public func makeOptimizer() throws -> Optimizer { self }
}

/// Anything `compile` accepts as the loss: a ``Loss``, a Keras name (`"mse"`), or per-output
/// losses as an array (by position) or a dictionary (by output name).
public protocol LossConvertible {
    /// One loss (or `nil`: no loss) per model output.
    func makeLosses(outputNames: [String]) throws -> [(any Loss)?]
}

extension Loss {
    /// The loss of each output, in `outputNames` order (`LossConvertible`).
    public func makeLosses(outputNames: [String]) throws -> [(any Loss)?] { outputNames.map { _ in self } }
}

extension String: LossConvertible {
    /// The loss of each output, in `outputNames` order (`LossConvertible`).
    public func makeLosses(outputNames: [String]) throws -> [(any Loss)?] {
        let loss = try lossNamed(self)
        return outputNames.map { _ in loss }
    }
}

extension Array: LossConvertible where Element == any LossConvertible {
    /// The loss of each output, in `outputNames` order (`LossConvertible`).
    public func makeLosses(outputNames: [String]) throws -> [(any Loss)?] {
        guard count == outputNames.count else {
            throw KerasError.invalidData("compile: got \(count) losses for a model with \(outputNames.count) outputs \(outputNames)")
        }
        return try enumerated().map { i, l in try l.makeLosses(outputNames: [outputNames[i]])[0] }
    }
}

extension Dictionary: LossConvertible where Key == String, Value == any LossConvertible {
    /// The loss of each output, in `outputNames` order (`LossConvertible`).
    public func makeLosses(outputNames: [String]) throws -> [(any Loss)?] {
        for key in keys where !outputNames.contains(key) {
            throw KerasError.invalidData("compile: loss given for \"\(key)\", which is not an output of the model; outputs are \(outputNames)")
        }
        return try outputNames.map { name in try self[name].map { try $0.makeLosses(outputNames: [name])[0] } ?? nil }
    }
}

/// Anything `compile` accepts as loss weights: one per output by position (`[1.0, 0.2]`) or by
/// output name (`["priority": 1.0, "department": 0.2]`; outputs left out weigh 1).
public protocol LossWeightsConvertible {
    /// One weight per model output.
    func makeLossWeights(outputNames: [String]) throws -> [Double]
}

extension Array: LossWeightsConvertible where Element == Double {
    /// The loss weight of each output, in `outputNames` order (`LossWeightsConvertible`).
    public func makeLossWeights(outputNames: [String]) throws -> [Double] {
        guard count == outputNames.count else {
            throw KerasError.invalidData("compile: got \(count) loss weights for a model with \(outputNames.count) outputs \(outputNames)")
        }
        return self
    }
}

extension Dictionary: LossWeightsConvertible where Key == String, Value == Double {
    /// The loss weight of each output, in `outputNames` order (`LossWeightsConvertible`).
    public func makeLossWeights(outputNames: [String]) throws -> [Double] {
        for key in keys where !outputNames.contains(key) {
            throw KerasError.invalidData("compile: loss weight given for \"\(key)\", which is not an output of the model; outputs are \(outputNames)")
        }
        return outputNames.map { self[$0] ?? 1 }
    }
}

/// Anything `compile` accepts as a metric: a ``Metric`` or a Keras name (`"accuracy"`, `"mae"`).
public protocol MetricConvertible {
    /// A fresh metric for one output, given the shapes it will see and the output's loss.
    func makeMetric(yTrueShape: [Int], yPredShape: [Int], lossName: String?) throws -> Metric
}

extension String: MetricConvertible {
    /// The metric this value names or is, resolved for the target and prediction shapes (`MetricConvertible`).
    public func makeMetric(yTrueShape: [Int], yPredShape: [Int], lossName: String?) throws -> Metric {
        try metricNamed(self, yTrueShape: yTrueShape, yPredShape: yPredShape, lossName: lossName)
    }
}

extension Metric: MetricConvertible {
    /// The metric this value names or is, resolved for the target and prediction shapes (`MetricConvertible`).
    public func makeMetric(yTrueShape: [Int], yPredShape: [Int], lossName: String?) throws -> Metric { self }
}
