/// An ``EinsumDense`` equation, parsed as Keras's `_analyze_einsum_string` reads it: one input and
/// one kernel, in one of three forms — `ab,bc->ac` (no ellipsis), `...b,bc->...c` (leading axes
/// elided) or `ab...,bc->ac...` (trailing axes elided).
///
/// ```swift
/// let eq = try EinsumDenseEquation("abc,cde->abde")
/// let shapes = try eq.shapes(input: [nil, 5, 4], partialOutput: [nil, 2, 3], biasAxes: "de", layer: "einsum_dense")
/// // kernel (4, 2, 3), bias (2, 3), output (None, None, 2, 3)
/// ```
public struct EinsumDenseEquation: Sendable, Equatable {
    /// Where the equation's `...` stands.
    public enum Ellipsis: Sendable, Equatable {
        /// `ab,bc->ac`: every input axis is named.
        case none
        /// `...b,bc->...c`: the leading input axes are elided and kept in front of the output.
        case left
        /// `ab...,bc->ac...`: the trailing input axes are elided and kept at the end of the output.
        case right
    }

    /// The equation as given.
    public let equation: String
    /// The letters of the input, without the ellipsis.
    public let inputSpec: [Character]
    /// The letters of the kernel.
    public let kernelSpec: [Character]
    /// The letters of the output, without the ellipsis.
    public let outputSpec: [Character]
    /// Where the ellipsis stands.
    public let ellipsis: Ellipsis

    /// Parses `equation`; throws `KerasError.invalidArgument` for anything but Keras's three forms
    /// (letters `a`–`z`, `A`–`Z`; a letter named twice in one operand; an output or kernel letter
    /// found nowhere else).
    public init(_ equation: String) throws {
        self.equation = equation
        let form = "Equations must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
        func invalid(_ why: String = "") -> KerasError {
            .invalidArgument("EinsumDense: Invalid einsum equation '\(equation)'. \(form)\(why.isEmpty ? "" : " (\(why))")")
        }
        let sides = equation.components(separatedBy: "->")
        guard sides.count == 2 else { throw invalid() }
        let operands = sides[0].components(separatedBy: ",")
        guard operands.count == 2 else { throw invalid("EinsumDense takes one input and one kernel") }
        var input = operands[0], output = sides[1]
        let kernel = operands[1]
        let inputLeft = input.hasPrefix("..."), inputRight = !inputLeft && input.hasSuffix("...")
        let outputLeft = output.hasPrefix("..."), outputRight = !outputLeft && output.hasSuffix("...")
        if inputLeft && outputLeft {
            ellipsis = .left
            input.removeFirst(3); output.removeFirst(3)
        } else if inputRight && outputRight {
            ellipsis = .right
            input.removeLast(3); output.removeLast(3)
            guard input.count >= 2 else { throw invalid("an input elided on the right names at least two axes") }
        } else if !input.contains(".") && !output.contains(".") {
            ellipsis = .none
        } else {
            throw invalid()
        }
        func letters(_ s: String) -> [Character]? {
            let chars = Array(s)
            guard !chars.isEmpty, chars.allSatisfy({ $0.isASCII && $0.isLetter }) else { return nil }
            return chars
        }
        guard let i = letters(input), let k = letters(kernel), let o = letters(output) else { throw invalid() }
        for (label, spec) in [("input", i), ("kernel", k), ("output", o)] where Set(spec).count != spec.count {
            throw invalid("the \(label) '\(String(spec))' names a letter twice")
        }
        for c in o where !i.contains(c) && !k.contains(c) {
            throw KerasError.invalidArgument("EinsumDense: Dimension '\(c)' was specified in the output '\(String(o))' but has no corresponding dim in the input spec '\(String(i))' or weight spec '\(String(k))' (equation '\(equation)')")
        }
        for c in k where !i.contains(c) && !o.contains(c) {
            throw KerasError.invalidArgument("EinsumDense: Weight dimension '\(c)' did not have a match in either the input spec '\(String(i))' or the output spec '\(String(o))'. For this layer, the weight must be fully specified (equation '\(equation)')")
        }
        inputSpec = i
        kernelSpec = k
        outputSpec = o
    }

    /// The shapes one input shape implies (Keras's `_analyze_split_string`).
    public struct Shapes: Sendable, Equatable {
        /// The kernel's shape.
        public var kernel: [Int]
        /// The bias's shape, `nil` without `bias_axes`.
        public var bias: [Int]?
        /// The full output shape (`nil` where unknown).
        public var output: [Int?]
        /// The kernel axes that come from the input (its fan-in axes).
        public var inputAxes: [Int]
        /// The kernel axes that go to the output (its fan-out axes).
        public var outputAxes: [Int]
    }

    /// How many entries `output_shape` must have: the output letters, less the batch axis unless
    /// the leading axes are elided.
    public var partialOutputRank: Int { ellipsis == .left ? outputSpec.count : outputSpec.count - 1 }

    /// The problem with a partial output shape (wrong length, a negative size), or `nil`.
    public func partialOutputProblem(_ partialOutput: [Int?]) -> String? {
        if partialOutput.count != partialOutputRank {
            return "`output_shape` must have \(partialOutputRank) entries for equation '\(equation)' (the output axes\(ellipsis == .left ? "" : " after the first") not elided), received output_shape=\(formatShape(partialOutput))"
        }
        if let bad = partialOutput.first(where: { ($0 ?? 1) <= 0 }) {
            return "`output_shape` sizes must be positive or None, received \(bad!) in output_shape=\(formatShape(partialOutput))"
        }
        return nil
    }

    /// The problem with `biasAxes` for this equation, or `nil`.
    public func biasAxesProblem(_ biasAxes: String?) -> String? {
        guard let biasAxes else { return nil }
        if biasAxes.isEmpty { return "`bias_axes` must name at least one output axis or be None, received an empty string" }
        for c in biasAxes where !outputSpec.contains(c) {
            return "Bias dimension '\(c)' was requested, but is not part of the output spec '\(String(outputSpec))'"
        }
        if Set(biasAxes).count != biasAxes.count { return "`bias_axes` names an axis twice: '\(biasAxes)'" }
        return nil
    }

    /// The kernel, bias and output shapes for inputs of shape `input`; throws
    /// `KerasError.incompatibleInput` naming `layer` when the input does not fit the equation.
    public func shapes(input: [Int?], partialOutput: [Int?], biasAxes: String?, layer: String) throws -> Shapes {
        func fail(_ message: String) -> KerasError {
            .incompatibleInput(layer: layer, message: "Layer \"\(layer)\" (EinsumDense): \(message) (equation '\(equation)', input shape \(formatShape(input)))")
        }
        if let problem = partialOutputProblem(partialOutput) ?? biasAxesProblem(biasAxes) { throw fail(problem) }
        let elided = input.count - inputSpec.count
        switch ellipsis {
        case .none where elided != 0:
            throw fail("the input must have rank \(inputSpec.count), one axis per letter of '\(String(inputSpec))'")
        case .left where elided < 1:
            throw fail("the input must have more than \(inputSpec.count) axes, so that '...' stands for at least the batch axis")
        case .right where elided < 0:
            throw fail("the input must have at least \(inputSpec.count) axes")
        default: break
        }
        // The full output: the batch size, then the partial shape, with elided axes kept.
        var output: [Int?]
        switch ellipsis {
        case .none: output = [input[0]] + partialOutput
        case .left: output = Array(input.prefix(elided)) + partialOutput
        case .right: output = [input[0]] + partialOutput + input.suffix(elided)
        }
        let inputOffset = ellipsis == .left ? elided : 0
        let outputOffset = ellipsis == .left ? elided : 0
        func inputDim(_ c: Character) -> Int? { inputSpec.firstIndex(of: c).map { $0 + inputOffset } }
        func outputDim(_ c: Character) -> Int? { outputSpec.firstIndex(of: c).map { $0 + outputOffset } }
        for c in inputSpec {
            guard let o = outputDim(c) else { continue }
            let i = input[inputDim(c)!]
            if let expected = output[o], expected != i {
                throw fail("Input shape and output shape do not match at shared dimension '\(c)'. Input shape is \(i.map(String.init) ?? "None"), and output shape is \(expected)")
            }
        }
        var kernel: [Int] = [], inputAxes: [Int] = [], outputAxes: [Int] = []
        for (k, c) in kernelSpec.enumerated() {
            let size: Int?
            if let o = outputDim(c) {
                size = output[o]
                outputAxes.append(k)
            } else {
                size = input[inputDim(c)!]
                inputAxes.append(k)
            }
            guard let size else {
                throw fail("the kernel dimension '\(c)' must have a known size; give it in `output_shape` or in the input shape")
            }
            kernel.append(size)
        }
        if boundedElementCount(kernel) == nil {
            throw fail("a kernel of shape \(formatShape(kernel)) would hold more than \(maxWeightElements) elements")
        }
        var bias: [Int]?
        if let biasAxes {
            let first = outputSpec.firstIndex { biasAxes.contains($0) }!
            var shape: [Int] = []
            for (i, c) in outputSpec.enumerated().dropFirst(first) {
                guard biasAxes.contains(c) else { shape.append(1); continue }
                guard let size = output[i + outputOffset] else {
                    throw fail("the bias dimension '\(c)' must have a known size")
                }
                shape.append(size)
            }
            if ellipsis == .right { shape += [Int](repeating: 1, count: elided) }
            bias = shape
        }
        return Shapes(kernel: kernel, bias: bias, output: output, inputAxes: inputAxes, outputAxes: outputAxes)
    }

    /// The equation with the ellipsis replaced by letters for the `rank − inputSpec.count` elided
    /// axes, for ``einsum(_:_:)-(String,[Tensor])``.
    func explicit(inputRank: Int) -> (input: [Character], kernel: [Character], output: [Character]) {
        let elided = inputRank - inputSpec.count
        let used = Set(inputSpec + kernelSpec + outputSpec)
        let free = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ").filter { !used.contains($0) }
        let extra = Array(free.prefix(elided))
        switch ellipsis {
        case .none: return (inputSpec, kernelSpec, outputSpec)
        case .left: return (extra + inputSpec, kernelSpec, extra + outputSpec)
        case .right: return (inputSpec + extra, kernelSpec, outputSpec + extra)
        }
    }

    /// How many trailing input axes meet the leading kernel axes when the equation is a plain
    /// projection (input = kept axes + contracted axes, kernel = contracted axes + new axes,
    /// output = kept axes + new axes), so it runs as one matrix product; else `nil`.
    func projectionContractedRank(inputRank: Int) -> Int? {
        let (i, k, o) = explicit(inputRank: inputRank)
        let contracted = i.filter { k.contains($0) }
        let c = contracted.count
        guard c > 0, Array(i.suffix(c)) == contracted, Array(k.prefix(c)) == contracted else { return nil }
        guard o == Array(i.dropLast(c)) + Array(k.dropFirst(c)) else { return nil }
        return c
    }
}

/// `x · kernel (+ bias)` where the last `contractedRank` axes of `x` meet the first
/// `contractedRank` axes of `kernel`: the output has `x`'s other axes, then the kernel's others.
/// Run as one matrix product on the flattened operands (with the bias fused when its shape is
/// the kernel's output axes), so its gradients come from the matmul. ``EinsumDense``, the
/// projections of ``MultiHeadAttention`` (``HeadDense``) and ``ReversibleEmbedding/reverse(_:)``
/// compute with it.
func projectTrailingAxes(_ x: Tensor, kernel: Tensor, contractedRank: Int, bias: Tensor?) -> Tensor {
    let lead = Array(x.shape.dropLast(contractedRank)), newAxes = Array(kernel.shape.dropFirst(contractedRank))
    let k = kernel.shape.prefix(contractedRank).reduce(1, *), n = newAxes.reduce(1, *)
    let rows = x.reshaped(to: [lead.reduce(1, *), k]), flatKernel = kernel.reshaped(to: [k, n])
    let fusedBias = bias.flatMap { $0.shape == newAxes ? $0.reshaped(to: [n]) : nil }
    var y: Tensor
    if rows.dtype == flatKernel.dtype && (rows.dtype == .float32 || rows.dtype == .float64) {
        y = rows.linear(kernel: flatKernel, bias: fusedBias)   // the product and bias in one op
    } else {
        y = fusedBias.map { rows.matmul(flatKernel) + $0 } ?? rows.matmul(flatKernel)
    }
    y = y.reshaped(to: lead + newAxes)
    if let bias, fusedBias == nil { y = y + bias }
    return y
}
