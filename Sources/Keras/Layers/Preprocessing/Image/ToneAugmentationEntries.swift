/// The tone and histogram layers (invert, posterization, solarization, sharpness, auto-contrast, equalization, CLAHE).
let toneAugmentationLayerEntries: [LayerEntry] = [
    entry(RandomInvert.self) { try RandomInvert(config: $0) },
    entry(RandomPosterization.self) { try RandomPosterization(config: $0) },
    entry(Solarization.self) { try Solarization(config: $0) },
    entry(RandomSharpness.self) { try RandomSharpness(config: $0) },
    entry(AutoContrast.self) { try AutoContrast(config: $0) },
    entry(Equalization.self) { try Equalization(config: $0) },
    entry(ContrastLimitedAdaptiveHistogramEqualization.self) { try ContrastLimitedAdaptiveHistogramEqualization(config: $0) },
]
