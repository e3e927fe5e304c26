import KerasCore

/// Hashes strings or integers into `numBins` bins (`keras.layers.Hashing`), as TensorFlow's
/// `to_hash_bucket_fast` (FarmHash Fingerprint64) or, with a `salt`, `to_hash_bucket_strong`
/// (SipHash-2-4). Integers are hashed as their decimal text and floats are first truncated to
/// integers, as in Keras. With a `maskValue`, that value goes to bin 0 and the others to `1..<numBins`.
///
/// ```swift
/// let hashing = Hashing(numBins: 3)
/// let bins = hashing(["A", "B", "C"])                       // int64 (3,)
/// let onehot = Hashing(numBins: 4, outputMode: .oneHot)(Tensor([[1], [2]]).cast(to: .int64))   // (2, 4)
/// ```
///
/// Strings come in as `[String]` or `[[String]]` (tensors hold numbers only); numeric tensors
/// go through the ordinary layer call, so the layer also works inside a model.
public final class Hashing: Layer, @unchecked Sendable {
    public override class var isStatelessInInference: Bool { true }

    /// The value mapped to bin 0 (Keras's `mask_value`): a string for string inputs, an integer
    /// for numeric inputs.
    public enum MaskValue: Sendable, Equatable {
        /// A string mask value, for string inputs.
        case string(String)
        /// An integer mask value, for numeric inputs (a float input matches it only when equal, before truncation).
        case integer(Int)
    }

    /// The number of bins, the mask bin included (Keras's `num_bins`).
    public let numBins: Int
    /// The value sent to bin 0 (`nil`: none; every value goes to `0..<numBins`).
    public let maskValue: MaskValue?
    /// The SipHash key (two integers; `nil`: FarmHash).
    public let salt: [Int]?
    /// `.int` (the default), `.oneHot`, `.multiHot` or `.count`.
    public let outputMode: LookupOutputMode

    /// Creates a hashing layer (`keras.layers.Hashing`).
    ///
    /// - Parameters:
    ///   - numBins: The number of bins, the mask bin included; positive (Keras's `num_bins`).
    ///   - maskValue: The value sent to bin 0, the others going to `1..<numBins` (`nil`: no mask bin).
    ///   - salt: Two integers keying SipHash-2-4 (`to_hash_bucket_strong`); `nil` hashes with FarmHash.
    ///   - outputMode: `.int` (bin indices, int64, the default), `.oneHot`, `.multiHot` or `.count`; not `.tfIdf`.
    ///   - name: The layer's name (`nil`: a generated one).
    ///   - dtype: The output dtype (`nil`: int64 in `.int` mode, float32 otherwise); an integer type in `.int` mode.
    /// - Precondition: the arguments are valid as Keras checks them (the program stops with Keras's message otherwise).
    public init(numBins: Int, maskValue: MaskValue? = nil, salt: [Int]? = nil, outputMode: LookupOutputMode = .int,
                name: String? = nil, dtype: DType? = nil) {
        requireValid { try Self.validate(numBins: numBins, salt: salt, outputMode: outputMode, dtype: dtype) }
        self.numBins = numBins
        self.maskValue = maskValue
        self.salt = HashSalt.normalized(salt)
        self.outputMode = outputMode
        super.init(name: name, dtype: dtype ?? (outputMode == .int ? .int64 : .float32))
    }

    static func validate(numBins: Int, salt: [Int]?, outputMode: LookupOutputMode, dtype: DType?) throws {
        try ensure(numBins > 0, "Hashing: The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: num_bins=\(numBins).")
        // Outside `int` mode each bin is a column of every output sample.
        if outputMode != .int { try ensureBoundedSizes([numBins], layer: "Hashing", argument: "num_bins") }
        try ensure(outputMode != .tfIdf, "Hashing: Invalid value for argument `output_mode`. Expected one of (\"int\", \"one_hot\", \"multi_hot\", \"count\"). Received: output_mode=tf_idf")
        if outputMode == .int, let dtype {
            try ensure(dtype.isInteger, "Hashing: When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'int64'. Received: dtype=\(dtype)")
        }
        try HashSalt.validate(salt, layer: "Hashing")
    }

    /// Recreates a layer from ``getConfig()`` (or a Keras `get_config()` dictionary).
    ///
    /// ```swift
    /// let layer = try Hashing(config: ["num_bins": 8, "salt": [1, 2]])
    /// ```
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: Hashing.self, config: config)
        let base = try r.layerBase()
        let dtype: DType? = config["dtype"].map { $0.isNull ? nil : base.dtype } ?? nil
        guard let numBins = try r.optionalInt("num_bins") else {
            throw KerasError.invalidConfig("Hashing: The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: num_bins=None.")
        }
        let mask: MaskValue? = try r.nested("mask_value") { value in
            guard let value, !value.isNull else { return nil }
            if let s = value.stringValue { return .string(s) }
            if let i = value.intValue { return .integer(i) }
            throw KerasError.invalidConfig("expected a string, an integer or null, received \(value)")
        }
        let salt = try r.nested("salt", HashSalt.read)
        let mode = try r.nested("output_mode") { try LookupOutputMode.fromConfig($0, allowed: [.int, .oneHot, .multiHot, .count]) }
        if try r.bool("sparse", default: false) { throw r.mismatch("sparse", "false (sparse outputs are not supported)", .bool(true)) }
        try r.validated { try Hashing.validate(numBins: numBins, salt: salt, outputMode: mode, dtype: dtype) }
        self.init(numBins: numBins, maskValue: mask, salt: salt, outputMode: mode, name: base.name, dtype: dtype)
    }

    private var key: (UInt64, UInt64)? { HashSalt.key(salt) }

    /// The bin of one value's text; `isMasked`: the value equals ``maskValue``.
    private func bin(_ text: String, isMasked: Bool) -> Int {
        guard maskValue != nil, numBins > 1 else { return StringHashing.bucket(of: text, buckets: numBins, salt: key) }
        return isMasked ? 0 : 1 + StringHashing.bucket(of: text, buckets: numBins - 1, salt: key)
    }

    private func bins(of strings: [String]) -> [Int] {
        let mask: String? = if case .string(let s)? = maskValue { s } else { nil }
        return strings.map { bin($0, isMasked: $0 == mask) }
    }

    /// Hashes one string per sample: `(batch,)` bins, or in the other modes as Keras encodes them.
    ///
    /// ```swift
    /// let bins = Hashing(numBins: 10)(["cat", "dog"])
    /// ```
    public func callAsFunction(_ strings: [String]) -> Tensor { encode(bins(of: strings), shape: [strings.count]) }

    /// Hashes a `(batch, tokens)` grid of strings (all rows of one length).
    ///
    /// ```swift
    /// let counts = Hashing(numBins: 4, outputMode: .count)([["a", "b"], ["a", "a"]])
    /// ```
    public func callAsFunction(_ rows: [[String]]) -> Tensor {
        let width = rows.first?.count ?? 0
        require(rows.allSatisfy { $0.count == width }, "Hashing \"\(name)\": rows must all have the same length, received lengths \(rows.map(\.count))")
        return encode(bins(of: rows.flatMap { $0 }), shape: [rows.count, width])
    }

    /// Hashes a numeric tensor (floats are truncated to integers first).
    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        if let problem = validateInputData(inputs) { fatalError(problem.description) }
        let raw = inputs.cast(to: .float64).toArray(of: Double.self)
        let mask: Double? = if case .integer(let i)? = maskValue { Double(i) } else { nil }
        let ints = inputs.dtype.isInteger ? inputs.cast(to: .int64).toArray(of: Int64.self) : raw.map { Int64($0) }
        let ids = zip(raw, ints).map { value, i in bin(String(i), isMasked: value == mask) }
        return encode(ids, shape: inputs.shape)
    }

    /// Numeric inputs must be finite: NaN or infinite values give a `KerasError.invalidData` naming the layer.
    public override func validateInputData(_ data: Tensor) -> KerasError? {
        guard !data.dtype.isInteger else { return nil }
        guard data.dtype.isFloatingPoint else { return .invalidData("Hashing \"\(name)\": inputs must be numbers or strings, received a \(data.dtype) tensor") }
        if let bad = data.cast(to: .float64).toArray(of: Double.self).first(where: { !$0.isFinite || abs($0) >= 9.2e18 }) {
            return .invalidData("Hashing \"\(name)\": float inputs are truncated to int64 before hashing and must be finite and in the int64 range, received \(bad)")
        }
        return nil
    }

    private func encode(_ ids: [Int], shape: [Int]) -> Tensor {
        if outputMode == .int { return Tensor(shape: shape, doubles: ids.map(Double.init), dtype: dtype) }
        do {
            return try CategoricalEncoder.encode(ids, shape: shape, mode: outputMode, depth: numBins, weights: nil,
                                                 layer: "Hashing \"\(name)\"").cast(to: dtype)
        } catch {
            fatalError("\(error)")
        }
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        if outputMode == .int { return inputShape }
        if outputMode == .oneHot && inputShape.count > 1 && inputShape.last == 1 { return Array(inputShape.dropLast()) + [numBins] }
        if outputMode == .oneHot { return inputShape + [numBins] }
        return Array(inputShape.dropLast()) + [numBins]
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first, outputMode == .multiHot || outputMode == .count, shape.count > 2 else { return nil }
        return .incompatibleInput(layer: name, message: "Layer \"\(name)\": \(outputMode.rawValue) encoding takes inputs of rank 1 or 2, received shape \(formatShape(shape))")
    }

    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["num_bins"] = .int(numBins)
        config["salt"] = HashSalt.configValue(salt)
        switch maskValue {
        case .string(let s)?: config["mask_value"] = .string(s)
        case .integer(let i)?: config["mask_value"] = .int(i)
        case nil: config["mask_value"] = .null
        }
        config["output_mode"] = .string(outputMode.rawValue)
        config["sparse"] = .bool(false)
        return config
    }
}
