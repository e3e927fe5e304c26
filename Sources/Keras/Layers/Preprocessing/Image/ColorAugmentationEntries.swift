/// The color augmentation layers (grayscale, hue, saturation, color degeneration, color jitter).
let colorAugmentationLayerEntries: [LayerEntry] = [
    entry(RandomGrayscale.self) { try RandomGrayscale(config: $0) },
    entry(RandomHue.self) { try RandomHue(config: $0) },
    entry(RandomSaturation.self) { try RandomSaturation(config: $0) },
    entry(RandomColorDegeneration.self) { try RandomColorDegeneration(config: $0) },
    entry(RandomColorJitter.self) { try RandomColorJitter(config: $0) },
]
