/// The one error type of swift-keras: everything that takes data, files, configs or names from
/// outside the program throws it, whatever the values, and never stops the process.
///
/// Each message names the layer, op or file, what was expected and what was received; layer
/// messages follow Keras's wording so answers found for Python Keras apply.
///
/// ```swift
/// do { try model.setWeights(weights) }
/// catch let error as KerasError { print(error) }
/// // Layer "dense_1" weight shape mismatch: expected (4, 3) for weight 0, received (3, 4)
/// ```
///
/// Misuse of a non-throwing API in code (an op on incompatible shapes, an eager layer call with
/// the wrong shape) stops the program with its message instead, in release builds too; code that
/// handles untrusted input validates first (`Layer.callChecked`, `fit`, `predict`, loaders).
public enum KerasError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A layer received inputs it cannot take (wrong rank, axis size or count).
    case incompatibleInput(layer: String, message: String)
    /// A functional graph whose outputs cannot be computed from its inputs.
    case graphDisconnected(String)
    /// `setWeights` with the wrong number or shapes of arrays.
    case weightsMismatch(layer: String, message: String)
    /// A config (layer, model, optimizer, schedule, JSON) that cannot be turned into an object.
    case invalidConfig(String)
    /// A constructor or method argument out of its range (`units: -3`, an unknown name).
    case invalidArgument(String)
    /// Data handed to `compile`/`fit`/`evaluate`/`predict`, a `Dataset` or a utility that cannot
    /// work: sample counts, shapes, NaN, label ranges, targets that do not match the outputs.
    case invalidData(String)
    /// A file could not be opened or read.
    case unreadableFile(file: String, reason: String)
    /// A file's bytes are not what its format requires (bad gzip stream, wrong magic, short data,
    /// sizes past the limits).
    case corruptFile(file: String, expected: String, got: String)
    /// A file could not be written.
    case unwritableFile(path: String, reason: String)
    /// A component (callback, optimizer, model) cannot do what was asked of it in this setting.
    case unsupported(component: String, reason: String)
    /// `TerminateOnNaN(raiseError: true)` saw a NaN or infinite loss.
    case nonFiniteLoss(batch: Int, loss: Double)

    /// A readable description, as `print` shows it.
    public var description: String {
        switch self {
        case .incompatibleInput(_, let message): message
        case .graphDisconnected(let message): message
        case .weightsMismatch(_, let message): message
        case .invalidConfig(let message): message
        case .invalidArgument(let message): message
        case .invalidData(let message): message
        case let .unreadableFile(file, reason): "cannot read '\(file)': \(reason)"
        case let .corruptFile(file, expected, got): "'\(file)' is corrupt: expected \(expected), got \(got)"
        case let .unwritableFile(path, reason): "cannot write '\(path)': \(reason)"
        case let .unsupported(component, reason): "\(component): \(reason)"
        case let .nonFiniteLoss(batch, loss):
            "NaN or Inf loss encountered at batch \(batch). Loss value: \(PythonFormat.repr(loss)). Terminating training immediately."
        }
    }

    /// Data that does not fit together: `expected …, got …`.
    public static func mismatch(expected: String, got: String) -> KerasError {
        .invalidData("expected \(expected), got \(got)")
    }

    /// Keras's wording for an input that fails a layer's input spec.
    public static func axisMismatch(layer: String, inputIndex: Int, axis: Int, expected: Int, received: [Int?]) -> KerasError {
        .incompatibleInput(layer: layer, message: "Input \(inputIndex) of layer \"\(layer)\" is incompatible with the layer: expected axis \(axis) of input shape to have value \(expected), but received input with shape \(formatShape(received))")
    }
}

