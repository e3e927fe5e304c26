/// The result of `evaluate`, `trainOnBatch` or `testOnBatch`: the loss and metric values in
/// Keras's order (`[loss, *metrics]`), also readable by name.
///
/// ```swift
/// let result = try model.evaluate(xTest, yTest)
/// print(result.loss, result["accuracy"]!)
/// let (loss, accuracy) = (result[0], result[1])
/// ```
public struct Evaluation: RandomAccessCollection, CustomStringConvertible, Sendable {
    /// Names in order: `loss`, then output losses and metrics.
    public let names: [String]
    /// Values aligned with ``names``.
    public let values: [Double]

    init(logs: [String: Double], order: [String]) {
        names = order.filter { logs[$0] != nil }
        values = names.map { logs[$0]! }
    }

    /// The position of the first element (`Collection`).
    public var startIndex: Int { 0 }
    /// The position after the last element (`Collection`).
    public var endIndex: Int { values.count }
    /// The element at `position` (`Collection`).
    public subscript(position: Int) -> Double { values[position] }

    /// The value logged under `name` (`"loss"`, `"accuracy"`, `"out_loss"`, …).
    public subscript(name: String) -> Double? { names.firstIndex(of: name).map { values[$0] } }

    /// The total loss.
    public var loss: Double { values[0] }

    /// Keras's `return_dict=True` form.
    public var dictionary: [String: Double] { Dictionary(uniqueKeysWithValues: zip(names, values)) }

    /// A readable description, as `print` shows it.
    public var description: String {
        zip(names, values).map { "\($0): \($1)" }.joined(separator: ", ")
    }
}
