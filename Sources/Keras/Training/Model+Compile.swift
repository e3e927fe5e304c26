import KerasCore

extension Model {
    /// Configures the model for training (`model.compile`).
    ///
    /// `loss` may be a ``Loss``, a Keras name, or per-output losses: `[any LossConvertible]` by
    /// position or `[String: any LossConvertible]` by output name. Leave it out when the loss
    /// comes only from ``Layer/addLoss(_:)`` penalties or a custom ``trainStep(_:)``. `metrics`
    /// apply to every output (`"accuracy"` resolves to the binary, sparse or categorical variant
    /// from the shapes, as Keras does); `outputMetrics` names them per output. As in Keras, these
    /// ignore sample and class weights; `weightedMetrics` are computed with them. `lossWeights`
    /// scale each output's loss, by position (`[1, 0.2]`) or by output name.
    ///
    /// ```swift
    /// try model.compile(optimizer: "adam",
    ///                   loss: SparseCategoricalCrossentropy(fromLogits: true),
    ///                   metrics: ["accuracy"])
    /// try twoHeads.compile(optimizer: "rmsprop",
    ///                      loss: ["priority": "binary_crossentropy", "department": "categorical_crossentropy"],
    ///                      lossWeights: ["priority": 1.0, "department": 0.2])
    /// ```
    ///
    /// - Parameters:
    ///   - optimizer: An `Optimizer` or a Keras optimizer name (`"adam"`, `"sgd"`, …).
    ///   - loss: A `Loss`, a Keras loss name, or per-output losses by position or output name; `nil` when `addLoss` or `trainStep` provide the loss.
    ///   - metrics: Metrics (or their names) computed on every output, without sample weights.
    ///   - outputMetrics: Metrics by output name.
    ///   - weightedMetrics: Metrics computed with the sample and class weights.
    ///   - lossWeights: Factors of each output's loss in the total, by position or output name.
    public func compile(optimizer: any OptimizerConvertible = "rmsprop", loss: (any LossConvertible)? = nil,
                        metrics: [any MetricConvertible] = [], outputMetrics: [String: [any MetricConvertible]] = [:],
                        weightedMetrics: [any MetricConvertible] = [], lossWeights: (any LossWeightsConvertible)? = nil) throws {
        let names = outputNames.isEmpty ? [name] : outputNames
        let losses = try loss?.makeLosses(outputNames: names) ?? names.map { _ in nil }
        let weights = try lossWeights?.makeLossWeights(outputNames: names) ?? names.map { _ in 1.0 }
        for key in outputMetrics.keys where !names.contains(key) {
            throw KerasError.invalidData("compile: metrics given for \"\(key)\", which is not an output of the model; outputs are \(names)")
        }
        let opt = try optimizer.makeOptimizer()
        // Keras's key order; the metric lists are filled in below.
        var config: Config = ["optimizer": opt.serialize(),
                              "loss": names.count == 1 ? (losses[0]?.serialize() ?? .null) : .array(losses.map { $0?.serialize() ?? .null }),
                              "loss_weights": lossWeights == nil ? .null : .array(weights.map(ConfigValue.double)),
                              "metrics": nil, "weighted_metrics": nil, "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false]
        func serialized(_ list: [any MetricConvertible]) -> ConfigValue {
            list.isEmpty ? .null : .array(list.map { ($0 as? String).map(ConfigValue.string) ?? (($0 as? Metric)?.serialize() ?? .null) })
        }
        // One list per output when there are several (as Keras stores them), so saved files load in Keras.
        config["metrics"] = names.count == 1 ? serialized(metrics + (outputMetrics[names[0]] ?? []))
            : (metrics.isEmpty && outputMetrics.isEmpty ? .null
               : .array(names.map { n in serialized(metrics + (outputMetrics[n] ?? [])).arrayValue.map(ConfigValue.array) ?? .array([]) }))
        config["weighted_metrics"] = serialized(weightedMetrics)
        compiledState = CompiledState(optimizer: opt, losses: losses, lossWeights: weights, outputNames: names,
                                      metricSpecs: names.map { metrics + (outputMetrics[$0] ?? []) },
                                      weightedMetricSpecs: names.map { _ in weightedMetrics }, config: config)
    }

    /// ``compile(optimizer:loss:metrics:outputMetrics:weightedMetrics:lossWeights:)`` with one loss
    /// per output name (a dictionary literal of mixed names and ``Loss`` values).
    public func compile(optimizer: any OptimizerConvertible = "rmsprop", loss: [String: any LossConvertible],
                        metrics: [any MetricConvertible] = [], outputMetrics: [String: [any MetricConvertible]] = [:],
                        weightedMetrics: [any MetricConvertible] = [], lossWeights: (any LossWeightsConvertible)? = nil) throws {
        try compile(optimizer: optimizer, loss: loss as any LossConvertible, metrics: metrics, outputMetrics: outputMetrics,
                    weightedMetrics: weightedMetrics, lossWeights: lossWeights)
    }

    /// ``compile(optimizer:loss:metrics:outputMetrics:weightedMetrics:lossWeights:)`` with one loss
    /// per output, by position.
    public func compile(optimizer: any OptimizerConvertible = "rmsprop", loss: [any LossConvertible],
                        metrics: [any MetricConvertible] = [], outputMetrics: [String: [any MetricConvertible]] = [:],
                        weightedMetrics: [any MetricConvertible] = [], lossWeights: (any LossWeightsConvertible)? = nil) throws {
        try compile(optimizer: optimizer, loss: loss as any LossConvertible, metrics: metrics, outputMetrics: outputMetrics,
                    weightedMetrics: weightedMetrics, lossWeights: lossWeights)
    }

    /// The optimizer set by `compile(optimizer:loss:metrics:outputMetrics:lossWeights:)`.
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
