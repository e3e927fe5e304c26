import KerasCore

/// The table entry of a `VarianceScaling` preset (`GlorotUniform`, …): a seed and optional fan axes.
private func varianceScalingPreset<Kind: VarianceScalingPresetKind>(_ kind: Kind.Type, _ alias: String)
    -> (String, [String], ObjectFactoryTable<any Initializer>.Factory) {
    (Kind.className, [alias], { reader in
        VarianceScalingPreset<Kind>(seed: try reader.seed(), inputAxes: try reader.axes("input_axes")?.axes,
                                    outputAxes: try reader.axes("output_axes")?.axes)
    })
}

/// Class names, their snake_case aliases and Keras's compatibility aliases.
private let initializerTable = ObjectFactoryTable<any Initializer>(kind: "initializer", entries: [
    (Zeros.className, ["zeros", "zero"], { _ in Zeros() }),
    (Ones.className, ["ones", "one"], { _ in Ones() }),
    (Constant.className, ["constant"], { r in Constant(try r.double("value", default: 0)) }),
    (RandomNormal.className, ["random_normal", "normal"], { r in
        RandomNormal(mean: try r.double("mean", default: 0), stddev: try r.double("stddev", default: 0.05), seed: try r.seed())
    }),
    (RandomUniform.className, ["random_uniform", "uniform"], { r in
        RandomUniform(minval: try r.double("minval", default: -0.05), maxval: try r.double("maxval", default: 0.05),
                      seed: try r.seed())
    }),
    (TruncatedNormal.className, ["truncated_normal"], { r in
        TruncatedNormal(mean: try r.double("mean", default: 0), stddev: try r.double("stddev", default: 0.05), seed: try r.seed())
    }),
    (VarianceScaling.className, ["variance_scaling"], { r in
        let scale = try r.double("scale", default: 1)
        try r.validated { try VarianceScaling.validate(scale: scale) }
        let mode = try r.string("mode", default: "fan_in", allowed: ["fan_in", "fan_out", "fan_avg"])
        var distribution = try r.string("distribution", default: "truncated_normal",
                                        allowed: ["truncated_normal", "untruncated_normal", "uniform", "normal"])
        if distribution == "normal" { distribution = "truncated_normal" }
        return VarianceScaling(scale: scale, mode: VarianceScaling.Mode(rawValue: mode)!,
                               distribution: VarianceScaling.Distribution(rawValue: distribution)!,
                               seed: try r.seed(), inputAxes: try r.axes("input_axes")?.axes,
                               outputAxes: try r.axes("output_axes")?.axes)
    }),
    varianceScalingPreset(GlorotUniformPreset.self, "glorot_uniform"),
    varianceScalingPreset(GlorotNormalPreset.self, "glorot_normal"),
    varianceScalingPreset(HeUniformPreset.self, "he_uniform"),
    varianceScalingPreset(HeNormalPreset.self, "he_normal"),
    varianceScalingPreset(LecunUniformPreset.self, "lecun_uniform"),
    varianceScalingPreset(LecunNormalPreset.self, "lecun_normal"),
    (Orthogonal.className, ["orthogonal", "OrthogonalInitializer"], { r in
        Orthogonal(gain: try r.double("gain", default: 1), seed: try r.seed())
    }),
    (IdentityInitializer.className, ["identity", "IdentityInitializer"], { r in IdentityInitializer(gain: try r.double("gain", default: 1)) }),
])

/// The initializer Keras's string identifier names, with default arguments
/// (`keras.initializers.get("glorot_uniform")`); `nil` for unknown names. Accepts class names
/// (`"GlorotUniform"`) and their aliases (`"glorot_uniform"`, `"normal"`, `"zero"`, …).
///
/// ```swift
/// let w = initializer(named: "he_normal")!([3, 3, 1, 32], dtype: .float32)
/// ```
public func initializer(named name: String) -> (any Initializer)? {
    initializerTable.make(named: name)
}

/// An initializer from a layer config value: a string name, or Keras's serialized object
/// `{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, …}}`.
///
/// ```swift
/// let initializer = try deserializeInitializer(GlorotUniform(seed: 3).serialize())
/// ```
///
/// - Throws: `KerasError` naming an unknown class, an unexpected config key or a bad value.
public func deserializeInitializer(_ value: ConfigValue) throws -> any Initializer {
    try initializerTable.deserialize(value)
}
