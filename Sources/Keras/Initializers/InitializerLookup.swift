import KerasCore

/// Builds an initializer from its config dictionary (Keras's `from_config`).
private typealias InitializerFactory = @Sendable (inout ObjectConfigReader) throws -> any Initializer

private func varianceScalingPreset(_ make: @escaping @Sendable (Int?, [Int]?, [Int]?) -> any Initializer) -> InitializerFactory {
    { reader in
        let seed = try reader.seed()
        return make(seed, try reader.axes("input_axes")?.axes, try reader.axes("output_axes")?.axes)
    }
}

/// Class names, their snake_case aliases and Keras's compatibility aliases.
private let initializerFactories: [String: InitializerFactory] = {
    let byClass: [(String, [String], InitializerFactory)] = [
        ("Zeros", ["zeros", "zero"], { _ in Zeros() }),
        ("Ones", ["ones", "one"], { _ in Ones() }),
        ("Constant", ["constant"], { r in Constant(try r.double("value", default: 0)) }),
        ("RandomNormal", ["random_normal", "normal"], { r in
            RandomNormal(mean: try r.double("mean", default: 0), stddev: try r.double("stddev", default: 0.05), seed: try r.seed())
        }),
        ("RandomUniform", ["random_uniform", "uniform"], { r in
            RandomUniform(minval: try r.double("minval", default: -0.05), maxval: try r.double("maxval", default: 0.05),
                          seed: try r.seed())
        }),
        ("TruncatedNormal", ["truncated_normal"], { r in
            TruncatedNormal(mean: try r.double("mean", default: 0), stddev: try r.double("stddev", default: 0.05), seed: try r.seed())
        }),
        ("VarianceScaling", ["variance_scaling"], { r in
            let scale = try r.double("scale", default: 1)
            guard scale > 0 else { throw KerasError.invalidConfig("VarianceScaling: expected \"scale\" to be positive, received \(scale)") }
            let mode = try r.string("mode", default: "fan_in", allowed: ["fan_in", "fan_out", "fan_avg"])
            var distribution = try r.string("distribution", default: "truncated_normal",
                                            allowed: ["truncated_normal", "untruncated_normal", "uniform", "normal"])
            if distribution == "normal" { distribution = "truncated_normal" }
            return VarianceScaling(scale: scale, mode: VarianceScaling.Mode(rawValue: mode)!,
                                   distribution: VarianceScaling.Distribution(rawValue: distribution)!,
                                   seed: try r.seed(), inputAxes: try r.axes("input_axes")?.axes,
                                   outputAxes: try r.axes("output_axes")?.axes)
        }),
        ("GlorotUniform", ["glorot_uniform"], varianceScalingPreset { GlorotUniform(seed: $0, inputAxes: $1, outputAxes: $2) }),
        ("GlorotNormal", ["glorot_normal"], varianceScalingPreset { GlorotNormal(seed: $0, inputAxes: $1, outputAxes: $2) }),
        ("HeUniform", ["he_uniform"], varianceScalingPreset { HeUniform(seed: $0, inputAxes: $1, outputAxes: $2) }),
        ("HeNormal", ["he_normal"], varianceScalingPreset { HeNormal(seed: $0, inputAxes: $1, outputAxes: $2) }),
        ("LecunUniform", ["lecun_uniform"], varianceScalingPreset { LecunUniform(seed: $0, inputAxes: $1, outputAxes: $2) }),
        ("LecunNormal", ["lecun_normal"], varianceScalingPreset { LecunNormal(seed: $0, inputAxes: $1, outputAxes: $2) }),
        ("Orthogonal", ["orthogonal", "OrthogonalInitializer"], { r in
            Orthogonal(gain: try r.double("gain", default: 1), seed: try r.seed())
        }),
        ("Identity", ["identity", "IdentityInitializer"], { r in IdentityInitializer(gain: try r.double("gain", default: 1)) }),
    ]
    var table: [String: InitializerFactory] = [:]
    for (name, aliases, factory) in byClass {
        for key in [name] + aliases { table[key] = factory }
    }
    return table
}()

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

private let initializerTable = ObjectFactoryTable<any Initializer>(kind: "initializer", factories: initializerFactories)
