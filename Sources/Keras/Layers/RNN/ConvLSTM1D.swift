/// 1-D convolutional LSTM (`keras.layers.ConvLSTM1D`) over sequences of
/// `(batch, steps, length, channels)` (channels first: channels before the spatial axes). See ConvLSTM
/// for the arguments, weights and outputs.
///
/// ```swift
/// let y = ConvLSTM1D(filters: 4, kernelSize: [3], padding: .same)(Tensor.ones([2, 5, 10, 3]))   // shape (2, 10, 4)
/// ```
public final class ConvLSTM1D: ConvLSTM, @unchecked Sendable {
    override class var spatialRank: Int { 1 }
}
