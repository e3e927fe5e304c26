/// Applies a list of layers one after the other (`keras.layers.Pipeline`), typically a
/// preprocessing or augmentation pipeline. Unlike a ``Sequential`` it is a plain layer, not a
/// model: it has no `compile` or `fit`, and its config holds only `layers` and `name`, as
/// Keras's does. Inside it a mask passes from each layer to the next; its output carries none (as in Keras,
/// where `Pipeline` does not support masking). `training` reaches every layer.
///
/// ```swift
/// let augment = Pipeline([RandomFlip(seed: 1), RandomRotation(0.1, seed: 2), RandomZoom(0.2, seed: 3)])
/// let inputs = Input(shape: [32, 32, 3])
/// let features = Conv2D(16, kernelSize: 3)(augment(inputs))   // augments only in training
/// ```
public final class Pipeline: Layer, @unchecked Sendable {
    /// Its own call writes no state; it runs concurrently when its layers can.
    public override class var isStatelessInInference: Bool { true }
    /// The layers, applied in order (Keras's `layers`).
    public let layers: [Layer]

    /// Creates a `Pipeline` of `layers` (at least one).
    public init(_ layers: [Layer], name: String? = nil) {
        requireValid {
            try ensure(!layers.isEmpty, "Pipeline: expected at least one layer. Received: layers=[]")
        }
        self.layers = layers
        super.init(name: name)
    }

    /// Recreates a pipeline from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` when `layers` is not a non-empty list of serialized
    ///   layers.
    ///
    /// ```swift
    /// let copy = try Pipeline(config: Pipeline([Rescaling(1.0 / 255)]).getConfig())
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Pipeline.self, config: config)
        let name = try r.optionalString("name")
        let layers = try r.nested("layers") { value -> [Layer] in
            guard let list = value?.arrayValue else {
                throw KerasError.invalidConfig("`Pipeline` config must contain a `layers` key mapping to a list of serialized layers. Received config with layers=\(value.map { "\($0)" } ?? "nothing")")
            }
            guard !list.isEmpty else { throw KerasError.invalidConfig("`Pipeline` needs at least one layer. Received: layers=[]") }
            return try list.map { try deserializeLayer($0) }
        }
        self.init(layers, name: name)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 1 else {
            return .incompatibleInput(layer: name, message: "Pipeline \"\(name)\" takes one input, received \(inputShapes.count)")
        }
        return propagateThrough(layers, inputShapes[0], building: true).error
    }

    public override func build(inputShape: [Int?]) {
        if let error = propagateThrough(layers, inputShape, building: true).error { BuildIssues.report(error) }
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        layers.reduce(inputShape) { $1.computeOutputShape($0) }
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        call(inputs, mask: nil, training: training)
    }

    public override func call(_ inputs: Tensor, mask: Tensor?, training: Bool) -> Tensor {
        var (x, mask) = (inputs, mask)
        for layer in layers {
            let result = layer.applyMasked([x], masks: [mask], training: training)
            (x, mask) = (result.outputs[0], result.masks[0])
        }
        return x
    }

    /// Keras's keys only: `layers` and `name`.
    public override func getConfig() -> Config {
        ["layers": .array(layers.map { serializeLayer($0) }), "name": .string(name)]
    }
}
