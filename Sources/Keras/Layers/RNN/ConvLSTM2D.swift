/// 2-D convolutional LSTM (`keras.layers.ConvLSTM2D`) over sequences of
/// `(batch, steps, height, width, channels)` (channels first: channels before the spatial axes). See ConvLSTM
/// for the arguments, weights and outputs.
///
/// ```swift
/// let y = ConvLSTM2D(filters: 4, kernelSize: [3, 3])(Tensor.ones([2, 5, 8, 8, 3]))   // shape (2, 6, 6, 4)
/// ```
public final class ConvLSTM2D: ConvLSTM, @unchecked Sendable {
    override class var spatialRank: Int { 2 }
}
