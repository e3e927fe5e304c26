/// Errors `compile`, `fit`, `evaluate` and `predict` throw before touching the model when the
/// data or the configuration cannot work. Each message names what was expected and what came.
///
/// ```swift
/// do { try model.fit(x, y) }
/// catch let error as TrainingError { print(error) }
/// // fit: x has 100 samples but y has 90; every input, target and sample weight needs the same count
/// ```
public struct TrainingError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
