/// Flips images at random in training (`keras.layers.RandomFlip`): each image is flipped with
/// probability ½ — left–right (`.horizontal`), top–bottom (`.vertical`) or both at once
/// (`.horizontalAndVertical`). The identity in inference.
///
/// ```swift
/// let augment = Sequential([RandomFlip(.horizontal, seed: 1), RandomRotation(0.1, seed: 2)])
/// ```
public final class RandomFlip: RandomImageLayer, @unchecked Sendable {
    /// Which flips the layer makes.
    ///
    /// ```swift
    /// RandomFlip(.vertical, seed: 1)
    /// ```
    public enum Mode: String, Sendable, CaseIterable {
        /// Flip left and right.
        case horizontal
        /// Flip up and down.
        case vertical
        /// Both (Keras's default `"horizontal_and_vertical"`).
        case horizontalAndVertical = "horizontal_and_vertical"
    }
    /// The `mode` this `RandomFlip` was created with.
    public let mode: Mode

    /// Creates a `RandomFlip` with Keras's arguments and defaults (the names in Swift case).
    public init(_ mode: Mode = .horizontalAndVertical, seed: Int? = nil, name: String? = nil, dtype: DType = .float32) {
        self.mode = mode
        super.init(seed: seed, name: name, dtype: dtype)
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// - Throws: `KerasError.invalidConfig` for an unknown `mode` or a malformed seed.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: RandomFlip.self, config: config)
        let base = try r.layerBase()
        try r.channelsLast()
        self.init(try r.choice("mode", default: .horizontalAndVertical, allowed: Mode.allCases), seed: try r.seed(),
                  name: base.name, dtype: base.dtype)
    }

    public override func call(_ x: Tensor, training: Bool) -> Tensor {
        let images = floatImages(x)
        guard training else { return images }
        let batch = batchGeometry(images).batch
        let flips = perImage(uniformDraws(batch).map { $0 <= 0.5 ? 1 : 0 }, like: images)
        let (hAxis, wAxis) = imageAxes(rank: images.rank)
        var out = images
        func reversed(_ t: Tensor, axis: Int) -> Tensor {
            let n = t.shape[axis]
            return t.take(Tensor(shape: [n], doubles: (0..<n).reversed().map(Double.init), dtype: .int32), axis: axis)
        }
        if mode != .vertical { out = flips * reversed(out, axis: wAxis) + (1 - flips) * out }
        if mode != .horizontal { out = flips * reversed(out, axis: hAxis) + (1 - flips) * out }
        return out
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] { inputShape }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["seed"] = ConfigValue(seed)
        config["mode"] = .string(mode.rawValue)
        return config
    }
}
