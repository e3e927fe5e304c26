import KerasCore

/// A random orthogonal matrix times `gain` (`keras.initializers.Orthogonal`).
///
/// Like Keras: the shape is flattened to `(prod(shape[:-1]), shape[-1])`; a standard-normal matrix
/// of shape `(max(rows, cols), min(rows, cols))` is QR-factorized, `Q`'s columns are multiplied by
/// the signs of `R`'s diagonal (making the result uniformly distributed), and `Q` is transposed
/// when there are fewer rows than columns. So the rows (if `rows ≤ cols`) or the columns
/// (otherwise) are orthonormal.
///
/// ```swift
/// let q = Orthogonal(seed: 1)([4, 4], dtype: .float32)   // q.T.matmul(q) ≈ identity
/// ```
public struct Orthogonal: Initializer {
    /// The Keras class name, the `class_name` of its serialized config.
    public static let className = "Orthogonal"
    /// The `gain` this `Orthogonal` was created with.
    public let gain: Double
    /// The `seed` this `Orthogonal` was created with.
    public let seed: Int?

    /// Creates an `Orthogonal` with Keras's arguments and defaults (the names in Swift case).
    public init(gain: Double = 1, seed: Int? = nil) {
        self.gain = gain
        self.seed = seed
    }

    /// A new tensor of `shape` and `dtype` filled by this initializer.
    public func callAsFunction(_ shape: [Int], dtype: DType) -> Tensor {
        if let problem = problem(forShape: shape, dtype: dtype) { fatalError(problem) }
        let rows = shape.dropLast().reduce(1, *), cols = shape[shape.count - 1]
        let tall = Swift.max(rows, cols), narrow = Swift.min(rows, cols)
        let a = Tensor.randomNormal([tall, narrow], dtype: .float64, seed: seed).doubles
        var q = Orthogonal.signCorrectedQ(a, rows: tall, cols: narrow)
        if rows < cols { q = Orthogonal.transpose(q, rows: tall, cols: narrow) }
        return Tensor(shape: shape, doubles: q.map { $0 * gain }, dtype: dtype)
    }

    /// The Keras config of this `Orthogonal` (Keras's `get_config()`), which `init(config:)` reads back.
    public func getConfig() -> Config { ["seed": ConfigValue(seed), "gain": .double(gain)] }

    /// Keras's check (rank ≥ 2) and a floating-point dtype.
    public func problem(forShape shape: [Int], dtype: DType) -> String? {
        guard shape.count >= 2 else {
            return "Orthogonal: the tensor to initialize must be at least two-dimensional. Received: shape=\(formatShape(shape)) of rank \(shape.count)."
        }
        return floatDTypeProblem(Self.className, dtype)
    }

    /// `Q · diag(sign(diag(R)))` for the reduced QR factorization `A = QR` of the row-major
    /// `rows × cols` matrix `a` (`rows ≥ cols`), by Householder reflections in double precision.
    /// The result is independent of the factorization's sign conventions, so it equals NumPy's
    /// `q * sign(diag(r))` for the same `a`.
    static func signCorrectedQ(_ a: [Double], rows m: Int, cols n: Int) -> [Double] {
        require(m >= n && a.count == m * n, "Orthogonal: QR needs rows ≥ cols, received \(m)×\(n)")
        var r = a
        var reflectors: [[Double]] = []   // v_k over rows k..<m, unit length (or zero)
        var diag = [Double](repeating: 0, count: n)
        for k in 0..<n {
            var v = (k..<m).map { r[$0 * n + k] }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { reflectors.append([Double](repeating: 0, count: m - k)); continue }
            let alpha = v[0] > 0 ? -norm : norm          // R[k][k] = alpha, sign chosen for stability
            v[0] -= alpha
            let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in v.indices { v[i] /= vNorm }
            // R[k:, k:] -= 2 v (vᵀ R[k:, k:])
            for j in k..<n {
                var dot = 0.0
                for i in 0..<(m - k) { dot += v[i] * r[(k + i) * n + j] }
                for i in 0..<(m - k) { r[(k + i) * n + j] -= 2 * v[i] * dot }
            }
            diag[k] = r[k * n + k]
            reflectors.append(v)
        }
        // Q = H_0 H_1 … H_{n-1} applied to the first n columns of the identity.
        var q = [Double](repeating: 0, count: m * n)
        for i in 0..<n { q[i * n + i] = 1 }
        for k in stride(from: n - 1, through: 0, by: -1) {
            let v = reflectors[k]
            for j in 0..<n {
                var dot = 0.0
                for i in 0..<(m - k) { dot += v[i] * q[(k + i) * n + j] }
                if dot == 0 { continue }
                for i in 0..<(m - k) { q[(k + i) * n + j] -= 2 * v[i] * dot }
            }
        }
        for j in 0..<n {
            let s: Double = diag[j] > 0 ? 1 : (diag[j] < 0 ? -1 : 0)
            for i in 0..<m { q[i * n + j] *= s }
        }
        return q
    }

    static func transpose(_ a: [Double], rows: Int, cols: Int) -> [Double] {
        var t = [Double](repeating: 0, count: a.count)
        for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = a[i * cols + j] } }
        return t
    }
}
