import Foundation
import KerasCore
import KerasTestSupport
import Testing

/// Value tests against NumPy/Keras fixtures written by `Tests/Fixtures/ops_generate.py`.
/// Each fixture case names the Swift expression under test; every case must have one and every
/// expression must have a case, so nothing is skipped silently.
@Suite struct OpFixtureTests {
    typealias Op = ([Tensor]) -> Tensor

    /// Runs every case of `file` through `ops`, comparing dtype, shape and values.
    func check(_ file: String, _ ops: [String: Op], rtol: Double = 1e-5, atol: Double = 1e-6,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let root = try #require(try loadFixture(file) as? [String: Any], sourceLocation: sourceLocation)
        let cases = try #require(root["cases"] as? [[String: Any]], sourceLocation: sourceLocation)
        var seen: Set<String> = []
        for c in cases {
            let name = c["name"] as! String
            seen.insert(name)
            guard let op = ops[name] else {
                Issue.record("\(file): no Swift expression for case '\(name)'", sourceLocation: sourceLocation)
                continue
            }
            let inputs = (c["inputs"] as! [Any]).map(tensorFromFixture)
            let expected = tensorFromFixture(c["expected"]!)
            let actual = op(inputs)
            #expect(actual.dtype == expected.dtype, "\(name): dtype \(actual.dtype) ≠ \(expected.dtype)", sourceLocation: sourceLocation)
            assertClose(actual, expected, rtol: rtol, atol: atol, name, sourceLocation: sourceLocation)
        }
        for name in ops.keys where !seen.contains(name) {
            Issue.record("\(file): no fixture case for '\(name)'", sourceLocation: sourceLocation)
        }
    }

    @Test func elementwise() throws {
        var ops: [String: Op] = [
            "exp": { $0[0].exp() }, "log": { $0[0].log() }, "log1p": { log1p($0[0]) }, "expm1": { $0[0].expm1() },
            "sqrt": { sqrt($0[0]) }, "rsqrt": { $0[0].rsqrt() }, "square": { $0[0].square() }, "abs": { abs($0[0]) },
            "sin": { $0[0].sin() }, "cos": { cos($0[0]) }, "tanh": { $0[0].tanh() }, "sigmoid": { sigmoid($0[0]) },
            "erf": { $0[0].erf() }, "relu": { relu($0[0]) }, "negative": { -$0[0] },
            "sign": { $0[0].sign() }, "sign_int": { sign($0[0]) }, "abs_int": { $0[0].abs() }, "exp_empty": { $0[0].exp() },
            "add_number_right": { $0[0] + 2.5 }, "add_number_left": { 2.5 + $0[0] },
            "subtract_number_left": { 2.5 - $0[0] }, "subtract_number_right": { $0[0] - 2.5 },
            "multiply_number_left": { 3 * $0[0] }, "divide_number_left": { 3 / $0[0] },
            "divide_number_right": { $0[0] / 4 }, "power_number": { $0[0] ** 3 },
            "clip": { clip($0[0], -0.5, 1.0) },
            "add_int": { $0[0] + $0[1] }, "multiply_int": { $0[0] * $0[1] }, "maximum_int": { maximum($0[0], $0[1]) },
            "maximum_nan": { $0[0].maximum($0[1]) },
            "equal": { $0[0] .== $0[1] }, "not_equal": { $0[0] .!= $0[1] }, "less": { $0[0] .< $0[1] },
            "less_equal": { $0[0] .<= $0[1] }, "greater": { $0[0] .> $0[1] }, "greater_equal": { $0[0] .>= $0[1] },
            "greater_number": { $0[0] .> 1 }, "equal_int": { $0[0].equal($0[1]) },
            "logical_and": { $0[0] .&& $0[1] }, "logical_or": { $0[0] .|| $0[1] },
            "logical_xor": { $0[0].logicalXor($0[1]) }, "logical_not": { $0[0].logicalNot() },
            "where": { `where`($0[0], $0[1], $0[2]) }, "where_col": { `where`($0[0], $0[1], $0[2]) },
            "is_nan": { $0[0].isNaN() }, "is_finite": { $0[0].isFinite() },
        ]
        let binary: [String: Op] = [
            "add": { $0[0] + $0[1] }, "subtract": { $0[0] - $0[1] }, "multiply": { $0[0] * $0[1] },
            "divide": { $0[0] / $0[1] }, "maximum": { maximum($0[0], $0[1]) }, "minimum": { $0[0].minimum($0[1]) },
            "power": { pow($0[0], $0[1]) },
        ]
        for tag in ["same", "row", "col", "outer", "rank3", "scalar_left", "scalar_right", "size1", "empty", "empty_inner"] {
            for (name, op) in binary { ops["\(name)_\(tag)"] = op }
        }
        try check("ops_elementwise.json", ops)
    }

    @Test func reductions() throws {
        var ops: [String: Op] = [
            "argmax_none": { $0[0].argmax() }, "argmax_ties": { $0[0].argmax(axis: 1) },
            "max_ties": { $0[0].max(axes: [1]) }, "sum_int": { $0[0].sum(axes: [0]) }, "mean_int": { $0[0].mean(axes: [1]) },
            "sum_empty_axis": { $0[0].sum(axes: [0]) }, "sum_empty_keep": { $0[0].sum(axes: [1], keepDims: true) },
            "prod_empty": { $0[0].prod() }, "logsumexp_inf": { $0[0].logSumExp(axes: [1]) },
            "any_1": { $0[0].any(axes: [1]) }, "all_0": { $0[0].all(axes: [0]) }, "sum_bool": { $0[0].sum() },
        ]
        let axes: [String: [Int]?] = ["all": nil, "0": [0], "1": [1], "m1": [-1], "02": [0, 2], "12": [1, 2]]
        for (tag, ax) in axes {
            for keep in [false, true] {
                let suffix = "\(tag)_\(keep ? "keep" : "drop")"
                ops["sum_\(suffix)"] = { sum($0[0], axes: ax, keepDims: keep) }
                ops["mean_\(suffix)"] = { mean($0[0], axes: ax, keepDims: keep) }
                ops["max_\(suffix)"] = { $0[0].max(axes: ax, keepDims: keep) }
                ops["min_\(suffix)"] = { $0[0].min(axes: ax, keepDims: keep) }
                ops["prod_\(suffix)"] = { $0[0].prod(axes: ax, keepDims: keep) }
                ops["variance_\(suffix)"] = { $0[0].variance(axes: ax, keepDims: keep) }
                ops["std_\(suffix)"] = { $0[0].std(axes: ax, keepDims: keep) }
                ops["logsumexp_\(suffix)"] = { $0[0].logSumExp(axes: ax, keepDims: keep) }
            }
        }
        for ax in [0, 1, -1] {
            ops["argmax_\(ax)"] = { $0[0].argmax(axis: ax) }
            ops["argmin_\(ax)"] = { $0[0].argmin(axis: ax) }
        }
        try check("ops_reduction.json", ops, rtol: 2e-5)
    }

    @Test func linearAlgebra() throws {
        var ops: [String: Op] = [
            "dot_2d": { dot($0[0], $0[1]) }, "matmul_float64": { $0[0].matmul($0[1]) },
            "matmul_int": { matmul($0[0], $0[1]) },
            "tensordot_lists": { tensordot($0[0], $0[1], axes: ([1, 2], [1, 0])) },
            "tensordot_2": { $0[0].tensordot($0[1]) }, "tensordot_0": { tensordot($0[0], $0[1], axes: 0) },
            "einsum_empty_contraction": { einsum("ij,jk->ik", $0[0], $0[1]) },
            "tensordot_empty": { tensordot($0[0], $0[1], axes: 1) },
        ]
        for tag in ["2d", "batched", "broadcast_batch", "batch_vs_2d", "vec_mat", "mat_vec", "vec_vec", "empty_k", "empty_m"] {
            ops["matmul_\(tag)"] = { matmul($0[0], $0[1]) }
        }
        for eq in ["ij,jk->ik", "bij,bjk->bik", "ij->ji", "ij->j", "ii->i", "ii->", "i,j->ij", "ij,ij->i",
                   "...ij,...jk->...ik", "ij,jk", "bhqd,bhkd->bhqk", "ij,jk,kl->il", "i,i->", "ijk->kij",
                   "ij,kj->ikj", "...ij,jk->...ik", "bi,bj->bij"] {
            ops["einsum \(eq)"] = { einsum(eq, $0) }
        }
        try check("ops_linalg.json", ops, rtol: 1e-5, atol: 1e-5)
    }

    @Test func shapesAndIndexing() throws {
        var ops: [String: Op] = [
            "reshape_m1": { $0[0].reshaped(to: [4, -1]) }, "reshape_scalar": { $0[0].reshaped(to: []) },
            "reshape_empty": { $0[0].reshaped(to: [2, 0, 3]) },
            "transpose_default": { $0[0].transposed() }, "transpose_perm": { $0[0].transposed([1, 0, 2]) },
            "transpose_negative": { $0[0].transposed([-1, 0, 1]) },
            "expand_dims_0": { $0[0].expandingDims(at: 0) }, "expand_dims_m1": { $0[0].expandingDims(at: -1) },
            "squeeze_all": { $0[0].squeezing() }, "squeeze_axis": { $0[0].squeezing(axes: [2]) },
            "broadcast_to": { $0[0].broadcast(to: [2, 3, 4]) },
            "concatenate_1": { concatenate($0, axis: 1) }, "concatenate_0": { concatenate($0) },
            "concatenate_mixed_dtype": { concatenate($0, axis: 0) },
            "tile_2d": { $0[0].tile([2, 2]) }, "tile_short": { tile($0[0], [3]) },
            "tile_long": { $0[0].tile([2, 1, 2]) }, "tile_zero": { $0[0].tile([0, 2]) },
            "pad_both": { $0[0].pad([(1, 2), (0, 1)]) }, "pad_value": { pad($0[0], [(0, 0), (2, 0)], value: -1.5) },
            "pad_none": { $0[0].pad((0, 0)) }, "pad_empty": { $0[0].pad([(1, 1), (0, 0)], value: 3) },
            "subscript_0": { $0[0][0] }, "subscript_m1": { $0[0][-1] }, "subscript_1_1to3": { $0[0][1, 1..<3] },
            "subscript_all_0": { $0[0][.all, 0] }, "subscript_ellipsis_0": { $0[0][..., 0] },
            "subscript_0_1from": { $0[0][0, 1...] }, "subscript_upto2": { $0[0][.all, ..<2] },
            "subscript_through1": { $0[0][.all, ...1, 1] }, "subscript_stride2": { $0[0][..., .stride(nil, nil, by: 2)] },
            "subscript_stride_neg": { $0[0][.all, .stride(nil, nil, by: -1)] },
            "subscript_stride_1_m1_2": { $0[0][0, 0, .stride(1, -1, by: 2)] },
            "subscript_newaxis": { $0[0][.newAxis] }, "subscript_newaxis_mid": { $0[0][0, .newAxis, 1] },
            "subscript_neg_range": { $0[0][.all, (-2)...] }, "subscript_scalar": { $0[0][1, 2, 3] },
            "subscript_empty_range": { $0[0][.all, 2..<2] }, "subscript_out_of_range_clamps": { $0[0][.all, 1..<10] },
            "subscript_closed_neg": { $0[0][.all, -3 ... -1] }, "subscript_stride_neg_from": { $0[0][0, .stride(2, nil, by: -2)] },
            "subscript_ellipsis_newaxis": { $0[0][..., .newAxis] }, "subscript_closed_range": { $0[0][0, 0...1] },
            "take_axis0": { $0[0].take($0[1], axis: 0) }, "take_axis1_2d": { take($0[0], $0[1], axis: 1) },
            "take_flat": { $0[0].take($0[1]) }, "take_scalar_index": { $0[0].take($0[1], axis: 0) },
            "take_empty": { $0[0].take($0[1], axis: 0) }, "take_along_axis": { takeAlongAxis($0[0], $0[1], axis: 1) },
            "one_hot": { oneHot($0[0], depth: 3) }, "one_hot_negative": { $0[0].oneHot(depth: 3) },
            "one_hot_axis0": { oneHot($0[0], depth: 3, axis: 0) },
            "softmax_0": { $0[0].softmax(axis: 0) }, "softmax_-1": { softmax($0[0]) },
            "log_softmax_0": { $0[0].logSoftmax(axis: 0) }, "log_softmax_-1": { logSoftmax($0[0]) },
            "sort_m1": { $0[0].sort() }, "sort_0": { sort($0[0], axis: 0) }, "argsort_m1": { argsort($0[0]) },
            "argsort_0": { $0[0].argsort(axis: 0) }, "sort_nan": { $0[0].sort() },
            "top_k_values": { $0[0].topK(2).values }, "top_k_indices": { topK($0[0], k: 2).indices },
            "cumsum_none": { $0[0].cumsum() }, "cumsum_0": { cumsum($0[0], axis: 0) }, "cumsum_1": { $0[0].cumsum(axis: 1) },
            "cumsum_int": { $0[0].cumsum() }, "cumprod_1": { cumprod($0[0], axis: -1) },
            "cumsum_empty": { $0[0].cumsum(axis: 1) },
            "sort_empty": { $0[0].sort() }, "argsort_empty": { $0[0].argsort(axis: 0) },
            "softmax_empty": { $0[0].softmax() }, "top_k_empty": { $0[0].topK(2).values },
            "tile_empty": { $0[0].tile([2, 3]) }, "one_hot_empty": { oneHot($0[0], depth: 4) },
            "take_along_axis_empty": { $0[0].takeAlongAxis($0[1], axis: 1) },
            "subscript_empty_tensor": { $0[0][.all, 1...] }, "stack_empty": { stack([$0[0], $0[0]], axis: 1) },
            "transpose_empty": { $0[0].T },
        ]
        for ax in [0, 1, -1] { ops["stack_\(ax)"] = { stack([$0[0], $0[0] * 2], axis: ax) } }
        for i in 0..<3 {
            ops["split_sizes_\(i)"] = { $0[0].split(sizes: [1, 2, 3], axis: 0)[i] }
            ops["split_count_\(i)"] = { $0[0].split(count: 3)[i] }
        }
        try check("ops_shape.json", ops)
    }

    @Test func creation() throws {
        let ops: [String: Op] = [
            "zeros": { _ in Tensor.zeros([2, 3]) }, "ones_int": { _ in Tensor.ones([3], dtype: .int32) },
            "full": { _ in Tensor.full([2, 2], 7.5) }, "full_empty": { _ in Tensor.full([0, 2], 1) },
            "arange_stop": { _ in Tensor.arange(5) }, "arange_start_stop": { _ in Tensor.arange(2, 7) },
            "arange_step": { _ in Tensor.arange(0, 1, step: 0.25) }, "arange_negative_step": { _ in Tensor.arange(5, 0, step: -2) },
            "arange_fractional_count": { _ in Tensor.arange(0, 1, step: 0.3) }, "arange_empty": { _ in Tensor.arange(3, 1) },
            "linspace": { _ in Tensor.linspace(0, 1, count: 5) },
            "linspace_no_endpoint": { _ in Tensor.linspace(0, 1, count: 4, endpoint: false) },
            "linspace_one": { _ in Tensor.linspace(2, 3, count: 1) },
            "eye": { _ in Tensor.eye(3) }, "eye_rect_k": { _ in Tensor.eye(3, 4, k: 1) }, "eye_neg_k": { _ in Tensor.eye(3, k: -1) },
        ]
        try check("ops_creation.json", ops)
    }

    @Test func dtypePromotionAndCasts() throws {
        let ops: [String: Op] = [
            "int_plus_float": { $0[0] + $0[1] }, "int_divide_int": { $0[0] / $0[1] },
            "int_plus_python_float": { $0[0] + 2.5 }, "int_times_python_int": { $0[0] * 3 },
            "int_divide_python_int": { $0[0] / 2 }, "float_plus_python_int": { $0[0] + 2 },
            "bool_plus_int": { $0[0] + $0[1] }, "bool_plus_bool": { $0[0] + $0[1] }, "bool_times_bool": { $0[0] * $0[1] },
            "bool_plus_python_int": { $0[0] + 1 }, "bool_times_python_float": { $0[0] * 2.5 },
            "bool_divide_bool": { $0[0] / $0[1] }, "max_bool": { $0[0].max() },
            "int_power_int": { $0[0] ** $0[1] }, "int_power_python_int": { $0[0] ** 2 },
            "int_power_python_float": { $0[0].pow(0.5) }, "negative_int": { -$0[0] }, "mean_int": { $0[0].mean() }, "sum_int": { $0[0].sum() },
            "argmax": { $0[0].argmax() },
            "cast_float_to_int": { $0[0].cast(to: .int32) }, "cast_float_to_bool": { $0[0].cast(to: .bool) },
            "cast_bool_to_float": { $0[0].cast(to: .float32) }, "cast_int_to_float": { $0[0].cast(to: .float32) },
            "sqrt_int": { $0[0].sqrt() }, "softmax_int": { $0[0].softmax() },
            "int_compare_float": { $0[0] .< $0[1] }, "maximum_int_float": { maximum($0[0], $0[1]) },
            "int64_plus_int32": { $0[0] + $0[1] }, "float64_plus_float32": { $0[0] + $0[1] },
        ]
        try check("ops_dtype.json", ops)
    }
}
