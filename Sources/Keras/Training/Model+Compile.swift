import KerasCore

extension Model {
    /// Configures the model for training (`model.compile`).
    ///
    /// `loss` may be a ``Loss``, a Keras name, or per-output losses (`[any LossConvertible]` by
    /// position, `[String: any LossConvertible]` by output name). `metrics` apply to every output
    /// (`"accuracy"` resolves to the binary, sparse or categorical variant from the shapes, as Keras
    /// does); `outputMetrics` names them per output. As in Keras, these ignore sample and class
    /// weights; `weightedMetrics` are computed with them. `lossWeights` scale each output's loss.
    ///
    /// ```swift
    /// model.compile(optimizer: "adam",
    ///               loss: SparseCategoricalCrossentropy(fromLogits: true),
    ///               metrics: ["accuracy"])
    /// ```
    public func compile(optimizer: any OptimizerConvertible = "rmsprop", loss: (any LossConvertible)? = nil,
                        metrics: [any MetricConvertible] = [], outputMetrics: [String: [any MetricConvertible]] = [:],
                        weightedMetrics: [any MetricConvertible] = [], lossWeights: [Double]? = nil) throws {
        let names = outputNames.isEmpty ? [name] : outputNames
        let losses = try loss?.makeLosses(outputNames: names) ?? names.map { _ in nil }
        let weights = lossWeights ?? names.map { _ in 1.0 }
        guard weights.count == names.count else {
            throw KerasError.invalidData("compile: got \(weights.count) loss weights for a model with \(names.count) outputs \(names)")
        }
        for key in outputMetrics.keys where !names.contains(key) {
            throw KerasError.invalidData("compile: metrics given for \"\(key)\", which is not an output of the model; outputs are \(names)")
        }
        let opt = try optimizer.makeOptimizer()
        var config: Config = ["optimizer": opt.serialize(), "loss_weights": lossWeights.map { .array($0.map(ConfigValue.double)) } ?? .null,
                              "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false]
        config["loss"] = names.count == 1 ? (losses[0]?.serialize() ?? .null) : .array(losses.map { $0?.serialize() ?? .null })
        func serialized(_ list: [any MetricConvertible]) -> ConfigValue {
            list.isEmpty ? .null : .array(list.map { ($0 as? String).map(ConfigValue.string) ?? (($0 as? Metric)?.serialize() ?? .null) })
        }
        config["metrics"] = serialized(metrics)
        config["weighted_metrics"] = serialized(weightedMetrics)
        compiledState = CompiledState(optimizer: opt, losses: losses, lossWeights: weights, outputNames: names,
                                      metricSpecs: names.map { metrics + (outputMetrics[$0] ?? []) },
                                      weightedMetricSpecs: names.map { _ in weightedMetrics }, config: config)
    }

    /// Compiles with per-output losses given by output name.
    public func compile(optimizer: any OptimizerConvertible = "rmsprop", losses: [String: any LossConvertible],
                        metrics: [any MetricConvertible] = [], outputMetrics: [String: [any MetricConvertible]] = [:],
                        weightedMetrics: [any MetricConvertible] = [], lossWeights: [String: Double]? = nil) throws {
        let names = outputNames.isEmpty ? [name] : outputNames
        try compile(optimizer: optimizer, loss: losses, metrics: metrics, outputMetrics: outputMetrics,
                    weightedMetrics: weightedMetrics, lossWeights: lossWeights.map { w in names.map { w[$0] ?? 1 } })
    }

    /// The optimizer set by ``compile(optimizer:loss:metrics:outputMetrics:lossWeights:)``.
    public var optimizer: Optimizer? { compiledState?.optimizer }

    /// Keras's `compile_config` (what `.keras` files store under that key), `nil` before compile.
    public var compileConfig: Config? { compiledState?.config }

    func requireCompiled(_ op: String) throws -> CompiledState {
        guard let state = compiledState else {
            throw KerasError.invalidData("\(op): you must call compile() on model \"\(name)\" before \(op)()")
        }
        return state
    }
}
