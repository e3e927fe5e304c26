/// 3-D convolutional LSTM (`keras.layers.ConvLSTM3D`) over sequences of
/// `(batch, steps, depth, height, width, channels)` (channels first: channels before the spatial axes). See ConvLSTM
/// for the arguments, weights and outputs.
///
/// ```swift
/// let y = ConvLSTM3D(filters: 2, kernelSize: [3], padding: .same)(Tensor.ones([1, 4, 6, 6, 6, 1]))   // shape (1, 6, 6, 6, 2)
/// ```
public final class ConvLSTM3D: ConvLSTM, @unchecked Sendable {
    override class var spatialRank: Int { 3 }
}
