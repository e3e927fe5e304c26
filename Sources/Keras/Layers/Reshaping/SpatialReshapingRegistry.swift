/// The padding, cropping and upsampling layers, for ``deserializeLayer(_:)`` and
/// ``makeLayer(className:config:)``.
let spatialReshapingLayerEntries: [LayerEntry] = [
    entry(ZeroPadding1D.self) { try ZeroPadding1D(config: $0) },
    entry(ZeroPadding2D.self) { try ZeroPadding2D(config: $0) },
    entry(ZeroPadding3D.self) { try ZeroPadding3D(config: $0) },
    entry(Cropping1D.self) { try Cropping1D(config: $0) },
    entry(Cropping2D.self) { try Cropping2D(config: $0) },
    entry(Cropping3D.self) { try Cropping3D(config: $0) },
    entry(UpSampling1D.self) { try UpSampling1D(config: $0) },
    entry(UpSampling2D.self) { try UpSampling2D(config: $0) },
    entry(UpSampling3D.self) { try UpSampling3D(config: $0) },
]
