/// The base of the merge layers (Keras's `Merge`): several tensors of compatible shapes in,
/// one tensor out.
///
/// ```swift
/// let sum = Add()([a, b])                         // eager
/// let merged = Concatenate()([left, right])       // symbolic, in a functional model
/// ```
open class Merge: Layer, @unchecked Sendable {
    /// Its call writes no state in inference, so `predict` may run batches on several threads.
    open override class var isStatelessInInference: Bool { true }
    /// Combines the inputs (at least two).
    open func merge(_ inputs: [Tensor]) -> Tensor {
        fatalError("Merge layer \"\(name)\" must override merge(_:)")
    }

    /// Merges tensors eagerly.
    public func callAsFunction(_ inputs: [Tensor], training: Bool = false) -> Tensor {
        apply(inputs, training: training)[0]
    }

    /// Merges symbolic tensors, recording a node.
    public func callAsFunction(_ inputs: [KerasTensor]) -> KerasTensor { applySymbolic(inputs)[0] }

    open override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        require(inputs.count >= 2, "A merge layer should be called on a list of at least 2 inputs. Received: \(inputs.count) input(s) to layer \"\(name)\"")
        return [merge(inputs)]
    }

    /// Merged outputs keep a mask, as in Keras.
    open override var supportsMasking: Bool { true }

    /// Keras's rule for the elementwise merges: the OR of the input masks when every input has
    /// one, otherwise no mask.
    open override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] {
        guard masks.count == inputs.count, !masks.isEmpty, masks.allSatisfy({ $0 != nil }) else { return [nil] }
        let present = masks.compactMap { $0?.cast(to: .bool) }
        return [present.dropFirst().reduce(present[0]) { $0.logicalOr($1) }]
    }

    open override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        fatalError("A merge layer should be called on a list of inputs; layer \"\(name)\" received a single tensor of shape \(formatShape(inputs.shape))")
    }

    open override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        if inputShapes.count < 2 {
            return .incompatibleInput(layer: name, message: "A merge layer should be called on a list of at least 2 inputs. Got \(inputShapes.count) inputs. Layer \"\(name)\"")
        }
        if elementwiseShape(inputShapes) == nil {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (\(className)): inputs have incompatible shapes. Received shapes \(inputShapes.map(formatShape).joined(separator: " and "))")
        }
        return nil
    }

    open override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        [elementwiseShape(inputShapes) ?? inputShapes[0]]
    }

    /// The broadcast shape of the inputs (Keras's `_compute_elemwise_op_output_shape`), or nil.
    func elementwiseShape(_ shapes: [[Int?]]) -> [Int?]? {
        var result = shapes[0]
        for shape in shapes.dropFirst() {
            let rank = Swift.max(result.count, shape.count)
            let a = Array(repeating: Optional(1), count: rank - result.count) + result
            let b = Array(repeating: Optional(1), count: rank - shape.count) + shape
            var out: [Int?] = []
            for (x, y) in zip(a, b) {
                switch (x, y) {
                case (nil, _), (_, nil): out.append(nil)   // as Keras: unknown if either is
                case (let u?, let v?):
                    if u == v || v == 1 { out.append(u) } else if u == 1 { out.append(v) } else { return nil }
                }
            }
            result = out
        }
        return result
    }
}

/// Elementwise sum of its inputs (`keras.layers.Add`).
public final class Add: Merge, @unchecked Sendable {
    /// Creates an `Add` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }
    /// Recreates a layer from `getConfig()` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        let base = try layerBase(Add.self, config)
        self.init(name: base.name, dtype: base.dtype)
    }
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0], +) }
}

/// The difference of exactly two inputs (`keras.layers.Subtract`).
public final class Subtract: Merge, @unchecked Sendable {
    /// Creates a `Subtract` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }
    /// Recreates a layer from `getConfig()` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        let base = try layerBase(Subtract.self, config)
        self.init(name: base.name, dtype: base.dtype)
    }
    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        if inputShapes.count != 2 {
            return .incompatibleInput(layer: name, message: "A `Subtract` layer should be called on exactly 2 inputs. Received: \(inputShapes.count) inputs (layer \"\(name)\")")
        }
        return super.validateSymbolic(inputShapes)
    }
    public override func merge(_ inputs: [Tensor]) -> Tensor {
        require(inputs.count == 2, "A `Subtract` layer should be called on exactly 2 inputs. Received: \(inputs.count) inputs (layer \"\(name)\")")
        return inputs[0] - inputs[1]
    }
}

/// Elementwise product of its inputs (`keras.layers.Multiply`).
public final class Multiply: Merge, @unchecked Sendable {
    /// Creates a `Multiply` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }
    /// Recreates a layer from `getConfig()` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        let base = try layerBase(Multiply.self, config)
        self.init(name: base.name, dtype: base.dtype)
    }
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0], *) }
}

/// Elementwise mean of its inputs (`keras.layers.Average`).
public final class Average: Merge, @unchecked Sendable {
    /// Creates an `Average` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }
    /// Recreates a layer from `getConfig()` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        let base = try layerBase(Average.self, config)
        self.init(name: base.name, dtype: base.dtype)
    }
    public override func merge(_ inputs: [Tensor]) -> Tensor {
        inputs.dropFirst().reduce(inputs[0], +) / Double(inputs.count)
    }
}

/// Elementwise maximum of its inputs (`keras.layers.Maximum`).
public final class Maximum: Merge, @unchecked Sendable {
    /// Creates a `Maximum` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }
    /// Recreates a layer from `getConfig()` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        let base = try layerBase(Maximum.self, config)
        self.init(name: base.name, dtype: base.dtype)
    }
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0]) { $0.maximum($1) } }
    /// Masked positions take the other inputs' values before the maximum, as in Keras.
    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        [mergeSkippingMasked(inputs, masks: masks) { $0.maximum($1) }]
    }
}

/// Elementwise minimum of its inputs (`keras.layers.Minimum`).
public final class Minimum: Merge, @unchecked Sendable {
    /// Creates a `Minimum` with Keras's arguments and defaults (the names in Swift case).
    public init(name: String? = nil, dtype: DType = .float32) { super.init(name: name, dtype: dtype) }
    /// Recreates a layer from `getConfig()` (`name`, `dtype`).
    public convenience init(config: Config) throws {
        let base = try layerBase(Minimum.self, config)
        self.init(name: base.name, dtype: base.dtype)
    }
    public override func merge(_ inputs: [Tensor]) -> Tensor { inputs.dropFirst().reduce(inputs[0]) { $0.minimum($1) } }
    /// Masked positions take the other inputs' values before the minimum, as in Keras.
    public override func call(_ inputs: [Tensor], masks: [Tensor?], training: Bool) -> [Tensor] {
        [mergeSkippingMasked(inputs, masks: masks) { $0.minimum($1) }]
    }
}

extension Merge {
    /// Keras's merge for operations without an identity element (`Maximum`, `Minimum`): going
    /// through the inputs in order, a masked position of the next input takes the running
    /// result's value and a masked position of the running result takes the next input's, so
    /// masked values never win; the running mask is the OR of the masks while every input has one.
    func mergeSkippingMasked(_ inputs: [Tensor], masks: [Tensor?], _ op: (Tensor, Tensor) -> Tensor) -> Tensor {
        require(inputs.count >= 2, "A merge layer should be called on a list of at least 2 inputs. Received: \(inputs.count) input(s) to layer \"\(name)\"")
        func widened(_ mask: Tensor?, like x: Tensor) -> Tensor? {
            guard let mask = mask?.cast(to: .bool) else { return nil }
            return mask.rank < x.rank ? mask.expandingDims(at: -1).broadcast(to: x.shape) : mask
        }
        var output = inputs[0]
        var outputMask = widened(masks.first ?? nil, like: output)
        for (i, input) in inputs.enumerated().dropFirst() {
            var x = input
            let mask = widened(i < masks.count ? masks[i] : nil, like: x)
            if let mask { x = `where`(mask, x, output) }
            if let outputMask { output = `where`(outputMask, output, x) }
            outputMask = mask.flatMap { m in outputMask.map { $0.logicalOr(m) } }
            output = op(output, x)
        }
        return output
    }
}

/// Joins its inputs along `axis` (`keras.layers.Concatenate`); other axes must match.
public final class Concatenate: Merge, @unchecked Sendable {
    /// The `axis` this `Concatenate` was created with.
    public let axis: Int

    /// Creates a `Concatenate` with Keras's arguments and defaults (the names in Swift case).
    public init(axis: Int = -1, name: String? = nil, dtype: DType = .float32) {
        self.axis = axis
        super.init(name: name, dtype: dtype)
    }
    /// Recreates a layer from ``getConfig()`` (`axis`, `name`, `dtype`).
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Concatenate.self, config: config)
        let base = try r.layerBase()
        self.init(axis: try r.int("axis", default: -1), name: base.name, dtype: base.dtype)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        let error = KerasError.incompatibleInput(layer: name, message: "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=[\(inputShapes.map(formatShape).joined(separator: ", "))] (layer \"\(name)\")")
        guard inputShapes.count >= 2, Set(inputShapes.map(\.count)).count == 1 else { return error }
        let rank = inputShapes[0].count
        let a = axis < 0 ? rank + axis : axis
        guard a >= 0, a < rank else { return error }
        for i in 0..<rank where i != a {
            let known = Set(inputShapes.compactMap { $0[i] })
            if known.count > 1 { return error }
        }
        return nil
    }

    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        var out = inputShapes[0]
        let a = axis < 0 ? out.count + axis : axis
        out[a] = inputShapes.contains { $0[a] == nil } ? nil : inputShapes.reduce(0) { $0 + $1[a]! }
        for i in out.indices where i != a && out[i] == nil { out[i] = inputShapes.lazy.compactMap { $0[i] }.first }
        return [out]
    }

    public override func merge(_ inputs: [Tensor]) -> Tensor { concatenate(inputs, axis: axis) }

    /// Keras's rule: each input's mask (all true where it has none) is widened to the input's
    /// shape, the masks are concatenated like the inputs, and a position is kept when any of its
    /// features is.
    public override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] {
        guard masks.count == inputs.count, masks.contains(where: { $0 != nil }) else { return [nil] }
        let full = zip(inputs, masks).map { x, mask -> Tensor in
            guard let mask = mask?.cast(to: .bool) else { return Tensor.ones(x.shape, dtype: .bool) }
            return mask.rank < x.rank ? mask.expandingDims(at: -1).broadcast(to: x.shape) : mask
        }
        return [concatenate(full, axis: axis).any(axes: [full[0].rank - 1])]
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axis"] = .int(axis)
        return config
    }
}

/// Dot product of two batches of samples along `axes` (`keras.layers.Dot`): `(b, d)·(b, d)` →
/// `(b, 1)`; `(b, n, d)·(b, m, d)` with `axes: [2, 2]` → `(b, n, m)`. With `normalize` the
/// samples are L2-normalized first (cosine similarity).
public final class Dot: Merge, @unchecked Sendable {
    /// A dot product has no steps left to mask (Keras's `Dot.compute_mask`).
    public override func computeMasks(_ inputs: [Tensor], masks: [Tensor?]) -> [Tensor?] { [nil] }

    /// The `axes` this `Dot` was created with.
    public let axes: [Int]
    /// The `normalize` this `Dot` was created with.
    public let normalize: Bool

    /// Creates a `Dot` with Keras's arguments and defaults (the names in Swift case).
    public init(axes: Int, normalize: Bool = false, name: String? = nil, dtype: DType = .float32) {
        self.axes = [axes]
        self.normalize = normalize
        super.init(name: name, dtype: dtype)
    }

    /// Creates a `Dot` with Keras's arguments and defaults (the names in Swift case).
    public init(axes: [Int], normalize: Bool = false, name: String? = nil, dtype: DType = .float32) {
        requireValid { try Self.validate(axes: axes) }
        self.axes = axes
        self.normalize = normalize
        super.init(name: name, dtype: dtype)
    }

    /// `axes` is one axis or a pair.
    static func validate(axes: [Int]) throws {
        try ensure(axes.count == 1 || axes.count == 2, "Dot: Invalid format for argument `axes`: list should contain only 2 elements. Received: axes=\(axes)")
    }

    /// Recreates a layer from ``getConfig()`` (`axes`, `normalize`, `name`, `dtype`).
    ///
    /// ```swift
    /// let dot = try Dot(config: ["axes": [2, 2], "normalize": true])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` unless `axes` is an int or a list of 2 ints.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Dot.self, config: config)
        let base = try r.layerBase()
        let normalize = try r.bool("normalize", default: false)
        guard let (axes, isList) = try r.axes("axes"), isList ? axes.count == 2 : true else {
            throw r.mismatch("axes", "an integer or a list of 2 integers", config["axes"] ?? .null, absent: config["axes"] == nil)
        }
        self.init(axes: axes, normalize: normalize, name: base.name, dtype: base.dtype)
    }

    private func resolvedAxes(_ rankA: Int, _ rankB: Int) -> (Int, Int) {
        let a = axes[0], b = axes.count == 2 ? axes[1] : axes[0]
        return (a < 0 ? a + rankA : a, b < 0 ? b + rankB : b)
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard inputShapes.count == 2, (2...3).contains(inputShapes[0].count), (2...3).contains(inputShapes[1].count) else {
            return .incompatibleInput(layer: name, message: "A `Dot` layer should be called on a list of 2 inputs of rank 2 or 3. Received: input_shape=[\(inputShapes.map(formatShape).joined(separator: ", "))]")
        }
        let (a, b) = resolvedAxes(inputShapes[0].count, inputShapes[1].count)
        guard inputShapes[0].indices.contains(a), inputShapes[1].indices.contains(b) else {
            return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (Dot): axes \(axes) are out of range for input shapes \(formatShape(inputShapes[0])) and \(formatShape(inputShapes[1]))")
        }
        if let x = inputShapes[0][a], let y = inputShapes[1][b], x != y {
            return .incompatibleInput(layer: name, message: "Incompatible input shapes: axis values \(x) (at axis \(a)) != \(y) (at axis \(b)). Full input shapes: \(formatShape(inputShapes[0])), \(formatShape(inputShapes[1]))")
        }
        return nil
    }

    public override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let (a, b) = resolvedAxes(inputShapes[0].count, inputShapes[1].count)
        var x = inputShapes[0], y = inputShapes[1]
        x.remove(at: a)
        y.remove(at: b)
        y.removeFirst()
        let out = x + y
        return [out.count == 1 ? out + [1] : out]
    }

    public override func merge(_ inputs: [Tensor]) -> Tensor {
        require(inputs.count == 2, "A `Dot` layer should be called on exactly 2 inputs, layer \"\(name)\" received \(inputs.count)")
        var x = inputs[0], y = inputs[1]
        let (a, b) = resolvedAxes(x.rank, y.rank)
        if normalize {
            x = x / (x.square().sum(axes: [a], keepDims: true).maximum(1e-12)).sqrt()
            y = y / (y.square().sum(axes: [b], keepDims: true).maximum(1e-12)).sqrt()
        }
        if x.rank == 2 && y.rank == 2 {
            return (x * y).sum(axes: [1], keepDims: true)
        }
        // Batched matmul: move the contracted axis of x last and that of y to position 1.
        let xr = x.rank == 2 ? x.expandingDims(at: 1) : x
        let yr = y.rank == 2 ? y.expandingDims(at: 2) : y
        let ax = x.rank == 2 ? 2 : a, by = y.rank == 2 ? 1 : b
        let xt = ax == 2 ? xr : xr.transposed([0, 2, 1])
        let yt = by == 1 ? yr : yr.transposed([0, 2, 1])
        var out = xt.matmul(yt)
        if x.rank == 2 { out = out.squeezing(axes: [1]) }
        if y.rank == 2 { out = out.squeezing(axes: [-1]) }
        return out.rank == 1 ? out.expandingDims(at: 1) : out
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["axes"] = axes.count == 1 ? .int(axes[0]) : .array(axes.map(ConfigValue.int))
        config["normalize"] = .bool(normalize)
        return config
    }
}
