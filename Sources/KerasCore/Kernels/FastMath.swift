/// Branch-free float32 transcendental functions that vectorize inside kernel loops (libm's `expf`
/// is an opaque call per element). float64 keeps libm. `CKernels/fastmath.h` holds their C twins,
/// operation for operation: the float32 `exp`, `sigmoid` and `tanh` ops run those, bit for bit the
/// same results.

/// `e^x` in float32, within 2 ulp of the correctly rounded result over the whole range (exact
/// `inf` above ~88.72, `0` below ~-103.97 including subnormal results in between, NaN kept).
///
/// Cody–Waite range reduction `x = n·ln2 + r`, `|r| ≤ ln2/2`, with `ln2` split in two so `n·ln2_hi`
/// is exact; `e^r` by the Cephes `expf` minimax polynomial; the result scaled by `2^n` built from
/// exponent bits, in two halves so subnormal and near-overflow results need no branch.
///
/// ```swift
/// fastExp(1)   // 2.7182817
/// ```
@inline(__always)
func fastExp(_ x: Float) -> Float {
    var v = x < -104 ? -104 : x          // NaN fails both tests and flows through unchanged
    v = v > 89 ? 89 : v
    // n = round(v / ln2) via the 1.5·2^23 trick (SSE2 has no vector round instruction).
    let shifter: Float = 12_582_912
    let t = v * 1.442_695_040_888_963_4 + shifter
    let n = Int32(bitPattern: t.bitPattern) &- Int32(bitPattern: shifter.bitPattern)
    let fn = t - shifter
    var r = v - fn * 0.693_359_375
    r = r - fn * -2.121_944_400_5e-4
    let r2 = r * r
    var p: Float = 1.987_569_150_0e-4
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    let er = p * r2 + r + 1
    let n1 = n &>> 1, n2 = n &- n1
    let s1 = Float(bitPattern: UInt32(bitPattern: (n1 &+ 127) &<< 23))
    let s2 = Float(bitPattern: UInt32(bitPattern: (n2 &+ 127) &<< 23))
    return er * s1 * s2
}

/// `1 / (1 + e^-x)` in float32 on ``fastExp(_:)``; exact 0 and 1 at the extremes.
@inline(__always)
func fastSigmoid(_ x: Float) -> Float {
    1 / (1 + fastExp(-x))
}

/// `tanh(x)` in float32 on ``fastExp(_:)``, within 3 ulp: the Cephes `tanhf` odd polynomial for
/// `|x| < 0.625` (where `1 − 2/(e^{2x}+1)` would cancel), that formula above; both are computed
/// and one selected, so the loop stays branch-free.
@inline(__always)
func fastTanh(_ x: Float) -> Float {
    let ax = Swift.abs(x)
    let z = x * x
    var p: Float = -5.704_988_727_45e-3
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    let small = p * z * x + x
    let large = 1 - 2 / (fastExp(2 * ax) + 1)
    let signedLarge = Float(bitPattern: large.bitPattern | (x.bitPattern & 0x8000_0000))
    return ax < 0.625 ? small : signedLarge
}
