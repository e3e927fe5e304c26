/// One step of a recurrence: the base of the cells the ``RNN`` layer runs over time
/// (Keras's cell contract: `state_size`, `output_size`, `call(inputs, states)`).
///
/// Write your own cell by subclassing it: give ``stateSize``, create weights in
/// `build(inputShape:)` (the input shape of one step, `(batch, features)`) and compute one step
/// in ``call(_:states:training:)``.
///
/// ```swift
/// final class MinimalRNNCell: RNNCell, @unchecked Sendable {
///     let units: Int
///     var kernel: Variable!, recurrentKernel: Variable!
///     init(_ units: Int) { self.units = units; super.init() }
///     override var stateSize: [Int] { [units] }
///     override func build(inputShape: [Int?]) {
///         kernel = addWeight(name: "kernel", shape: [inputShape.last!!, units])
///         recurrentKernel = addWeight(name: "recurrent_kernel", shape: [units, units])
///     }
///     override func call(_ x: Tensor, states: [Tensor], training: Bool) -> (output: Tensor, states: [Tensor]) {
///         let h = x.matmul(kernel.value) + states[0].matmul(recurrentKernel.value)
///         return (h, [h])
///     }
/// }
/// let y = RNN(MinimalRNNCell(32))(Tensor.ones([4, 10, 5]))   // shape (4, 32)
/// ```
open class RNNCell: Layer, @unchecked Sendable {
    /// The size of each state tensor (`(batch, size)` each): `[units]`, or `[units, units]` for an LSTM.
    open var stateSize: [Int] { fatalError("RNN cell \"\(name)\" (\(className)) must override stateSize") }

    /// The size of the step output; the first state's size unless overridden.
    open var outputSize: Int { stateSize[0] }

    /// The shape of each state of one sample (no batch axis) for steps of shape `stepShape`
    /// `(batch, features…)`: `[size]` per state, unless a cell's states have more axes
    /// (``ConvLSTMCell``'s are feature maps). `nil` marks a size not known yet.
    open func stateShapes(stepShape: [Int?]) -> [[Int?]] { stateSize.map { [$0] } }

    /// The shape of one sample's step output (no batch axis) for steps of shape `stepShape`:
    /// `[outputSize]`, unless a cell's outputs have more axes.
    open func outputShape(stepShape: [Int?]) -> [Int?] { [outputSize] }

    /// One step: the output and the new states for step input `inputs` `(batch, features)` and
    /// the previous `states`.
    open func call(_ inputs: Tensor, states: [Tensor], training: Bool) -> (output: Tensor, states: [Tensor]) {
        fatalError("RNN cell \"\(name)\" (\(className)) must override call(_:states:training:)")
    }

    /// The states before the first step: zeros of `(batchSize, size)` for each state.
    open func initialStates(batchSize: Int) -> [Tensor] {
        stateSize.map { Tensor.zeros([batchSize, $0], dtype: dtype) }
    }

    /// A cell called as a layer takes `[input] + states` and returns `[output] + newStates`.
    open override func call(_ inputs: [Tensor], training: Bool) -> [Tensor] {
        require(inputs.count == 1 + stateSize.count,
                "RNN cell \"\(name)\" expects its input and \(stateSize.count) state tensor(s), received \(inputs.count) tensors")
        let (output, states) = call(inputs[0], states: Array(inputs.dropFirst()), training: training)
        return [output] + states
    }

    open override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        call(inputs, states: initialStates(batchSize: inputs.shape[0]), training: training).output
    }

    /// A cell is built for the shape of one step's input, the first of the shapes it is called with.
    open override func build(inputShapes: [[Int?]]) {
        if let first = inputShapes.first { build(inputShape: first) }
    }

    open override func computeOutputShapes(_ inputShapes: [[Int?]]) -> [[Int?]] {
        let batch = inputShapes.first?.first ?? nil
        return [[batch, outputSize]] + (inputShapes.count > 1 ? stateSize.map { [batch, $0] } : [])
    }
}
