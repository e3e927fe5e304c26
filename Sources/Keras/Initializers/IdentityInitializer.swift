import KerasCore

/// `gain` times the identity matrix (`keras.initializers.Identity`); 2-D shapes only, non-square
/// shapes get ones on the main diagonal.
///
/// ```swift
/// IdentityInitializer(gain: 2)([2, 3], dtype: .float32)   // [[2, 0, 0], [0, 2, 0]]
/// ```
///
/// Keras's own `get_config()` for Identity returns `{}` and so loses `gain`; this one stores
/// `{"gain": …}`, which Keras's `Identity.from_config` also accepts.
public struct IdentityInitializer: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Identity"
    /// The `gain` this `IdentityInitializer` was created with.
    public let gain: Double

    /// Creates an `IdentityInitializer` with Keras's arguments and defaults (the names in Swift case).
    public init(gain: Double = 1) { self.gain = gain }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        if let problem = problem(forShape: shape, dtype: dtype) { fatalError(problem) }
        return .eye(shape[0], shape[1], dtype: dtype) * gain
    }

    /// Keras's check: 2-D shapes only.
    public func problem(forShape shape: [Int], dtype: DType) -> String? {
        shape.count == 2 ? nil
            : "Identity matrix initializer can only be used for 2D matrices. Received: shape=\(formatShape(shape)) of rank \(shape.count)."
    }

    /// The Keras config of this `IdentityInitializer` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["gain": .double(gain)] }
}
