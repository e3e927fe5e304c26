/// The audio preprocessing layers (STFTSpectrogram, MelSpectrogram).
let audioPreprocessingLayerEntries: [LayerEntry] = [
    entry(STFTSpectrogram.self) { try STFTSpectrogram(config: $0) },
    entry(MelSpectrogram.self) { try MelSpectrogram(config: $0) },
]
