import CKernels
import Foundation

/// Unary math with each op's backward rule beside it. Integer inputs are computed as float32,
/// as `keras.ops` does for transcendental functions.

/// Applies a float function elementwise, picking the Float or Double version.
@inline(__always)
func floatMap(_ x: Tensor, _ f32: (Float) -> Float, _ f64: (Double) -> Double) -> Tensor {
    let x = x.dtype.isFloatingPoint ? x : x.cast(to: .float32)
    return x.dtype == .float64
        ? mapKernel(x, Double.self, to: .float64, Double.self, f64)
        : mapKernel(x, Float.self, to: .float32, Float.self, f32)
}

/// `floatMap` whose float32 half is a C kernel over the buffer (`keras_exp_f32`, …: the Swift
/// formula vectorized for AVX-512/AVX2), split over the cores in chunks.
func floatMap(_ x: Tensor, _ f32: @convention(c) (Int, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void,
              _ f64: (Double) -> Double) -> Tensor {
    let x = x.dtype.isFloatingPoint ? x : x.cast(to: .float32)
    if x.dtype == .float64 { return mapKernel(x, Double.self, to: .float64, Double.self, f64) }
    let out = Tensor(uninitializedShape: x.shape, dtype: .float32)
    withExtendedLifetime(x) {
        Parallel.chunks(out.scalarCount, context: (UnsafePointer(x.pointer(Float.self)), out.pointer(Float.self), f32)) { r, p in
            p.2(r.count, p.0 + r.lowerBound, p.1 + r.lowerBound)
        }
    }
    return out
}

extension Tensor {
    /// `e^x`.
    public func exp() -> Tensor {
        let y = floatMap(self, keras_exp_f32, { Foundation.exp($0) })
        return Tensor.record("exp", inputs: [self], output: y) { g in [g * y] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        let x = self
        let y = floatMap(self, { Foundation.log($0) }, { Foundation.log($0) })
        return Tensor.record("log", inputs: [self], output: y) { g in [g / x] }
    }

    /// `log(1 + x)`, accurate for small `x`.
    public func log1p() -> Tensor {
        let x = self
        let y = floatMap(self, { Foundation.log1p($0) }, { Foundation.log1p($0) })
        return Tensor.record("log1p", inputs: [self], output: y) { g in [g / (x + 1)] }
    }

    /// `e^x − 1`, accurate for small `x`.
    public func expm1() -> Tensor {
        let y = floatMap(self, { Foundation.expm1($0) }, { Foundation.expm1($0) })
        return Tensor.record("expm1", inputs: [self], output: y) { g in [g * (y + 1)] }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        let y = floatMap(self, { $0.squareRoot() }, { $0.squareRoot() })
        return Tensor.record("sqrt", inputs: [self], output: y) { g in [g / (2 * y)] }
    }

    /// `1 / sqrt(x)`.
    public func rsqrt() -> Tensor {
        let y = floatMap(self, { 1 / $0.squareRoot() }, { 1 / $0.squareRoot() })
        return Tensor.record("rsqrt", inputs: [self], output: y) { g in [g * -0.5 * y * y * y] }
    }

    /// `x * x`, keeping integer dtypes.
    public func square() -> Tensor { self * self }

    /// Absolute value; gradient `sign(x)` (0 at 0).
    public func abs() -> Tensor {
        let x = self
        let y: Tensor
        switch dtype {
        case .int32: y = mapKernel(self, Int32.self, to: .int32, Int32.self) { $0 < 0 ? 0 &- $0 : $0 }
        case .int64: y = mapKernel(self, Int64.self, to: .int64, Int64.self) { $0 < 0 ? 0 &- $0 : $0 }
        case .bool: y = self
        default: y = floatMap(self, { Swift.abs($0) }, { Swift.abs($0) })
        }
        return Tensor.record("abs", inputs: [self], output: y) { g in [g * x.sign()] }
    }

    /// −1, 0 or 1 by the sign of each element (NaN stays NaN); gradient zero.
    public func sign() -> Tensor {
        let y: Tensor
        switch dtype {
        case .int32: y = mapKernel(self, Int32.self, to: .int32, Int32.self) { $0.signum() }
        case .int64: y = mapKernel(self, Int64.self, to: .int64, Int64.self) { $0.signum() }
        case .bool: y = self
        default: y = floatMap(self, { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }, { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) })
        }
        return Tensor.record("sign", inputs: [self], output: y) { g in [Tensor.zeros(like: g)] }
    }

    /// Sine.
    public func sin() -> Tensor {
        let x = self
        let y = floatMap(self, { Foundation.sin($0) }, { Foundation.sin($0) })
        return Tensor.record("sin", inputs: [self], output: y) { g in [g * x.cos()] }
    }

    /// Cosine.
    public func cos() -> Tensor {
        let x = self
        let y = floatMap(self, { Foundation.cos($0) }, { Foundation.cos($0) })
        return Tensor.record("cos", inputs: [self], output: y) { g in [-g * x.sin()] }
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        let y = floatMap(self, keras_tanh_f32, { Foundation.tanh($0) })
        return Tensor.record("tanh", inputs: [self], output: y) { g in [g * (1 - y * y)] }
    }

    /// `1 / (1 + e^-x)`, computed without overflow.
    public func sigmoid() -> Tensor {
        let y = floatMap(self,
                         keras_sigmoid_f32,
                         { $0 >= 0 ? 1 / (1 + Foundation.exp(-$0)) : Foundation.exp($0) / (1 + Foundation.exp($0)) })
        return Tensor.record("sigmoid", inputs: [self], output: y) { g in [g * y * (1 - y)] }
    }

    /// The error function.
    public func erf() -> Tensor {
        let x = self
        let y = floatMap(self, { Foundation.erf($0) }, { Foundation.erf($0) })
        return Tensor.record("erf", inputs: [self], output: y) { g in
            [g * (2 / Double.pi.squareRoot()) * (-(x * x)).exp()]
        }
    }
}

/// Free-function forms matching `keras.ops`.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
/// `keras.ops.log`: the same as `x.log(…)`.
public func log(_ x: Tensor) -> Tensor { x.log() }
/// `keras.ops.log1p`: the same as `x.log1p(…)`.
public func log1p(_ x: Tensor) -> Tensor { x.log1p() }
/// `keras.ops.expm1`: the same as `x.expm1(…)`.
public func expm1(_ x: Tensor) -> Tensor { x.expm1() }
/// `keras.ops.sqrt`: the same as `x.sqrt(…)`.
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
/// `keras.ops.rsqrt`: the same as `x.rsqrt(…)`.
public func rsqrt(_ x: Tensor) -> Tensor { x.rsqrt() }
/// `keras.ops.square`: the same as `x.square(…)`.
public func square(_ x: Tensor) -> Tensor { x.square() }
/// `keras.ops.abs`: the same as `x.abs(…)`.
public func abs(_ x: Tensor) -> Tensor { x.abs() }
/// `keras.ops.sign`: the same as `x.sign(…)`.
public func sign(_ x: Tensor) -> Tensor { x.sign() }
/// `keras.ops.sin`: the same as `x.sin(…)`.
public func sin(_ x: Tensor) -> Tensor { x.sin() }
/// `keras.ops.cos`: the same as `x.cos(…)`.
public func cos(_ x: Tensor) -> Tensor { x.cos() }
/// `keras.ops.tanh`: the same as `x.tanh(…)`.
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
/// `keras.ops.sigmoid`: the same as `x.sigmoid(…)`.
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
/// `keras.ops.erf`: the same as `x.erf(…)`.
public func erf(_ x: Tensor) -> Tensor { x.erf() }
