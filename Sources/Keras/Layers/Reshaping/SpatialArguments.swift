// Argument forms shared by the spatial reshaping layers (ZeroPadding, Cropping, UpSampling):
// Keras accepts an int, one int per spatial axis, or a `(before, after)` pair per axis.

/// `(before, after)` widths for `rank` spatial axes from a config value: an int (every side), a
/// pair for 1D, or per axis an int (both sides) or a pair; `nil` when absent.
func spatialPairs(_ r: inout ObjectConfigReader, _ key: String, rank: Int) throws -> [(Int, Int)]? {
    guard let value = r.present(key) else { return nil }
    let expected = rank == 1
        ? "an integer or a list of 2 non-negative integers"
        : "an integer, a list of \(rank) integers or a list of \(rank) pairs of non-negative integers"
    let pairs: [(Int, Int)]?
    if let k = value.intValue {
        pairs = Array(repeating: (k, k), count: rank)
    } else if let list = value.arrayValue {
        if rank == 1 {
            let ints = list.compactMap(\.intValue)
            pairs = ints.count == 2 && list.count == 2 ? [(ints[0], ints[1])] : nil
        } else if list.count == rank {
            let perAxis: [(Int, Int)?] = list.map { item in
                if let k = item.intValue { return (k, k) }
                guard let pair = item.arrayValue?.compactMap(\.intValue), pair.count == 2, item.arrayValue!.count == 2 else { return nil }
                return (pair[0], pair[1])
            }
            pairs = perAxis.contains { $0 == nil } ? nil : perAxis.map { $0! }
        } else {
            pairs = nil
        }
    } else {
        pairs = nil
    }
    guard let pairs, pairs.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else { throw r.mismatch(key, expected, value) }
    return pairs
}

/// The config form Keras writes: `[a, b]` for 1D, `[[a, b], [c, d], …]` otherwise.
func spatialPairsConfig(_ pairs: [(Int, Int)]) -> ConfigValue {
    let lists = pairs.map { ConfigValue.array([.int($0.0), .int($0.1)]) }
    return pairs.count == 1 ? lists[0] : .array(lists)
}

/// The error for an input whose rank is not `expected` (batch, spatial axes, channels).
func spatialRankError(_ layer: Layer, shape: [Int?], expected: Int) -> KerasError? {
    guard shape.count != expected else { return nil }
    return .incompatibleInput(layer: layer.name, message: "Input 0 of layer \"\(layer.name)\" is incompatible with the layer: expected ndim=\(expected), found ndim=\(shape.count). Full shape received: \(formatShape(shape))")
}

/// The error when one output sample of a layer (every axis after the batch; unknown sizes
/// skipped) would overflow or hold more than ``maxWeightElements`` elements — a hostile config
/// or input shape cannot make the layer allocate without bound. `output` is `nil` when computing
/// the output shape itself overflowed.
func outputSizeError(_ layer: Layer, input: [Int?], output: [Int?]?) -> KerasError? {
    if let output, boundedElementCount(output.dropFirst().compactMap { $0 }) != nil { return nil }
    return .incompatibleInput(layer: layer.name, message: "Layer \"\(layer.name)\" (\(layer.className)): inputs of shape \(formatShape(input)) would give outputs of more than \(maxWeightElements) elements per sample")
}
