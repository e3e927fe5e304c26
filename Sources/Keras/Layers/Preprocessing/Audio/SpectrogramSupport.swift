import Foundation
import KerasCore

/// The window an audio layer multiplies each frame by: a named window function (as
/// `scipy.signal.get_window` computes it) or explicit values. `nil` where a layer takes a
/// window means no window (all ones). Configs spell it as the name, a list of numbers, or `null`.
///
/// ```swift
/// let layer = STFTSpectrogram(frameLength: 4, window: .custom([0.2, 1, 1, 0.2]))
/// ```
public enum SpectrogramWindow: Sendable, Equatable {
    /// A named window function.
    case function(WindowFunction)
    /// Explicit window values, one per sample of a frame.
    case custom([Double])

    /// The Hann window (`"hann"`).
    public static let hann = SpectrogramWindow.function(.hann)
    /// The Hamming window (`"hamming"`).
    public static let hamming = SpectrogramWindow.function(.hamming)
    /// The Blackman window (`"blackman"`).
    public static let blackman = SpectrogramWindow.function(.blackman)
    /// The Bartlett window (`"bartlett"`).
    public static let bartlett = SpectrogramWindow.function(.bartlett)
    /// The rectangular window (`"boxcar"`).
    public static let boxcar = SpectrogramWindow.function(.boxcar)
    /// The triangular window (`"triang"`).
    public static let triang = SpectrogramWindow.function(.triang)

    /// The window's `length` values (custom values are returned as given).
    func values(length: Int, periodic: Bool) -> [Double] {
        switch self {
        case .function(let f): f.values(length: length, periodic: periodic)
        case .custom(let values): values
        }
    }

    /// The config form: the name, or the list of values.
    var configValue: ConfigValue {
        switch self {
        case .function(let f): .string(f.rawValue)
        case .custom(let values): .array(values.map(ConfigValue.double))
        }
    }

    /// Reads `key` of a config: a window name, a list of numbers, or `null` (no window);
    /// `defaultValue` when absent.
    static func read(_ r: inout ObjectConfigReader, _ key: String, default defaultValue: SpectrogramWindow?) throws -> SpectrogramWindow? {
        guard let v = r.value(key) else { return defaultValue }
        if v.isNull { return nil }
        if let name = v.stringValue {
            guard let f = WindowFunction(rawValue: name) else {
                throw r.mismatch(key, "a window name (one of \(WindowFunction.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))), a list of numbers or null", v)
            }
            return .function(f)
        }
        guard let numbers = v.arrayValue?.map(\.doubleValue), !numbers.contains(nil) else {
            throw r.mismatch(key, "a window name, a list of numbers or null", v)
        }
        return .custom(numbers.map { $0! })
    }
}

/// Keras's STFT kernel initializer (`keras.initializers.STFT`): the real (`cos`) or imaginary
/// (`sin`) part of the DFT for `(frameLength, 1, bins)` kernels, times the window, divided by
/// the window's L2 norm (`density`) or sum (`spectrum`). Computed in the weight's precision with
/// Keras's formula, so the kernels equal Keras's (including its frequency step `1/(2·(bins−1))`).
struct STFTKernelInitializer: Initializer {
    static let className = "STFT"
    /// `true`: the imaginary part (`sin`).
    let imaginary: Bool
    /// The window values (`nil`: none).
    let window: [Double]?
    /// `"density"`, `"spectrum"` or `nil`.
    let scaling: STFTSpectrogram.Scaling?
    let periodic: Bool
    let windowConfig: ConfigValue

    func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        dtype == .float64 ? make(shape, Double.self, dtype: dtype) : make(shape, Float.self, dtype: dtype)
    }

    private func make<T: BinaryFloatingPoint & TensorScalar>(_ shape: [Int], _: T.Type, dtype: DType) -> Tensor {
        let frameLength = shape[0], bins = shape[2]
        let win = window.map { $0.map { T($0) } }
        var scale: T = 1
        if let win {
            switch scaling {
            case .density?: scale = win.reduce(0) { $0 + $1 * $1 }.squareRoot()
            case .spectrum?: scale = win.reduce(0) { $0 + Swift.abs($1) }
            case nil: scale = 1
            }
        }
        let denominator = T((bins - 1) * 2)
        let pi = T.pi
        var values = [T](repeating: 0, count: frameLength * bins)
        for t in 0..<frameLength {
            for f in 0..<bins {
                let arg = ((-2 * T(t)) * (T(f) / denominator)) * pi
                var v: T = imaginary ? Self.sin(arg) : Self.cos(arg)
                if let win { v = v * win[t] / scale }
                values[t * bins + f] = v
            }
        }
        return Tensor(shape: shape, scalars: values).cast(to: dtype)
    }

    private static func cos<T: BinaryFloatingPoint>(_ x: T) -> T {
        if let f = x as? Float { return Foundation.cos(f) as! T }
        return T(Foundation.cos(Double(x)))
    }

    private static func sin<T: BinaryFloatingPoint>(_ x: T) -> T {
        if let f = x as? Float { return Foundation.sin(f) as! T }
        return T(Foundation.sin(Double(x)))
    }

    func getConfig() -> Config {
        ["side": .string(imaginary ? "imag" : "real"), "window": windowConfig, "periodic": .bool(periodic),
         "scaling": scaling.map { .string($0.rawValue) } ?? .null]
    }
}

/// Keras's `linear_to_mel_weight_matrix` (HTK mel scale `1127·ln(1 + f/700)`): a
/// `(bins, numMelBins)` matrix of triangular filters with peak 1, the DC bin zero, filter
/// edges evenly spaced in mel between `lowerEdgeHertz` and `upperEdgeHertz`.
func melWeightMatrix(numMelBins: Int, spectrogramBins: Int, samplingRate: Double,
                     lowerEdgeHertz: Double, upperEdgeHertz: Double) -> [Double] {
    func mel(_ hz: Double) -> Double { 1127.0 * Foundation.log(1 + hz / 700.0) }
    let nyquist = samplingRate / 2
    let lowMel = mel(lowerEdgeHertz), highMel = mel(upperEdgeHertz)
    let edges = (0..<(numMelBins + 2)).map { i in
        numMelBins + 1 == 0 ? lowMel : lowMel + (highMel - lowMel) * Double(i) / Double(numMelBins + 1)
    }
    var matrix = [Double](repeating: 0, count: spectrogramBins * numMelBins)
    guard spectrogramBins > 1 else { return matrix }
    for b in 1..<spectrogramBins {
        let hz = nyquist * Double(b) / Double(spectrogramBins - 1)
        let m = mel(hz)
        for j in 0..<numMelBins {
            let lower = (m - edges[j]) / (edges[j + 1] - edges[j])
            let upper = (edges[j + 2] - m) / (edges[j + 2] - edges[j + 1])
            matrix[b * numMelBins + j] = Swift.max(0, Swift.min(lower, upper))
        }
    }
    return matrix
}
