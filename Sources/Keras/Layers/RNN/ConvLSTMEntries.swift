/// The convolutional LSTM layers (ConvLSTM1D, ConvLSTM2D, ConvLSTM3D).
let convLSTMLayerEntries: [LayerEntry] = [
    entry(ConvLSTM1D.self) { try ConvLSTM1D(config: $0) },
    entry(ConvLSTM2D.self) { try ConvLSTM2D(config: $0) },
    entry(ConvLSTM3D.self) { try ConvLSTM3D(config: $0) },
]
