import Foundation
import KerasCore
import Synchronization

/// Converts raw audio signals to mel spectrograms (`keras.layers.MelSpectrogram`).
///
/// The signal is padded by reflection with `fftLength/2` samples on each side, cut into frames
/// of `sequenceLength` samples every `sequenceStride` samples, windowed and transformed
/// (`keras.ops.stft` with `center=True`); the magnitude raised to `magExp` is mapped onto
/// `numMelBins` triangular mel filters between `minFreq` and `maxFreq` (HTK mel scale). With
/// `powerToDb` the result is `10·log10(max(S, minPower)) − 10·log10(max(|refPower|, minPower))`,
/// clipped below at its maximum (over the whole batch, as Keras computes it) minus `topDb`.
///
/// Inputs are `(samples,)` or `(batch, samples)` with more than `fftLength/2` samples; outputs
/// are `(numMelBins, frames)` or `(batch, numMelBins, frames)` with
/// `frames = (samples + 2·(fftLength/2) − fftLength) / sequenceStride + 1`. The layer has no
/// weights.
///
/// ```swift
/// let layer = MelSpectrogram(fftLength: 2048, sequenceStride: 256, samplingRate: 8000, numMelBins: 64)
/// let mel = layer(Tensor.zeros([2, 16000]))   // shape (2, 64, 63)
/// ```
public final class MelSpectrogram: Layer, @unchecked Sendable {
    /// Its call only reads cached constants (under a lock), so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }

    /// The FFT size (samples per transformed frame).
    public let fftLength: Int
    /// The samples between frames.
    public let sequenceStride: Int
    /// The window length (`fftLength` unless given).
    public let sequenceLength: Int
    /// `.hann`, `.hamming` (periodic, as `keras.ops.stft` makes them) or `nil` (none).
    public let window: SpectrogramWindow?
    /// The sample rate of the input, in Hz.
    public let samplingRate: Int
    /// The number of mel filters.
    public let numMelBins: Int
    /// The lower edge of the lowest mel filter, in Hz.
    public let minFreq: Double
    /// The upper edge of the highest mel filter, in Hz (`samplingRate / 2` unless given).
    public let maxFreq: Double
    /// Whether the output is in decibels.
    public let powerToDb: Bool
    /// The dynamic range kept in decibels below the maximum.
    public let topDb: Double
    /// The exponent of the magnitude (1: magnitude, 2: power).
    public let magExp: Double
    /// The floor of the power and of `refPower` before the logarithm.
    public let minPower: Double
    /// The reference power for decibels.
    public let refPower: Double

    /// The DFT kernel and the mel matrix, made on first use.
    private let constants = Mutex<(kernel: Tensor, mel: Tensor)?>(nil)

    /// Creates a mel spectrogram layer with Keras's defaults.
    ///
    /// ```swift
    /// let layer = MelSpectrogram(fftLength: 512, sequenceStride: 128, numMelBins: 40, powerToDb: false)
    /// ```
    ///
    /// - Parameters:
    ///   - fftLength: The FFT size (positive; default 2048).
    ///   - sequenceStride: The samples between frames (positive; default 512).
    ///   - sequenceLength: The window length, `1...fftLength` (`nil`: `fftLength`).
    ///   - window: `.hann` (default), `.hamming` or `nil` (no window).
    ///   - samplingRate: The sample rate in Hz (positive; default 16000).
    ///   - numMelBins: The number of mel filters (positive; default 128).
    ///   - minFreq: The lowest filter edge in Hz (finite, ≥ 0; default 20).
    ///   - maxFreq: The highest filter edge in Hz, above `minFreq` (`nil`: `samplingRate / 2`).
    ///   - powerToDb: Whether to convert to decibels (default `true`).
    ///   - topDb: The decibel range kept (finite, ≥ 0; default 80).
    ///   - magExp: The magnitude exponent (finite, positive; default 2).
    ///   - minPower: The power floor (finite, positive; default 1e-10).
    ///   - refPower: The reference power (finite; default 1).
    ///   - name: The layer's name (`nil`: a generated one).
    ///   - trainable: Keras's `trainable` flag (the layer has no weights; kept for the config).
    ///   - dtype: The dtype of the computation (float32 or float64).
    /// - Precondition: the arguments are valid (the program stops with the message otherwise;
    ///   ``init(config:)`` throws instead).
    public init(fftLength: Int = 2048, sequenceStride: Int = 512, sequenceLength: Int? = nil,
                window: SpectrogramWindow? = .hann, samplingRate: Int = 16000, numMelBins: Int = 128,
                minFreq: Double = 20, maxFreq: Double? = nil, powerToDb: Bool = true, topDb: Double = 80,
                magExp: Double = 2, minPower: Double = 1e-10, refPower: Double = 1,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        let resolvedMax = maxFreq ?? Double(samplingRate / 2)
        requireValid {
            try Self.validate(fftLength: fftLength, sequenceStride: sequenceStride, sequenceLength: sequenceLength ?? fftLength,
                              window: window, samplingRate: samplingRate, numMelBins: numMelBins, minFreq: minFreq,
                              maxFreq: resolvedMax, topDb: topDb, magExp: magExp, minPower: minPower, refPower: refPower, dtype: dtype)
        }
        self.fftLength = fftLength
        self.sequenceStride = sequenceStride
        self.sequenceLength = sequenceLength ?? fftLength
        self.window = window
        self.samplingRate = samplingRate
        self.numMelBins = numMelBins
        self.minFreq = minFreq
        self.maxFreq = resolvedMax
        self.powerToDb = powerToDb
        self.topDb = topDb
        self.magExp = magExp
        self.minPower = minPower
        self.refPower = refPower
        super.init(name: name, trainable: trainable, dtype: dtype)
    }

    /// Keras's checks (`fft_length ≥ sequence_length`, a window of `"hann"`, `"hamming"` or none)
    /// plus ours: positive and bounded sizes, frequencies with `0 ≤ minFreq < maxFreq`, finite
    /// numbers, a positive exponent and power floor, a non-negative `topDb`, a float dtype.
    static func validate(fftLength: Int, sequenceStride: Int, sequenceLength: Int, window: SpectrogramWindow?,
                         samplingRate: Int, numMelBins: Int, minFreq: Double, maxFreq: Double, topDb: Double,
                         magExp: Double, minPower: Double, refPower: Double, dtype: DType) throws {
        let layer = "MelSpectrogram"
        for (key, value) in [("fft_length", fftLength), ("sequence_stride", sequenceStride), ("sequence_length", sequenceLength),
                             ("sampling_rate", samplingRate), ("num_mel_bins", numMelBins)] {
            try ensure(value >= 1, "\(layer): `\(key)` must be a positive integer. Received: \(key)=\(value)")
            try ensureBoundedSizes([value], layer: layer, argument: key)
        }
        try ensure(fftLength >= sequenceLength,
                   "\(layer): `fft_length` must be greater than or equal to `sequence_length`. Received: `sequence_length`=\(sequenceLength), `fft_length`=\(fftLength).")
        try ensure(boundedElementCount([fftLength, fftLength / 2 + 1, 2]) != nil && boundedElementCount([fftLength / 2 + 1, numMelBins]) != nil,
                   "\(layer): the transform of fft_length=\(fftLength) into num_mel_bins=\(numMelBins) would need matrices of more than \(maxWeightElements) elements")
        switch window {
        case nil, .function(.hann)?, .function(.hamming)?: break
        case .function(let f)?:
            throw KerasError.invalidArgument("\(layer): If a string is passed to `window`, it must be one of `\"hann\"`, `\"hamming\"`. Received: window=\(f.rawValue)")
        case .custom?:
            throw KerasError.invalidArgument("\(layer): `window` must be \"hann\", \"hamming\" or None; explicit window values cannot be saved in its config")
        }
        try ensure(minFreq.isFinite && minFreq >= 0, "\(layer): `min_freq` must be a finite number ≥ 0. Received: min_freq=\(minFreq)")
        try ensure(maxFreq.isFinite && maxFreq > minFreq,
                   "\(layer): `max_freq` must be a finite number greater than `min_freq`. Received: min_freq=\(minFreq), max_freq=\(maxFreq)")
        try ensure(topDb.isFinite && topDb >= 0, "\(layer): `top_db` must be a finite number ≥ 0. Received: top_db=\(topDb)")
        try ensure(magExp.isFinite && magExp > 0, "\(layer): `mag_exp` must be a finite positive number. Received: mag_exp=\(magExp)")
        try ensure(minPower.isFinite && minPower > 0, "\(layer): `min_power` must be a finite positive number. Received: min_power=\(minPower)")
        try ensure(refPower.isFinite, "\(layer): `ref_power` must be a finite number. Received: ref_power=\(refPower)")
        try ensure(dtype.isFloatingPoint, "\(layer): expected a float dtype (float32 or float64). Received dtype=\(dtype.rawValue)")
    }

    /// Recreates a layer from ``getConfig()`` or a Keras `get_config()` dictionary.
    ///
    /// ```swift
    /// let layer = try MelSpectrogram(config: ["fft_length": 512, "sequence_stride": 128, "num_mel_bins": 40])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range value.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: MelSpectrogram.self, config: config)
        let base = try r.layerBase()
        let fftLength = try r.int("fft_length", default: 2048)
        let sequenceStride = try r.int("sequence_stride", default: 512)
        let sequenceLength = try r.optionalInt("sequence_length")
        let window = try SpectrogramWindow.read(&r, "window", default: .hann)
        if case .custom? = window { throw r.mismatch("window", "\"hann\", \"hamming\" or null", r.config["window"]!) }
        let samplingRate = try r.int("sampling_rate", default: 16000)
        let numMelBins = try r.int("num_mel_bins", default: 128)
        let minFreq = try r.double("min_freq", default: 20)
        let maxFreq = try r.optionalDouble("max_freq")
        let powerToDb = try r.bool("power_to_db", default: true)
        let topDb = try r.double("top_db", default: 80)
        let magExp = try r.double("mag_exp", default: 2)
        let minPower = try r.double("min_power", default: 1e-10)
        let refPower = try r.double("ref_power", default: 1)
        try r.validated {
            try Self.validate(fftLength: fftLength, sequenceStride: sequenceStride, sequenceLength: sequenceLength ?? fftLength,
                              window: window, samplingRate: samplingRate, numMelBins: numMelBins, minFreq: minFreq,
                              maxFreq: maxFreq ?? Double(samplingRate / 2), topDb: topDb, magExp: magExp, minPower: minPower,
                              refPower: refPower, dtype: base.dtype)
        }
        self.init(fftLength: fftLength, sequenceStride: sequenceStride, sequenceLength: sequenceLength, window: window,
                  samplingRate: samplingRate, numMelBins: numMelBins, minFreq: minFreq, maxFreq: maxFreq, powerToDb: powerToDb,
                  topDb: topDb, magExp: magExp, minPower: minPower, refPower: refPower,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    // MARK: Layer contract

    /// The frames for `n` samples.
    public func frames(_ n: Int) -> Int { (n + 2 * (fftLength / 2) - fftLength) / sequenceStride + 1 }

    private func shapeProblem(_ shape: [Int?]) -> String? {
        guard shape.count == 1 || shape.count == 2 else {
            return "expected inputs (samples,) or (batch, samples), received shape \(formatShape(shape))"
        }
        if let n = shape.last!, n <= fftLength / 2 {
            return "the signal needs more than fft_length / 2 = \(fftLength / 2) samples for its reflection padding, received shape \(formatShape(shape))"
        }
        return nil
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first, let problem = shapeProblem(shape) else { return nil }
        return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (MelSpectrogram): \(problem)")
    }

    public override func validateInputData(_ data: Tensor) -> KerasError? {
        guard data.dtype.isFloatingPoint || data.dtype.isInteger else {
            return .invalidData("MelSpectrogram \"\(name)\": inputs must be numbers, received a \(data.dtype) tensor")
        }
        if let problem = shapeProblem(data.shape.map { Optional($0) }) {
            return .invalidData("MelSpectrogram \"\(name)\": \(problem)")
        }
        return nil
    }

    /// The DFT kernel `(fftLength, 1, 2·bins)` and the mel matrix `(bins, numMelBins)`.
    private func cachedConstants() -> (kernel: Tensor, mel: Tensor) {
        constants.withLock { cached in
            if let cached { return cached }
            let values = window?.values(length: sequenceLength, periodic: true)
            let kernel = stftKernel(sequenceLength: sequenceLength, fftLength: fftLength, window: values, dtype: dtype)
            let bins = fftLength / 2 + 1
            let matrix = melWeightMatrix(numMelBins: numMelBins, spectrogramBins: bins, samplingRate: Double(samplingRate),
                                         lowerEdgeHertz: minFreq, upperEdgeHertz: maxFreq)
            let made = (kernel, Tensor(shape: [bins, numMelBins], doubles: matrix, dtype: dtype))
            cached = made
            return made
        }
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        if let problem = validateInputData(inputs) { fatalError(problem.description) }
        let x = inputs.dtype == dtype ? inputs : inputs.cast(to: dtype)
        let (kernel, mel) = cachedConstants()
        let (real, imag) = stft(x, kernel: kernel, fftLength: fftLength, sequenceStride: sequenceStride, center: true)
        var spectrum = (real.square() + imag.square()).sqrt()
        if magExp != 1 { spectrum = spectrum.pow(magExp) }
        let frames = spectrum.shape[spectrum.rank - 2], bins = spectrum.shape[spectrum.rank - 1]
        let leading = Array(spectrum.shape.dropLast(2))
        var out = spectrum.reshaped(to: [leading.reduce(1, *) * frames, bins]).matmul(mel)
            .reshaped(to: leading + [frames, numMelBins])
        if powerToDb {
            let scale = 10 / Foundation.log(10.0)
            let reference = 10 * Foundation.log10(Swift.max(Swift.abs(refPower), minPower))
            let logSpectrum = out.maximum(minPower).log() * scale - reference
            if logSpectrum.scalarCount > 0 { out = logSpectrum.maximum(logSpectrum.max() - topDb) }   // an empty batch stays empty
        }
        return out.rank == 2 ? out.transposed([1, 0]) : out.transposed([0, 2, 1])
    }

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        guard let samples = inputShape.last, inputShape.count <= 2 else { return inputShape }
        let frames = samples.map { self.frames($0) }
        return inputShape.count == 1 ? [numMelBins, frames] : [inputShape[0], numMelBins, frames]
    }

    /// Keras's keys: `name`, `trainable`, `dtype`, `fft_length`, `sequence_stride`,
    /// `sequence_length`, `window`, `sampling_rate`, `num_mel_bins`, `min_freq`, `max_freq`,
    /// `power_to_db`, `top_db`, `mag_exp`, `min_power`, `ref_power` (`sequence_length` and
    /// `max_freq` resolved, an integral `max_freq` written as an integer as Keras's default is).
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["fft_length"] = .int(fftLength)
        config["sequence_stride"] = .int(sequenceStride)
        config["sequence_length"] = .int(sequenceLength)
        config["window"] = window?.configValue ?? .null
        config["sampling_rate"] = .int(samplingRate)
        config["num_mel_bins"] = .int(numMelBins)
        config["min_freq"] = .double(minFreq)
        config["max_freq"] = maxFreq.rounded() == maxFreq && Swift.abs(maxFreq) < 1e15 ? .int(Int(maxFreq)) : .double(maxFreq)
        config["power_to_db"] = .bool(powerToDb)
        config["top_db"] = .double(topDb)
        config["mag_exp"] = .double(magExp)
        config["min_power"] = .double(minPower)
        config["ref_power"] = .double(refPower)
        return config
    }
}
