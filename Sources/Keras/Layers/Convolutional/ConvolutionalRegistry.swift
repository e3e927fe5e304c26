/// The convolution layers, with Keras's `Convolution*` aliases.
let convolutionalLayerEntries: [LayerEntry] = [
    entry(Conv1D.self, aliases: ["Convolution1D"]) { try Conv1D(config: $0) },
    entry(Conv2D.self, aliases: ["Convolution2D"]) { try Conv2D(config: $0) },
    entry(Conv3D.self, aliases: ["Convolution3D"]) { try Conv3D(config: $0) },
    entry(Conv1DTranspose.self, aliases: ["Convolution1DTranspose"]) { try Conv1DTranspose(config: $0) },
    entry(Conv2DTranspose.self, aliases: ["Convolution2DTranspose"]) { try Conv2DTranspose(config: $0) },
    entry(Conv3DTranspose.self, aliases: ["Convolution3DTranspose"]) { try Conv3DTranspose(config: $0) },
    entry(DepthwiseConv1D.self) { try DepthwiseConv1D(config: $0) },
    entry(DepthwiseConv2D.self) { try DepthwiseConv2D(config: $0) },
    entry(SeparableConv1D.self, aliases: ["SeparableConvolution1D"]) { try SeparableConv1D(config: $0) },
    entry(SeparableConv2D.self, aliases: ["SeparableConvolution2D"]) { try SeparableConv2D(config: $0) },
]
