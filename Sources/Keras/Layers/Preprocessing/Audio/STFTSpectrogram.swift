import Foundation
import KerasCore

/// Computes the short-time Fourier transform of 1-D signals as a spectrogram
/// (`keras.layers.STFTSpectrogram`).
///
/// Each channel of the input is cut into frames of `frameLength` samples every `frameStep`
/// samples and transformed with `fftLength/2 + 1` frequency bins. As in Keras the transform is a
/// strided convolution with two kernels, `real_kernel` (windowed cosines) and `imag_kernel`
/// (windowed sines), each `(frameLength, 1, fftLength/2 + 1)`, created by Keras's STFT
/// initializer; they are ordinary weights, trainable unless the layer is made non-trainable
/// (`trainable: false` for a fixed preprocessing layer). The `mode` picks the output:
///
/// - `.real`, `.imag`: the two parts; `.stft`: both, real then imaginary, per channel;
/// - `.magnitude`: `sqrt(max(re² + im², ε))`; `.log`: the log of that (`max(…, ε)`, ε = 1e-7);
/// - `.psd`: `re² + im²` with the bins other than the first and last doubled;
/// - `.angle`: `arctan2(im, re)`.
///
/// Inputs are `(batch, time, channels)` (`channels_last`) or `(batch, channels, time)`. Outputs
/// are `(batch, frames, channels·bins)` (`channels_first`: `(batch, channels·bins, frames)`), or
/// with `expandDims` `(batch, frames, bins, channels)` (`channels_first`:
/// `(batch, channels, frames, bins)`); `.stft` mode has `2·bins`.
///
/// ```swift
/// let layer = STFTSpectrogram(mode: .log, frameLength: 256, frameStep: 128, fftLength: 512, trainable: false)
/// let spectrogram = layer(Tensor.zeros([3, 16000, 1]))   // shape (3, 124, 257)
/// ```
public final class STFTSpectrogram: Layer, @unchecked Sendable {
    /// Its call writes no state, so `predict` may run batches on several threads.
    public override class var isStatelessInInference: Bool { true }

    /// What the layer outputs (Keras's `mode`).
    public enum Mode: String, Sendable, CaseIterable {
        /// `log(max(magnitude, ε))`, Keras's default.
        case log
        /// `sqrt(max(re² + im², ε))`.
        case magnitude
        /// The power spectral density: `re² + im²`, inner bins doubled.
        case psd
        /// The real part.
        case real
        /// The imaginary part.
        case imag
        /// The phase, `arctan2(im, re)`.
        case angle
        /// Real and imaginary parts concatenated along the frequency axis.
        case stft
    }

    /// How the kernels are normalized by the window (Keras's `scaling`).
    public enum Scaling: String, Sendable, CaseIterable {
        /// Divided by the window's L2 norm.
        case density
        /// Divided by the window's sum.
        case spectrum
    }

    /// Where the channels axis is (Keras's `data_format`).
    public enum DataFormat: String, Sendable, CaseIterable {
        /// `(batch, time, channels)`, Keras's default.
        case channelsLast = "channels_last"
        /// `(batch, channels, time)`.
        case channelsFirst = "channels_first"
    }

    /// The output type.
    public let mode: Mode
    /// The samples per frame.
    public let frameLength: Int
    /// The samples between frames as given (`nil`: `frameLength / 2`).
    public let frameStep: Int?
    /// The FFT size as given (`nil`: the smallest power of two ≥ `frameLength`).
    public let fftLength: Int?
    /// The window (`nil`: none).
    public let window: SpectrogramWindow?
    /// Whether a named window is periodic (SciPy's `fftbins`) rather than symmetric.
    public let periodic: Bool
    /// The kernel normalization (`nil`: none).
    public let scaling: Scaling?
    /// `.valid` or `.same`.
    public let padding: PaddingMode
    /// Whether the output keeps bins and channels on separate axes.
    public let expandDims: Bool
    /// The input and output layout.
    public let dataFormat: DataFormat

    /// The step used: `frameStep`, or `frameLength / 2`.
    public var effectiveFrameStep: Int { frameStep ?? Swift.max(frameLength / 2, 1) }
    /// The FFT size used: `fftLength`, or the smallest power of two ≥ `frameLength`.
    public var effectiveFFTLength: Int { fftLength ?? Self.nextPowerOfTwo(frameLength) }
    /// The frequency bins per channel, `fftLength / 2 + 1`.
    public var frequencyBins: Int { effectiveFFTLength / 2 + 1 }

    /// `(frameLength, 1, bins)`, unless the mode is `.imag`.
    public private(set) var realKernel: Variable?
    /// `(frameLength, 1, bins)`, unless the mode is `.real`.
    public private(set) var imagKernel: Variable?

    /// Creates an STFT spectrogram layer with Keras's defaults.
    ///
    /// ```swift
    /// let layer = STFTSpectrogram(mode: .magnitude, frameLength: 64, frameStep: 16, padding: .same)
    /// ```
    ///
    /// - Parameters:
    ///   - mode: The output (`.log` by default).
    ///   - frameLength: Samples per frame (positive; default 256).
    ///   - frameStep: Samples between frames, `1...frameLength` (`nil`: `frameLength / 2`).
    ///   - fftLength: The FFT size, at least `frameLength` and 2 (`nil`: the smallest power of two
    ///     ≥ `frameLength`); a power of two is recommended, as in Keras.
    ///   - window: The window (`.hann` by default; `nil`: none; `.custom` values: `frameLength` finite numbers).
    ///   - periodic: Whether a named window is periodic rather than symmetric (default `false`).
    ///   - scaling: `.density` (default), `.spectrum` or `nil`.
    ///   - padding: `.valid` (default) or `.same`.
    ///   - expandDims: Whether bins and channels stay separate axes (default `false`).
    ///   - dataFormat: `.channelsLast` (default) or `.channelsFirst`.
    ///   - name: The layer's name (`nil`: a generated one).
    ///   - trainable: Whether the kernels are trained (Keras's default `true`).
    ///   - dtype: The dtype of the kernels and the computation (float32 or float64).
    /// - Precondition: the arguments are valid (the program stops with Keras's message otherwise;
    ///   ``init(config:)`` throws instead).
    public init(mode: Mode = .log, frameLength: Int = 256, frameStep: Int? = nil, fftLength: Int? = nil,
                window: SpectrogramWindow? = .hann, periodic: Bool = false, scaling: Scaling? = .density,
                padding: PaddingMode = .valid, expandDims: Bool = false, dataFormat: DataFormat = .channelsLast,
                name: String? = nil, trainable: Bool = true, dtype: DType = .float32) {
        requireValid {
            try Self.validate(frameLength: frameLength, frameStep: frameStep, fftLength: fftLength, window: window,
                              scaling: scaling, padding: padding, dtype: dtype)
        }
        self.mode = mode
        self.frameLength = frameLength
        self.frameStep = frameStep
        self.fftLength = fftLength
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expandDims = expandDims
        self.dataFormat = dataFormat
        super.init(name: name, trainable: trainable, dtype: dtype)
        inputSpec = [InputSpec(rank: 3)]
    }

    static func nextPowerOfTwo(_ n: Int) -> Int {
        var p = 1
        while p < n && p <= Int.max / 2 { p *= 2 }
        return p
    }

    /// Keras's checks (`frame_step` in `1...frame_length`, `fft_length ≥ frame_length`, the
    /// padding) plus ours: positive and bounded sizes, at least two FFT points (one makes
    /// Keras's kernel divide by zero), a custom window of `frameLength` finite values whose
    /// normalization is not zero, a float dtype.
    static func validate(frameLength: Int, frameStep: Int?, fftLength: Int?, window: SpectrogramWindow?,
                         scaling: Scaling?, padding: PaddingMode, dtype: DType) throws {
        try ensure(frameLength >= 1, "STFTSpectrogram: `frame_length` should be a positive integer. Received frame_length=\(frameLength)")
        try ensureBoundedSizes([frameLength], layer: "STFTSpectrogram", argument: "frame_length")
        if let frameStep {
            try ensure(frameStep >= 1 && frameStep <= frameLength,
                       "STFTSpectrogram: `frame_step` should be a positive integer not greater than `frame_length`. Received frame_step=\(frameStep), frame_length=\(frameLength)")
        }
        if let fftLength {
            try ensure(fftLength >= frameLength,
                       "STFTSpectrogram: `fft_length` should be not less than `frame_length`. Received fft_length=\(fftLength), frame_length=\(frameLength)")
        }
        let fft = fftLength ?? nextPowerOfTwo(frameLength)
        try ensure(fft >= 2, "STFTSpectrogram: the FFT needs at least 2 points (`fft_length` ≥ 2; by default the smallest power of two ≥ `frame_length`). Received fft_length=\(fftLength.map(String.init) ?? "None"), frame_length=\(frameLength)")
        try ensure(boundedElementCount([frameLength, fft / 2 + 1, 2]) != nil,
                   "STFTSpectrogram: kernels of shape (\(frameLength), 1, \(fft / 2 + 1)) would hold more than \(maxWeightElements) elements. Received frame_length=\(frameLength), fft_length=\(fft)")
        try ensure(padding == .valid || padding == .same,
                   "STFTSpectrogram: Padding is invalid, it should be 'valid', 'same'. Received: padding=\(padding.rawValue)")
        try ensure(dtype.isFloatingPoint, "STFTSpectrogram: expected a float dtype (float32 or float64). Received dtype=\(dtype.rawValue)")
        if case .custom(let values)? = window {
            try ensure(values.count == frameLength,
                       "STFTSpectrogram: The shape of `window` must be equal to [frame_length]. Received: window of \(values.count) values, frame_length=\(frameLength)")
            try ensure(values.allSatisfy(\.isFinite), "STFTSpectrogram: `window` values must be finite. Received: window=\(values)")
            if let scaling {
                let norm = scaling == .density ? values.reduce(0) { $0 + $1 * $1 } : values.reduce(0) { $0 + Swift.abs($1) }
                try ensure(norm > 0, "STFTSpectrogram: a window of zeros cannot be normalized with scaling=\(scaling.rawValue). Received: window=\(values)")
            }
        }
    }

    /// Recreates a layer from ``getConfig()`` or a Keras `get_config()` dictionary.
    ///
    /// ```swift
    /// let layer = try STFTSpectrogram(config: ["mode": "psd", "frame_length": 64, "padding": "same"])
    /// ```
    ///
    /// - Throws: `KerasError.invalidConfig` naming the key for a missing, mistyped or out-of-range value.
    public convenience init(config: Config) throws {
        var r = ObjectConfigReader(layer: STFTSpectrogram.self, config: config)
        let base = try r.layerBase()
        let mode = try r.choice("mode", default: Mode.log, allowed: Mode.allCases)
        let frameLength = try r.int("frame_length", default: 256)
        let frameStep = try r.optionalInt("frame_step")
        let fftLength = try r.optionalInt("fft_length")
        let window = try SpectrogramWindow.read(&r, "window", default: .hann)
        let periodic = try r.bool("periodic", default: false)
        let scaling: Scaling? = r.value("scaling") == nil ? .density : try r.optionalChoice("scaling", allowed: Scaling.allCases)
        let padding = try r.choice("padding", default: PaddingMode.valid, allowed: [.valid, .same])
        let expandDims = try r.bool("expand_dims", default: false)
        let dataFormat = try r.choice("data_format", default: DataFormat.channelsLast, allowed: DataFormat.allCases)
        try r.validated {
            try Self.validate(frameLength: frameLength, frameStep: frameStep, fftLength: fftLength, window: window,
                              scaling: scaling, padding: padding, dtype: base.dtype)
        }
        self.init(mode: mode, frameLength: frameLength, frameStep: frameStep, fftLength: fftLength, window: window,
                  periodic: periodic, scaling: scaling, padding: padding, expandDims: expandDims, dataFormat: dataFormat,
                  name: base.name, trainable: base.trainable, dtype: base.dtype)
    }

    // MARK: Layer contract

    private var timeAxis: Int { dataFormat == .channelsLast ? 1 : 2 }
    private var channelAxis: Int { dataFormat == .channelsLast ? 2 : 1 }

    /// The number of frames for `n` samples.
    func frames(_ n: Int) -> Int {
        let pads = padding.pads(inputSize: n, kernelSize: frameLength, stride: effectiveFrameStep)
        return convOutputLength(inputSize: n, kernelSize: frameLength, stride: effectiveFrameStep, pads: pads)
    }

    private func shapeProblem(_ shape: [Int?]) -> String? {
        guard shape.count == 3 else {
            return "expected ndim=3 (batch, \(dataFormat == .channelsLast ? "time, channels" : "channels, time")), found ndim=\(shape.count). Full shape received: \(formatShape(shape))"
        }
        if let n = shape[timeAxis] {
            if n == 0 || frames(n) <= 0 {
                return "the signal of \(n) samples is shorter than frame_length=\(frameLength) (padding=\"\(padding.rawValue)\"). Full shape received: \(formatShape(shape))"
            }
        }
        if let c = shape[channelAxis], c == 0 {
            return "expected at least one channel. Full shape received: \(formatShape(shape))"
        }
        return nil
    }

    public override func validateSymbolic(_ inputShapes: [[Int?]]) -> KerasError? {
        guard let shape = inputShapes.first, let problem = shapeProblem(shape) else { return nil }
        return .incompatibleInput(layer: name, message: "Layer \"\(name)\" (STFTSpectrogram): \(problem)")
    }

    public override func validateInputData(_ data: Tensor) -> KerasError? {
        guard data.dtype.isFloatingPoint else {
            return .invalidData("STFTSpectrogram \"\(name)\": Invalid input type. Expected `float32` or `float64`. Received: input type=\(data.dtype.rawValue)")
        }
        if let problem = shapeProblem(data.shape.map { Optional($0) }) {
            return .invalidData("STFTSpectrogram \"\(name)\": \(problem)")
        }
        return nil
    }

    public override func build(inputShape: [Int?]) {
        let shape = [frameLength, 1, frequencyBins]
        let values = window?.values(length: frameLength, periodic: periodic)
        let windowConfig = window?.configValue ?? .null
        if mode != .imag {
            realKernel = addWeight(name: "real_kernel", shape: shape,
                                   initializer: STFTKernelInitializer(imaginary: false, window: values, scaling: scaling,
                                                                      periodic: periodic, windowConfig: windowConfig))
        }
        if mode != .real {
            imagKernel = addWeight(name: "imag_kernel", shape: shape,
                                   initializer: STFTKernelInitializer(imaginary: true, window: values, scaling: scaling,
                                                                      periodic: periodic, windowConfig: windowConfig))
        }
    }

    public override func call(_ inputs: Tensor, training: Bool) -> Tensor {
        if let problem = validateInputData(inputs) { fatalError(problem.description) }
        let x = inputs.dtype == dtype ? inputs : inputs.cast(to: dtype)
        let batch = x.shape[0], channels = x.shape[channelAxis], time = x.shape[timeAxis]
        // One signal per (example, channel): (batch·channels, time, 1).
        let signals = (dataFormat == .channelsLast ? x.transposed([0, 2, 1]) : x).reshaped(to: [batch * channels, time, 1])
        let kernels = [realKernel, imagKernel].compactMap { $0?.value }
        let kernel = kernels.count == 1 ? kernels[0] : concatenate(kernels, axis: 2)
        let spectrum = signals.conv(kernel, strides: [effectiveFrameStep], padding: padding)
        let frames = spectrum.shape[1], bins = frequencyBins
        func part(_ index: Int) -> Tensor {
            kernels.count == 1 ? spectrum : spectrum.slice(axis: 2, start: index * bins, end: (index + 1) * bins)
        }
        // (batch·channels, frames, bins') in the mode's terms.
        let result: Tensor
        switch mode {
        case .real: result = part(0)
        case .imag: result = part(0)
        case .stft: result = spectrum
        case .angle: result = part(1).arctan2(part(0))
        case .psd, .magnitude, .log:
            let power = part(0).square() + part(1).square()
            switch mode {
            case .psd:
                var weights = [Double](repeating: 2, count: bins)
                weights[0] = 1
                weights[bins - 1] = 1
                result = power * Tensor(shape: [bins], doubles: weights, dtype: power.dtype)
            case .magnitude:
                result = power.maximum(Self.epsilon).sqrt()
            default:
                result = power.maximum(Self.epsilon).sqrt().maximum(Self.epsilon).log()
            }
        }
        let outBins = result.shape[2]
        let grouped = result.reshaped(to: [batch, channels, frames, outBins])
        switch (dataFormat, expandDims) {
        case (.channelsLast, false):
            return grouped.transposed([0, 2, 1, 3]).reshaped(to: [batch, frames, channels * outBins])
        case (.channelsLast, true):
            return grouped.transposed([0, 2, 3, 1])
        case (.channelsFirst, false):
            return grouped.transposed([0, 1, 3, 2]).reshaped(to: [batch, channels * outBins, frames])
        case (.channelsFirst, true):
            return grouped
        }
    }

    /// Keras's `backend.epsilon()`.
    static let epsilon = 1e-7

    public override func computeOutputShape(_ inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == 3 else { return inputShape }
        let bins = frequencyBins * (mode == .stft ? 2 : 1)
        let channels = inputShape[channelAxis]
        let frames = inputShape[timeAxis].map { self.frames($0) }
        let flat = channels.map { $0 * bins }
        switch (dataFormat, expandDims) {
        case (.channelsLast, false): return [inputShape[0], frames, flat]
        case (.channelsLast, true): return [inputShape[0], frames, bins, channels]
        case (.channelsFirst, false): return [inputShape[0], flat, frames]
        case (.channelsFirst, true): return [inputShape[0], channels, frames, bins]
        }
    }

    /// Keras's keys: `name`, `trainable`, `dtype`, `mode`, `frame_length`, `frame_step`,
    /// `fft_length`, `window`, `periodic`, `scaling`, `padding`, `data_format`, `expand_dims`
    /// (`frame_step` and `fft_length` as given, `null` for the defaults).
    public override func getConfig() -> Config {
        var config = super.getConfig()
        config["mode"] = .string(mode.rawValue)
        config["frame_length"] = .int(frameLength)
        config["frame_step"] = frameStep.map(ConfigValue.int) ?? .null
        config["fft_length"] = fftLength.map(ConfigValue.int) ?? .null
        config["window"] = window?.configValue ?? .null
        config["periodic"] = .bool(periodic)
        config["scaling"] = scaling.map { .string($0.rawValue) } ?? .null
        config["padding"] = .string(padding.rawValue)
        config["data_format"] = .string(dataFormat.rawValue)
        config["expand_dims"] = .bool(expandDims)
        return config
    }
}
