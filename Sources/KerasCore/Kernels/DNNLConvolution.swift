import CDNNL
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// float32 convolutions through oneDNN's convolution primitives: forward, backward with respect
/// to the data and backward with respect to the weights, on the same channels-last buffers and
/// Keras kernel layout `(kernel…, in_channels / groups, out_channels)` as
/// ``ConvolutionKernels`` (which keeps float64 and is the reference these are tested against).
///
/// Activations stay channels-last (oneDNN's `nhwc`/`ndhwc`), so no large tensor is reordered;
/// only the small kernel is reordered into (and its gradient out of) the blocked layout oneDNN's
/// JIT kernels pick. Threading follows ``Gemm``: oneDNN's OpenMP team is kept at one thread and
/// the batch is split into one sub-batch per core on ``Parallel``'s pool, and each sub-batch into
/// micro-batches whose activations fit in a core's L2 cache (``microBatchBytes``), each with a
/// primitive for its shape; the kernel is reordered once per thread and op, not per call.
/// A convolution layer's bias and relu run inside the forward primitive,
/// for inference (``forwardInference(_:x:w:bias:relu:y:)``) and for training
/// (``forwardTraining(_:x:w:bias:relu:y:)``), whose backward pass computes the bias gradient
/// inside the backward-weights primitive (`diff_bias`): `keras-bench cnn` fit ran 1.17–1.19×
/// the separate conv, bias-add and relu ops with their own backward passes.
///
/// Measured with `keras-bench cnn` on 2 cores shared with other jobs, runs back to back: fit
/// 1.0–1.8× and predict 1.2–2.7× (0.9–1.5× before the bias and relu were fused) the
/// im2col + sgemm path, which `KERAS_CONV_IM2COL=1` in the environment selects for comparisons.
final class DNNLConvolution: @unchecked Sendable {
    /// The CPU engine every primitive runs on.
    private static let engine: UncheckedSendable<dnnl_engine_t> = {
        var engine: dnnl_engine_t?
        check(dnnl_engine_create(&engine, dnnl_cpu, 0), "engine")
        return UncheckedSendable(engine!)
    }()

    /// What a plan's primitives compute: the three training passes (with the bias added, and
    /// its gradient computed, by the primitives when `bias` is set), or an inference forward pass
    /// with the bias added; with `relu`, relu is applied to the forward primitive's output.
    private enum Mode: Hashable {
        case training(bias: Bool, relu: Bool), inference(relu: Bool)

        var bias: Bool { if case .training(let bias, _) = self { bias } else { true } }
        var relu: Bool { switch self { case .training(_, let relu), .inference(let relu): relu } }
        var isInference: Bool { if case .inference = self { true } else { false } }
    }

    private struct Key: Hashable {
        var geometry: ConvGeometry, mode: Mode
    }

    /// Plans by (sub-batch) geometry and mode, shared by all threads.
    private static let plans = Mutex<[Key: DNNLConvolution]>([:])
    /// Plans kept at most; the cache is emptied when a new shape would exceed it.
    private static let capacity = 256

    /// Activations (`x`, `y`), the kernel in Keras's layout, the kernel layouts the three
    /// primitives chose, and scratchpad layouts.
    /// (Kept at fixed addresses, read concurrently by the threads that share the plan.)
    private enum Slot: Int, CaseIterable {
        case x, y, bias, userWeights, forwardWeights, dataWeights, weightGradient, forwardScratch, dataScratch, weightScratch
        /// The activations in the layouts of a Winograd forward primitive (``winogradEligible(_:)``).
        case winogradX, winogradY
        /// The input and output gradient in the layouts of a Winograd backward-weights primitive.
        case weightsX, weightsDY
    }
    private let descriptors = UnsafeMutablePointer<dnnl_memory_desc_t>.allocate(capacity: Slot.allCases.count)
    private func desc(_ slot: Slot) -> UnsafeMutablePointer<dnnl_memory_desc_t> { descriptors + slot.rawValue }
    private var forward: dnnl_primitive_t?, backwardData: dnnl_primitive_t?, backwardWeights: dnnl_primitive_t?
    /// Reorders of the kernel into the forward and backward-data layouts and of the kernel
    /// gradient back to Keras's layout (`nil` where the layouts already agree).
    private var toForward: Reorder?, toData: Reorder?, fromWeightGradient: Reorder?
    /// A Winograd inference plan's reorders of the input into, and the output out of, the
    /// primitive's blocked layouts (`nil` where the layouts agree or the plan is direct).
    private var toWinogradX: Reorder?, fromWinogradY: Reorder?
    /// A training plan whose backward-weights primitive is Winograd: the reorders of the input
    /// and of the output gradient into its layouts (`nil` where they agree).
    private var winogradWeights = false, toWeightsX: Reorder?, toWeightsDY: Reorder?
    /// Whether the forward primitive is oneDNN's Winograd F(4×4, 3×3) one, reading
    /// ``Slot/winogradX`` and writing ``Slot/winogradY``.
    private var winograd = false
    /// Whether ``Slot/winogradY`` is oneDNN's `nChw16c` (16-channel blocks), which fused max
    /// pooling reads in place.
    private var winogradYBlocked = false
    /// The last kernel a Winograd plan transformed, reused while the kernel is unchanged.
    private let transformed = Mutex<TransformedKernel?>(nil)

    /// A kernel in a Winograd primitive's transformed layout, with a copy of the Keras-layout
    /// kernel it was made from. oneDNN's transform takes about 0.7 ms for a 3×3×32×64 kernel,
    /// more than the primitive saves on a 32-sample call, so it is made once and reused for as
    /// long as the kernel's values are the same (compared in full on each call).
    private final class TransformedKernel: @unchecked Sendable {
        let source: UnsafeMutablePointer<Float>, count: Int
        let buffer: UnsafeMutableRawPointer, bytes: Int

        /// The bytes an entry holds: the copy and the transformed kernel.
        static func footprint(count: Int, bytes: Int) -> Int { count * MemoryLayout<Float>.size + bytes }

        /// A copy of `w` and a buffer for its transform; the caller has reserved their
        /// ``footprint(count:bytes:)`` in ``kernelCache``, which `deinit` gives back.
        init(copying w: UnsafePointer<Float>, count: Int, bytes: Int) {
            source = .allocate(capacity: count)
            source.initialize(from: w, count: count)
            self.count = count
            buffer = Call.take(bytes: bytes)
            self.bytes = bytes
        }

        func matches(_ w: UnsafePointer<Float>) -> Bool { memcmp(source, w, count * MemoryLayout<Float>.size) == 0 }

        deinit {
            source.deallocate()
            Call.release(buffer, bytes: bytes)
            let footprint = Self.footprint(count: count, bytes: bytes)
            DNNLConvolution.kernelCache.withLock { $0.held -= footprint }
        }
    }

    /// Bytes held by cached Winograd kernels over all plans (one per batch size and geometry:
    /// a 3×3×512×512 kernel transforms into 16 MiB for each), and the most they may hold
    /// (256 MiB). Past it a plan transforms its kernel once per op instead, as the direct
    /// primitives reorder theirs.
    static let kernelCache = Mutex<(held: Int, budget: Int)>((0, 256 << 20))

    /// The Winograd layout of kernel `w` (`count` values in Keras's layout): the cached one
    /// when its values are unchanged, otherwise transformed now (and cached). The entry stays
    /// alive for the call.
    private func winogradKernel(_ w: UnsafePointer<Float>, count: Int, _ call: inout Call) -> dnnl_memory_t {
        guard let reorder = toForward else { return call.memory(desc(.userWeights), w) }
        if let entry = transformed.withLock({ $0 }), entry.matches(w) {
            call.kept.append(entry)
            return call.memory(desc(.forwardWeights), entry.buffer)
        }
        transformed.withLock { $0 = nil }
        let bytes = dnnl_memory_desc_get_size(desc(.forwardWeights)), footprint = TransformedKernel.footprint(count: count, bytes: bytes)
        let admitted = Self.kernelCache.withLock { cache in
            if cache.held + footprint > cache.budget { return false }
            cache.held += footprint
            return true
        }
        guard admitted else { return call.weights(w, desc(.userWeights), reorder, desc(.forwardWeights)) }
        let entry = TransformedKernel(copying: w, count: count, bytes: bytes)
        let target = call.memory(desc(.forwardWeights), entry.buffer)
        call.run(reorder, [(DNNL_ARG_FROM, call.memory(desc(.userWeights), w)), (DNNL_ARG_TO, target)])
        transformed.withLock { $0 = entry }
        call.kept.append(entry)
        return target
    }

    /// `KERAS_CONV_IM2COL=1` in the environment sends float32 back to im2col + sgemm, for
    /// comparing the two paths in one binary (`keras-bench cnn`).
    private static let disabled = getenv("KERAS_CONV_IM2COL").map { String(cString: $0) == "1" } ?? false

    /// `KERAS_CONV_WINOGRAD=0` in the environment keeps every convolution on the direct primitives.
    private static let winogradDisabled = getenv("KERAS_CONV_WINOGRAD").map { String(cString: $0) == "0" } ?? false

    /// Whether a convolution tries oneDNN's Winograd F(4×4, 3×3) primitives, for the inference
    /// forward pass and for the kernel gradient in training (`makeWinogradWeights`):
    /// a 2-D 3×3 kernel with unit strides and dilation, one group, and channels in multiples of
    /// 16 (the primitive's vector blocks; it also needs AVX-512, and the plan falls back to the
    /// direct primitive when oneDNN declines).
    ///
    /// Winograd computes each 4×4 output tile from a 6×6 input tile with 36 products per
    /// channel pair instead of 144, so the convolution does a quarter of the multiplications,
    /// plus input and output transforms. The results differ from the direct sum by float
    /// rounding, a few parts in a million of the outputs' size; the training forward pass and
    /// input gradient stay direct. The activations are reordered into and out of the blocked layout the primitive reads (about
    /// 1.2 µs a sample for the benchmark's second convolution). On one core, the `keras-bench
    /// cnn` second convolution (13×13×32 → 11×11×64) took 20–27 µs a sample with the reorders
    /// against 41 µs direct, and shapes from 7×7×512 to 224×224×64 ran 1.5–2.6× the direct
    /// primitive (equal at 5×5×16); `keras-bench cnn` predict went from ~37,000 to ~52,000
    /// samples/s.
    static func winogradEligible(_ g: ConvGeometry) -> Bool {
        !winogradDisabled && g.groups == 1 && g.inChannels % 16 == 0 && g.outChannels % 16 == 0
            && g.input[0] == 1 && g.kernel == [1, 3, 3] && g.strides == [1, 1, 1] && g.dilation == [1, 1, 1]
    }

    /// Whether a geometry runs here: any rank, strides, dilation, padding and groups, with a
    /// non-empty batch.
    static func supports(_ g: ConvGeometry) -> Bool {
        !disabled && g.batch > 0 && g.inChannels > 0 && g.outChannels > 0
    }

    private init(_ g: ConvGeometry, _ mode: Mode) {
        // 1-D and 2-D convolutions run as 2-D (oneDNN's 2-D kernels), 3-D ones as 3-D.
        let spatial = g.input[0] == 1 && g.kernel[0] == 1 && g.output[0] == 1 ? 2 : 3
        let axes = Array((3 - spatial)..<3)
        let C = g.inChannels, F = g.outChannels
        func channelsLast(_ positions: [Int], _ channels: Int) -> dnnl_memory_desc_t {
            let sizes = axes.map { positions[$0] }
            var strides = [Int](repeating: 0, count: spatial)
            var step = channels
            for i in (0..<spatial).reversed() { strides[i] = step; step *= sizes[i] }
            return Self.descriptor([g.batch, channels] + sizes, [step, 1] + strides)
        }
        descriptors.initialize(repeating: dnnl_memory_desc_t(), count: Slot.allCases.count)
        desc(.x).pointee = channelsLast(g.input, C)
        desc(.y).pointee = channelsLast(g.output, F)
        // Keras's kernel (k…, groupIn, F): spatial strides, then groupIn · F, then the output
        // channel (within its group, and the group).
        let taps = axes.map { g.kernel[$0] }
        var tapStrides = [Int](repeating: 0, count: spatial)
        var step = g.groupIn * F
        for i in (0..<spatial).reversed() { tapStrides[i] = step; step *= taps[i] }
        let weightDims = (g.groups > 1 ? [g.groups, g.groupOut] : [F]) + [g.groupIn] + taps
        let weightStrides = (g.groups > 1 ? [g.groupOut, 1] : [1]) + [F] + tapStrides
        desc(.userWeights).pointee = Self.descriptor(weightDims, weightStrides)
        var anyWeights = dnnl_memory_desc_t()
        Self.check(dnnl_memory_desc_init_by_tag(&anyWeights, Int32(weightDims.count), weightDims.map(Int64.init), dnnl_f32, dnnl_format_tag_any), "weights descriptor")

        let strides = axes.map { Int64(g.strides[$0]) }, dilates = axes.map { Int64(g.dilation[$0] - 1) }
        let padL = axes.map { Int64(g.padBefore[$0]) }
        // The padding after that gives the output size (never negative: a stride that does not
        // divide evenly leaves the last inputs unread, which oneDNN's floor division allows).
        let padR = axes.map { i in
            Int64(Swift.max(0, (g.output[i] - 1) * g.strides[i] + (g.kernel[i] - 1) * g.dilation[i] + 1 - g.input[i] - g.padBefore[i]))
        }
        var attr: dnnl_primitive_attr_t?
        Self.check(dnnl_primitive_attr_create(&attr), "attributes")
        Self.check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode")
        defer { dnnl_primitive_attr_destroy(attr) }

        let inference = mode.isInference, bias = mode.bias ? desc(.bias) : nil
        desc(.bias).pointee = Self.descriptor([F], [1])
        // The relu post-op goes on the forward primitive only: the backward primitives take
        // the gradient with respect to the pre-activation (``backward(_:x:w:dy:dx:dw:db:)``).
        var forwardAttr: dnnl_primitive_attr_t?
        Self.check(dnnl_primitive_attr_clone(&forwardAttr, attr), "attributes")
        defer { dnnl_primitive_attr_destroy(forwardAttr) }
        if mode.relu {
            var ops: dnnl_post_ops_t?
            Self.check(dnnl_post_ops_create(&ops), "post-ops")
            defer { dnnl_post_ops_destroy(ops) }
            Self.check(dnnl_post_ops_append_eltwise(ops, 1, dnnl_eltwise_relu, 0, 0), "relu post-op")
            Self.check(dnnl_primitive_attr_set_post_ops(forwardAttr, ops), "post-ops attribute")
        }
        if inference, Self.winogradEligible(g), makeWinograd(g, axes, anyWeights, strides, dilates, padL, padR, forwardAttr) { return }
        var forwardDesc = dnnl_convolution_desc_t()
        Self.check(dnnl_dilated_convolution_forward_desc_init(&forwardDesc, inference ? dnnl_forward_inference : dnnl_forward_training,
                                                             dnnl_convolution_direct, desc(.x), &anyWeights, bias,
                                                             desc(.y), strides, dilates, padL, padR), "forward descriptor")
        var forwardPD: dnnl_primitive_desc_t?
        Self.check(dnnl_primitive_desc_create(&forwardPD, &forwardDesc, forwardAttr, Self.engine.value, nil), "forward")
        defer { dnnl_primitive_desc_destroy(forwardPD) }
        desc(.forwardWeights).pointee = dnnl_primitive_desc_query_md(forwardPD, dnnl_query_weights_md, 0).pointee
        desc(.forwardScratch).pointee = dnnl_primitive_desc_query_md(forwardPD, dnnl_query_scratchpad_md, 0).pointee
        Self.check(dnnl_primitive_create(&forward, forwardPD), "forward primitive")
        toForward = Reorder(from: desc(.userWeights), to: desc(.forwardWeights))
        if inference { return }

        var dataDesc = dnnl_convolution_desc_t()
        Self.check(dnnl_dilated_convolution_backward_data_desc_init(&dataDesc, dnnl_convolution_direct, desc(.x), &anyWeights, desc(.y),
                                                                   strides, dilates, padL, padR), "backward data descriptor")
        var dataPD: dnnl_primitive_desc_t?
        Self.check(dnnl_primitive_desc_create(&dataPD, &dataDesc, attr, Self.engine.value, forwardPD), "backward data")
        defer { dnnl_primitive_desc_destroy(dataPD) }
        desc(.dataWeights).pointee = dnnl_primitive_desc_query_md(dataPD, dnnl_query_weights_md, 0).pointee
        desc(.dataScratch).pointee = dnnl_primitive_desc_query_md(dataPD, dnnl_query_scratchpad_md, 0).pointee
        Self.check(dnnl_primitive_create(&backwardData, dataPD), "backward data primitive")

        if !Self.winogradEligible(g) || !makeWinogradWeights(g, axes, anyWeights, bias, strides, dilates, padL, padR, attr) {
            var weightsDesc = dnnl_convolution_desc_t()
            Self.check(dnnl_dilated_convolution_backward_weights_desc_init(&weightsDesc, dnnl_convolution_direct, desc(.x), &anyWeights, bias, desc(.y),
                                                                          strides, dilates, padL, padR), "backward weights descriptor")
            var weightsPD: dnnl_primitive_desc_t?
            Self.check(dnnl_primitive_desc_create(&weightsPD, &weightsDesc, attr, Self.engine.value, forwardPD), "backward weights")
            defer { dnnl_primitive_desc_destroy(weightsPD) }
            desc(.weightGradient).pointee = dnnl_primitive_desc_query_md(weightsPD, dnnl_query_diff_weights_md, 0).pointee
            desc(.weightScratch).pointee = dnnl_primitive_desc_query_md(weightsPD, dnnl_query_scratchpad_md, 0).pointee
            Self.check(dnnl_primitive_create(&backwardWeights, weightsPD), "backward weights primitive")
        }

        toData = Reorder(from: desc(.userWeights), to: desc(.dataWeights))
        fromWeightGradient = Reorder(from: desc(.weightGradient), to: desc(.userWeights))
    }

    /// Activations of `channels` at `positions` (the spatial `axes` of `g`) in whatever layout a
    /// primitive picks (`format_tag_any`), as Winograd primitives need.
    private static func anyLayout(_ g: ConvGeometry, _ axes: [Int], _ positions: [Int], _ channels: Int) -> dnnl_memory_desc_t {
        let dims = ([g.batch, channels] + axes.map { positions[$0] }).map(Int64.init)
        var desc = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_tag(&desc, Int32(dims.count), dims, dnnl_f32, dnnl_format_tag_any), "activation descriptor")
        return desc
    }

    /// Makes the forward primitive a Winograd inference one with activations in the layouts it
    /// picks, and the reorders to and from them; `false` (nothing made) when oneDNN has no
    /// Winograd implementation for the geometry on this CPU.
    private func makeWinograd(_ g: ConvGeometry, _ axes: [Int], _ anyWeights: dnnl_memory_desc_t, _ strides: [Int64], _ dilates: [Int64],
                              _ padL: [Int64], _ padR: [Int64], _ attr: dnnl_primitive_attr_t?) -> Bool {
        var x = Self.anyLayout(g, axes, g.input, g.inChannels), y = Self.anyLayout(g, axes, g.output, g.outChannels)
        var weights = anyWeights
        var opDesc = dnnl_convolution_desc_t()
        guard dnnl_dilated_convolution_forward_desc_init(&opDesc, dnnl_forward_inference, dnnl_convolution_winograd, &x, &weights,
                                                         desc(.bias), &y, strides, dilates, padL, padR) == dnnl_success else { return false }
        var pd: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&pd, &opDesc, attr, Self.engine.value, nil) == dnnl_success else { return false }
        defer { dnnl_primitive_desc_destroy(pd) }
        desc(.winogradX).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0).pointee
        desc(.winogradY).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0).pointee
        desc(.forwardWeights).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0).pointee
        desc(.forwardScratch).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).pointee
        Self.check(dnnl_primitive_create(&forward, pd), "Winograd forward primitive")
        toForward = Reorder(from: desc(.userWeights), to: desc(.forwardWeights))
        toWinogradX = Reorder(from: desc(.x), to: desc(.winogradX))
        fromWinogradY = Reorder(from: desc(.winogradY), to: desc(.y))
        var blocked = dnnl_memory_desc_t()
        let yDims = [g.batch, g.outChannels, g.output[1], g.output[2]].map(Int64.init)
        winogradYBlocked = dnnl_memory_desc_init_by_tag(&blocked, 4, yDims, dnnl_f32, dnnl_nChw16c) == dnnl_success
            && dnnl_memory_desc_equal(&blocked, desc(.winogradY)) != 0
        winograd = true
        return true
    }

    /// Makes the backward-weights primitive oneDNN's Winograd one, reading the input and the
    /// output gradient in the layouts it picks (reordered per micro-batch); `false` (nothing
    /// made) when oneDNN has none for the geometry on this CPU.
    ///
    /// For the benchmark's second convolution (16 samples of 13×13×32 → 11×11×64, one core) it
    /// took 24.8 µs a sample with the reorders, against 43.3 for the direct kernel, which already
    /// runs near a core's peak. (oneDNN's Winograd backward-data primitive measured no faster
    /// than the direct one, 42.4 against 40.2 µs, so the data gradient stays direct.) The kernel
    /// gradient is the direct sum's to float rounding, a few parts in a million.
    private func makeWinogradWeights(_ g: ConvGeometry, _ axes: [Int], _ anyWeights: dnnl_memory_desc_t,
                                     _ bias: UnsafeMutablePointer<dnnl_memory_desc_t>?, _ strides: [Int64], _ dilates: [Int64],
                                     _ padL: [Int64], _ padR: [Int64], _ attr: dnnl_primitive_attr_t?) -> Bool {
        var x = Self.anyLayout(g, axes, g.input, g.inChannels), y = Self.anyLayout(g, axes, g.output, g.outChannels)
        var weights = anyWeights
        // The hint a backward primitive needs: a Winograd forward of the same geometry.
        var forwardDesc = dnnl_convolution_desc_t(), hint: dnnl_primitive_desc_t?
        guard dnnl_dilated_convolution_forward_desc_init(&forwardDesc, dnnl_forward_training, dnnl_convolution_winograd, &x, &weights,
                                                         bias, &y, strides, dilates, padL, padR) == dnnl_success,
              dnnl_primitive_desc_create(&hint, &forwardDesc, attr, Self.engine.value, nil) == dnnl_success else { return false }
        defer { dnnl_primitive_desc_destroy(hint) }
        var weightsDesc = dnnl_convolution_desc_t(), pd: dnnl_primitive_desc_t?
        guard dnnl_dilated_convolution_backward_weights_desc_init(&weightsDesc, dnnl_convolution_winograd, &x, &weights, bias, &y,
                                                                  strides, dilates, padL, padR) == dnnl_success,
              dnnl_primitive_desc_create(&pd, &weightsDesc, attr, Self.engine.value, hint) == dnnl_success else { return false }
        defer { dnnl_primitive_desc_destroy(pd) }
        desc(.weightsX).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0).pointee
        desc(.weightsDY).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0).pointee
        desc(.weightGradient).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_diff_weights_md, 0).pointee
        desc(.weightScratch).pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).pointee
        Self.check(dnnl_primitive_create(&backwardWeights, pd), "Winograd backward weights primitive")
        toWeightsX = Reorder(from: desc(.x), to: desc(.weightsX))
        toWeightsDY = Reorder(from: desc(.y), to: desc(.weightsDY))
        winogradWeights = true
        return true
    }

    deinit {
        for p in [forward, backwardData, backwardWeights] {
            if let p { dnnl_primitive_destroy(p) }
        }
        descriptors.deallocate()
    }

    /// `y = conv(x, w)` for the whole batch (see ``ConvolutionKernels/forward(_:x:w:y:)``).
    static func forward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        forward(g, .training(bias: false, relu: false), x: x, w: w, bias: nil, y: y)
    }

    /// `y = conv(x, w) + bias`, then relu when `relu` is set, in one primitive, for training:
    /// ``backward(_:x:w:dy:dx:dw:db:)`` with `bias: true` and the same `relu` differentiates it.
    static func forwardTraining(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                relu: Bool, y: UnsafeMutablePointer<Float>) {
        forward(g, .training(bias: true, relu: relu), x: x, w: w, bias: bias, y: y)
    }

    /// `y = conv(x, w) + bias`, then relu when `relu` is set, in one primitive (no gradient).
    static func forwardInference(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                 relu: Bool, y: UnsafeMutablePointer<Float>) {
        forward(g, .inference(relu: relu), x: x, w: w, bias: bias, y: y)
    }

    /// ``forwardInference(_:x:w:bias:relu:y:)`` followed by `pool` (whose input is this
    /// convolution's output), writing only the pooled output `y`: each micro-batch's convolution
    /// output goes to a buffer kept for the op, sized to stay in the core's cache, and is pooled
    /// from there (from a Winograd primitive's blocked layout without reordering it). The results
    /// are those of the two ops run one after the other.
    static func forwardInference(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                                 relu: Bool, pool: PoolingKernels.FusedMaxPool, y: UnsafeMutablePointer<Float>) {
        forward(g, .inference(relu: relu), x: x, w: w, bias: bias, y: y, pool: pool)
    }

    /// The forward pass of each micro-batch into `y`, or with `pool`, into a staging buffer
    /// pooled into `y`.
    private static func forward(_ g: ConvGeometry, _ mode: Mode, x: UnsafePointer<Float>, w: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>, pool: PoolingKernels.FusedMaxPool? = nil) {
        if g.batch == 0 { return }   // an empty batch: `y` is empty too
        forEachMicroBatch(g) { call, batch in
            let plan = plan(batch.geometry, mode), n0 = batch.first
            let weights = plan.winograd ? plan.winogradKernel(w, count: g.taps * g.groupIn * g.outChannels, &call)
                                        : call.weights(w, plan.desc(.userWeights), plan.toForward, plan.desc(.forwardWeights))
            var source = call.memory(plan.desc(.x), x + n0 * g.inputPositions * g.inChannels)
            if plan.winograd, let reorder = plan.toWinogradX {
                let blocked = call.memory(plan.desc(.winogradX), call.staging(0, bytes: dnnl_memory_desc_get_size(plan.desc(.winogradX))))
                call.run(reorder, [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, blocked)])
                source = blocked
            }
            // Where the primitive writes: the Winograd layout's staging buffer, or channels-last
            // into `y`'s share (into a staging buffer when it is pooled).
            let blockedOutput = plan.winograd && plan.fromWinogradY != nil
            let output = blockedOutput ? call.staging(1, bytes: dnnl_memory_desc_get_size(plan.desc(.winogradY)))
                : pool == nil ? UnsafeMutableRawPointer(y + n0 * g.outputPositions * g.outChannels)
                : call.staging(2, bytes: dnnl_memory_desc_get_size(plan.desc(.y)))
            let target = call.memory(plan.desc(blockedOutput ? .winogradY : .y), output)
            var arguments = [(DNNL_ARG_SRC, source), (DNNL_ARG_WEIGHTS, weights), (DNNL_ARG_DST, target)]
            if let bias { arguments.append((DNNL_ARG_BIAS, call.memory(plan.desc(.bias), bias))) }
            call.run(plan.forward!, arguments, scratch: plan.desc(.forwardScratch))
            guard let pool else {
                if blockedOutput, let reorder = plan.fromWinogradY {
                    call.run(reorder, [(DNNL_ARG_FROM, target), (DNNL_ARG_TO, call.memory(plan.desc(.y), y + n0 * g.outputPositions * g.outChannels))])
                }
                return
            }
            let pooled = y + n0 * pool.geometry.outputPositions * pool.geometry.inChannels
            if blockedOutput && plan.winogradYBlocked {
                pool.run(samples: batch.geometry.batch, x: output.assumingMemoryBound(to: Float.self), blocked: true, y: pooled)
                return
            }
            var channelsLast = output
            if blockedOutput, let reorder = plan.fromWinogradY {
                channelsLast = call.staging(2, bytes: dnnl_memory_desc_get_size(plan.desc(.y)))
                call.run(reorder, [(DNNL_ARG_FROM, target), (DNNL_ARG_TO, call.memory(plan.desc(.y), channelsLast))])
            }
            pool.run(samples: batch.geometry.batch, x: channelsLast.assumingMemoryBound(to: Float.self), blocked: false, y: pooled)
        }
    }

    /// The gradients of `y = conv(x, w)` into `dx` and/or `dw` (see
    /// ``ConvolutionKernels/backward(_:x:w:dy:dx:dw:)``); both are overwritten.
    static func backward(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?) {
        backward(g, .training(bias: false, relu: false), x: x, w: w, dy: dy, dx: dx, dw: dw, db: nil)
    }

    /// The gradients of ``forwardTraining(_:x:w:bias:relu:y:)`` into `dx`, `dw` and `db` (each
    /// optional, overwritten); `dy` is the gradient with respect to the output before relu.
    /// The bias gradient comes out of the backward-weights primitive, so `dw` is computed
    /// whenever `db` is.
    static func backward(_ g: ConvGeometry, relu: Bool, x: UnsafePointer<Float>, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                         dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        backward(g, .training(bias: true, relu: relu), x: x, w: w, dy: dy, dx: dx, dw: dw, db: db)
    }

    private static func backward(_ g: ConvGeometry, _ mode: Mode, x: UnsafePointer<Float>, w: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                 dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?) {
        let weightCount = g.taps * g.groupIn * g.outChannels, biasCount = db == nil ? 0 : g.outChannels
        if g.batch == 0 {
            // An empty batch: `dx` is empty and the kernel and bias gradients, sums over no samples, zero.
            dw?.initialize(repeating: 0, count: weightCount)
            db?.initialize(repeating: 0, count: biasCount)
            return
        }
        let pieces = subBatches(g)
        // The kernel gradient goes to a scratch buffer when only the bias gradient is wanted.
        let weightScratch: UnsafeMutablePointer<Float>? = dw == nil && db != nil ? .allocate(capacity: weightCount) : nil
        defer { weightScratch?.deallocate() }
        let dw = dw ?? weightScratch
        // Each piece but the first sums its kernel (and bias) gradient into its own buffer, and
        // each micro-batch but a piece's first writes its gradient to the piece's spare buffer
        // before adding it in.
        let stride = weightCount + biasCount
        let partials: UnsafeMutablePointer<Float>? = dw != nil ? .allocate(capacity: (2 * pieces - 1) * stride) : nil
        defer { partials?.deallocate() }
        forEachMicroBatch(g) { call, batch in
            let plan = plan(batch.geometry, mode), n0 = batch.first
            let gradient = call.memory(plan.desc(.y), dy + n0 * g.outputPositions * g.outChannels)
            if let dx {
                let weights = call.weights(w, plan.desc(.userWeights), plan.toData, plan.desc(.dataWeights))
                call.run(plan.backwardData!, [(DNNL_ARG_DIFF_DST, gradient), (DNNL_ARG_WEIGHTS, weights),
                                              (DNNL_ARG_DIFF_SRC, call.memory(plan.desc(.x), dx + n0 * g.inputPositions * g.inChannels))],
                         scratch: plan.desc(.dataScratch))
            }
            if let dw, let partials {
                let sum = batch.piece == 0 ? dw : partials + (batch.piece - 1) * stride
                let target = batch.leading ? sum : partials + (pieces - 1 + batch.piece) * stride
                let user = call.memory(plan.desc(.userWeights), target)
                let result = plan.fromWeightGradient == nil ? user : call.memory(plan.desc(.weightGradient), nil)
                var source = call.memory(plan.desc(.x), x + n0 * g.inputPositions * g.inChannels), outputGradient = gradient
                if plan.winogradWeights {
                    if let reorder = plan.toWeightsX {
                        let blocked = call.memory(plan.desc(.weightsX), call.staging(0, bytes: dnnl_memory_desc_get_size(plan.desc(.weightsX))))
                        call.run(reorder, [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, blocked)])
                        source = blocked
                    }
                    if let reorder = plan.toWeightsDY {
                        let blocked = call.memory(plan.desc(.weightsDY), call.staging(1, bytes: dnnl_memory_desc_get_size(plan.desc(.weightsDY))))
                        call.run(reorder, [(DNNL_ARG_FROM, outputGradient), (DNNL_ARG_TO, blocked)])
                        outputGradient = blocked
                    }
                }
                var arguments = [(DNNL_ARG_SRC, source), (DNNL_ARG_DIFF_DST, outputGradient), (DNNL_ARG_DIFF_WEIGHTS, result)]
                if let db {
                    let biasTarget = batch.piece == 0 && batch.leading ? db : target + weightCount
                    arguments.append((DNNL_ARG_DIFF_BIAS, call.memory(plan.desc(.bias), biasTarget)))
                }
                call.run(plan.backwardWeights!, arguments, scratch: plan.desc(.weightScratch))
                if let reorder = plan.fromWeightGradient {
                    call.run(reorder, [(DNNL_ARG_FROM, result), (DNNL_ARG_TO, user)])
                }
                if !batch.leading {
                    for i in 0..<weightCount { sum[i] += target[i] }
                    if let db {
                        let biasSum = batch.piece == 0 ? db : sum + weightCount
                        for i in 0..<biasCount { biasSum[i] += target[weightCount + i] }
                    }
                }
            }
        }
        if let dw, let partials {
            for p in 0..<(pieces - 1) {
                let src = partials + p * stride
                for i in 0..<weightCount { dw[i] += src[i] }
                if let db { for i in 0..<biasCount { db[i] += src[weightCount + i] } }
            }
        }
    }

    /// How many sub-batches (threads) a geometry is split into: one per core for large
    /// problems, all of the same size but the last.
    private static func subBatches(_ g: ConvGeometry) -> Int {
        let threads = g.threads
        let size = (g.batch + threads - 1) / threads
        return (g.batch + size - 1) / size
    }

    /// The bytes of activations (input and output) a micro-batch keeps at most: about one core's
    /// L2 cache, so that the primitive's passes over them (one per block of output channels)
    /// hit the cache. In `keras-bench cnn` predict (batch 256, one batch per core), the second
    /// convolution's 256-sample calls took 10.5–10.9 ms at best, and 27 ms at the median while
    /// other jobs used the machine (its 13 MB of activations per core competing for the shared
    /// L3 cache and memory); in 37-sample micro-batches it takes 42 µs a sample at the median,
    /// busy or quiet. 2 MiB measured best of 0.5, 1, 2 and 4 MiB (1 MiB split the first
    /// convolution into calls too small for its kernel). `KERAS_CONV_MICROBATCH_KB` in the
    /// environment overrides it, for measurements.
    static let microBatchBytes = getenv("KERAS_CONV_MICROBATCH_KB").flatMap { Int(String(cString: $0)) }.map { $0 << 10 } ?? (2 << 20)

    /// Samples per micro-batch of a sub-batch of `samples`: as many as fit ``microBatchBytes``
    /// (at least one), evened out so that the micro-batches differ by at most one sample.
    private static func microBatchSamples(_ g: ConvGeometry, samples: Int) -> Int {
        let bytes = (g.inputPositions * g.inChannels + g.outputPositions * g.outChannels) * MemoryLayout<Float>.size
        let most = Swift.max(1, microBatchBytes / Swift.max(1, bytes))
        let count = (samples + most - 1) / most
        return (samples + count - 1) / count
    }

    /// One primitive call's share of the batch: its geometry, the thread's piece, its first
    /// sample, and whether it is the first of its piece.
    private struct MicroBatch {
        var geometry: ConvGeometry, piece: Int, first: Int, leading: Bool
    }

    /// Runs `body` for each micro-batch: the batch is split into one sub-batch per thread (run in
    /// parallel), and each sub-batch into cache-sized micro-batches, run in order on its thread
    /// with one ``Call`` (stream, reordered kernel, scratchpad) shared between them. oneDNN's
    /// OpenMP team is kept at one thread (primitives are created that way too: oneDNN sizes its
    /// work split by the thread count it sees at creation). The split depends only on the
    /// geometry and the core count, so results do not depend on thread timing.
    private static func forEachMicroBatch(_ g: ConvGeometry, _ body: (inout Call, MicroBatch) -> Void) {
        let pieces = subBatches(g), size = (g.batch + pieces - 1) / pieces, micro = microBatchSamples(g, samples: size)
        withoutActuallyEscaping(body) { body in
            Parallel.forEachPiece(pieces, pieces: pieces, context: body) { _, range, body in
                for p in range {
                    let previous = Gemm.openMPMaxThreads?() ?? 1
                    Gemm.setOpenMPThreads?(1)
                    var call = Call()
                    let end = Swift.min(g.batch, (p + 1) * size)
                    var n0 = p * size
                    while n0 < end {
                        var sub = g
                        sub.batch = Swift.min(micro, end - n0)
                        body(&call, MicroBatch(geometry: sub, piece: p, first: n0, leading: n0 == p * size))
                        n0 += sub.batch
                    }
                    if previous != 1 { Gemm.setOpenMPThreads?(previous) }
                }
            }
        }
    }

    /// Whether inference on `g` runs the Winograd primitive (the plan made on first use).
    static func isWinograd(_ g: ConvGeometry) -> Bool { winogradEligible(g) && plan(g, .inference(relu: false)).winograd }

    /// Whether training on `g` computes the kernel gradient with the Winograd primitive.
    static func usesWinogradWeightGradient(_ g: ConvGeometry) -> Bool {
        winogradEligible(g) && plan(g, .training(bias: true, relu: false)).winogradWeights
    }

    /// Whether fused max pooling reads inference on `g`'s output in the Winograd primitive's
    /// blocked layout, without reordering it.
    static func poolsWinogradOutputInPlace(_ g: ConvGeometry) -> Bool {
        let plan = winogradEligible(g) ? plan(g, .inference(relu: false)) : nil
        return plan.map { $0.winograd && $0.fromWinogradY != nil && $0.winogradYBlocked } ?? false
    }

    /// The plan for a geometry, made on first use.
    private static func plan(_ g: ConvGeometry, _ mode: Mode) -> DNNLConvolution {
        let key = Key(geometry: g, mode: mode)
        return plans.withLock { plans in
            if let plan = plans[key] { return plan }
            if plans.count >= capacity { plans = [:] }
            let plan = DNNLConvolution(g, mode)
            plans[key] = plan
            return plan
        }
    }

    /// The stream, memory objects and buffers of one thread's primitive calls in one op,
    /// released at its end. The kernel is reordered once per layout and the scratchpad is
    /// shared by the calls.
    private struct Call: ~Copyable {
        var memories: [dnnl_memory_t] = []
        var buffers: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
        /// Kernels already reordered in this op, by layout.
        var reordered: [(layout: dnnl_memory_desc_t, memory: dnnl_memory_t)] = []
        var scratch: (pointer: UnsafeMutableRawPointer, bytes: Int)?
        /// Buffers for activations in a primitive's own layout, reused by the op's micro-batches.
        var staged: [(pointer: UnsafeMutableRawPointer, bytes: Int)?] = [nil, nil, nil]
        /// Objects whose buffers the calls read (cached Winograd kernels).
        var kept: [AnyObject] = []
        let stream: dnnl_stream_t

        init() {
            var stream: dnnl_stream_t?
            DNNLConvolution.check(dnnl_stream_create(&stream, DNNLConvolution.engine.value, dnnl_stream_default_flags.rawValue), "stream")
            self.stream = stream!
        }

        deinit {
            for m in memories { dnnl_memory_destroy(m) }
            for b in buffers { Self.release(b.pointer, bytes: b.bytes) }
            if let scratch { Self.release(scratch.pointer, bytes: scratch.bytes) }
            for case let buffer? in staged { Self.release(buffer.pointer, bytes: buffer.bytes) }
            dnnl_stream_destroy(stream)
        }

        /// A 64-byte aligned buffer: large ones from ``BufferPool`` (sparing their page faults).
        static func take(bytes: Int) -> UnsafeMutableRawPointer {
            bytes >= BufferPool.minimumBytes ? BufferPool.take(byteCount: bytes)
                                             : .allocate(byteCount: Swift.max(1, bytes), alignment: 64)
        }

        static func release(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
            if bytes >= BufferPool.minimumBytes { BufferPool.give(pointer, byteCount: bytes) } else { pointer.deallocate() }
        }

        /// Staging buffer `index` (0: the input in a Winograd primitive's layout, 1: its output or
        /// output gradient, 2: a channels-last output that pooling reads) with at least `bytes`, kept for the op's
        /// later micro-batches.
        mutating func staging(_ index: Int, bytes: Int) -> UnsafeMutableRawPointer {
            if let buffer = staged[index], buffer.bytes >= bytes { return buffer.pointer }
            if let buffer = staged[index] { Self.release(buffer.pointer, bytes: buffer.bytes) }
            let pointer = Self.take(bytes: bytes)
            staged[index] = (pointer, bytes)
            return pointer
        }

        /// A memory object over `pointer`, or over a new buffer when it is `nil`.
        mutating func memory(_ desc: UnsafeMutablePointer<dnnl_memory_desc_t>, _ pointer: UnsafeRawPointer?) -> dnnl_memory_t {
            var handle = pointer.map { UnsafeMutableRawPointer(mutating: $0) }
            if handle == nil {
                let bytes = dnnl_memory_desc_get_size(desc)
                let buffer = Self.take(bytes: bytes)
                buffers.append((buffer, bytes))
                handle = buffer
            }
            return wrap(desc, handle!)
        }

        private mutating func wrap(_ desc: UnsafePointer<dnnl_memory_desc_t>, _ handle: UnsafeMutableRawPointer) -> dnnl_memory_t {
            var memory: dnnl_memory_t?
            DNNLConvolution.check(dnnl_memory_create(&memory, desc, DNNLConvolution.engine.value, handle), "memory")
            memories.append(memory!)
            return memory!
        }

        /// The kernel `w` (Keras's layout) in the layout a primitive wants, reordered on the
        /// first request for that layout in this op.
        mutating func weights(_ w: UnsafePointer<Float>, _ user: UnsafeMutablePointer<dnnl_memory_desc_t>, _ reorder: Reorder?,
                              _ layout: UnsafeMutablePointer<dnnl_memory_desc_t>) -> dnnl_memory_t {
            guard let reorder else { return memory(user, w) }
            for var known in reordered where dnnl_memory_desc_equal(&known.layout, layout) != 0 { return known.memory }
            let source = memory(user, w)
            let target = memory(layout, nil)
            run(reorder, [(DNNL_ARG_FROM, source), (DNNL_ARG_TO, target)])
            reordered.append((layout.pointee, target))
            return target
        }

        /// Executes `reorder` with `arguments` and its own scratchpad layout.
        mutating func run(_ reorder: Reorder, _ arguments: [(Int32, dnnl_memory_t)]) {
            run(reorder.primitive, arguments, scratch: reorder.scratch)
        }

        /// Executes `primitive` with `arguments` and the scratchpad (layout `scratch`).
        mutating func run(_ primitive: dnnl_primitive_t, _ arguments: [(Int32, dnnl_memory_t)], scratch layout: UnsafeMutablePointer<dnnl_memory_desc_t>?) {
            var args = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1) }
            if let layout, case let bytes = dnnl_memory_desc_get_size(layout), bytes > 0 {
                if let scratch, scratch.bytes < bytes {
                    Self.release(scratch.pointer, bytes: scratch.bytes)
                    self.scratch = nil
                }
                if scratch == nil { scratch = (Self.take(bytes: bytes), bytes) }
                args.append(dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: wrap(layout, scratch!.pointer)))
            }
            DNNLConvolution.check(dnnl_primitive_execute(primitive, stream, Int32(args.count), args), "execution")
            DNNLConvolution.check(dnnl_stream_wait(stream), "stream wait")
        }
    }

    /// A reorder primitive and the layout of its scratchpad, which the caller provides (a
    /// library-managed one belongs to the primitive, and threads that run the same reorder at
    /// once, as a plan's threads do, would share it: the Winograd kernel transform uses one).
    final class Reorder: @unchecked Sendable {
        let primitive: dnnl_primitive_t
        let scratch = UnsafeMutablePointer<dnnl_memory_desc_t>.allocate(capacity: 1)

        /// A reorder between two layouts, or `nil` when they are the same.
        init?(from source: UnsafeMutablePointer<dnnl_memory_desc_t>, to target: UnsafeMutablePointer<dnnl_memory_desc_t>) {
            if dnnl_memory_desc_equal(source, target) != 0 { return nil }
            var attr: dnnl_primitive_attr_t?
            check(dnnl_primitive_attr_create(&attr), "attributes")
            defer { dnnl_primitive_attr_destroy(attr) }
            check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user), "scratchpad mode")
            var pd: dnnl_primitive_desc_t?
            check(dnnl_reorder_primitive_desc_create(&pd, source, engine.value, target, engine.value, attr), "reorder")
            defer { dnnl_primitive_desc_destroy(pd) }
            scratch.pointee = dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0).pointee
            var primitive: dnnl_primitive_t?
            check(dnnl_primitive_create(&primitive, pd), "reorder primitive")
            self.primitive = primitive!
        }

        deinit {
            dnnl_primitive_destroy(primitive)
            scratch.deallocate()
        }
    }

    private static func descriptor(_ dims: [Int], _ strides: [Int]) -> dnnl_memory_desc_t {
        var desc = dnnl_memory_desc_t()
        check(dnnl_memory_desc_init_by_strides(&desc, Int32(dims.count), dims.map(Int64.init), dnnl_f32, strides.map(Int64.init)),
              "memory descriptor")
        return desc
    }

    private static func check(_ status: dnnl_status_t, _ what: String) {
        require(status == dnnl_success, "conv: oneDNN \(what) failed with status \(status.rawValue)")
    }
}
