"""Generates the NumPy/Keras reference fixtures for the KerasCore op tests.

Run from the repository root:  python3 Tests/Fixtures/ops_generate.py
Writes Tests/Fixtures/ops_<area>.json. Each file is {"cases": [{"name", "inputs", "expected"}]};
a tensor is {"shape", "dtype", "data"} with flat row-major data ("nan"/"inf" as strings, bools 0/1).
The Swift tests map each case name to the Swift expression under test.
Expected values come from NumPy; result dtypes follow keras.ops (checked against Keras with the
JAX backend in the "dtype" area), e.g. integer sums stay int32 and int/int division is float32.
"""
import json
import math
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1234)


def enc(a, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    name = {"float32": "float32", "float64": "float64", "int32": "int32", "int64": "int64", "bool": "bool"}[str(a.dtype)]
    data = []
    for v in a.reshape(-1).tolist():
        if isinstance(v, bool):
            data.append(1 if v else 0)
        elif isinstance(v, float) and math.isnan(v):
            data.append("nan")
        elif isinstance(v, float) and math.isinf(v):
            data.append("inf" if v > 0 else "-inf")
        else:
            data.append(v)
    return {"shape": list(a.shape), "dtype": name, "data": data}


def rand(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def rand_int(*shape, lo=-5, hi=6):
    return rng.integers(lo, hi, size=shape).astype(np.int32)


class Area:
    def __init__(self, name):
        self.name, self.cases = name, []

    def add(self, name, inputs, expected, dtype=None):
        assert all(c["name"] != name for c in self.cases), name
        self.cases.append({"name": name, "inputs": [enc(x) for x in inputs], "expected": enc(expected, dtype)})

    def write(self):
        with open(os.path.join(HERE, f"ops_{self.name}.json"), "w") as f:
            json.dump({"cases": self.cases}, f, separators=(",", ":"))
            f.write("\n")


def f32(x):
    return np.asarray(x, dtype=np.float32)


# ---------------------------------------------------------------- elementwise
ew = Area("elementwise")
x = rand(2, 3)
pos = rand(2, 3, lo=0.1, hi=3.0)
erf = np.vectorize(math.erf)
unary = {
    "exp": (x, np.exp), "log": (pos, np.log), "log1p": (pos, np.log1p), "expm1": (x, np.expm1),
    "sqrt": (pos, np.sqrt), "rsqrt": (pos, lambda v: 1 / np.sqrt(v)), "square": (x, np.square),
    "abs": (x, np.abs), "sin": (x, np.sin), "cos": (x, np.cos), "tanh": (x, np.tanh),
    "sigmoid": (x, lambda v: 1 / (1 + np.exp(-v))), "erf": (x, erf), "relu": (x, lambda v: np.maximum(v, 0)),
    "negative": (x, np.negative),
}
for name, (inp, fn) in unary.items():
    ew.add(name, [inp], f32(fn(inp.astype(np.float64))))
ew.add("sign", [f32([-2.5, 0.0, 3.0, -0.0])], f32([-1, 0, 1, 0]))
ew.add("sign_int", [np.array([-3, 0, 4], np.int32)], np.array([-1, 0, 1], np.int32))
ew.add("abs_int", [np.array([-3, 0, 4], np.int32)], np.array([3, 0, 4], np.int32))
ew.add("exp_empty", [np.zeros((0, 3), np.float32)], np.zeros((0, 3), np.float32))

shape_pairs = {
    "same": ((2, 3), (2, 3)), "row": ((2, 3), (3,)), "col": ((2, 3), (2, 1)), "outer": ((2, 1), (1, 3)),
    "rank3": ((4, 1, 3), (2, 1)), "scalar_left": ((), (2, 3)), "scalar_right": ((2, 3), ()),
    "size1": ((1,), (3,)), "empty": ((0, 3), (1, 3)), "empty_inner": ((2, 0), (2, 1)),
}
binary = {
    "add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide,
    "maximum": np.maximum, "minimum": np.minimum,
}
for tag, (sa, sb) in shape_pairs.items():
    a, b = rand(*sa), rand(*sb, lo=0.5, hi=2.0)
    for name, fn in binary.items():
        ew.add(f"{name}_{tag}", [a, b], f32(fn(a, b)))
    base = rand(*sa, lo=0.2, hi=2.0)
    ew.add(f"power_{tag}", [base, b], f32(np.power(base.astype(np.float64), b)))
xs = rand(2, 3, lo=0.5, hi=2.0)
ew.add("add_number_right", [xs], f32(xs + 2.5))
ew.add("add_number_left", [xs], f32(2.5 + xs))
ew.add("subtract_number_left", [xs], f32(2.5 - xs))
ew.add("subtract_number_right", [xs], f32(xs - 2.5))
ew.add("multiply_number_left", [xs], f32(3.0 * xs))
ew.add("divide_number_left", [xs], f32(3.0 / xs))
ew.add("divide_number_right", [xs], f32(xs / 4.0))
ew.add("power_number", [xs], f32(np.power(xs.astype(np.float64), 3.0)))
ew.add("clip", [x], f32(np.clip(x, -0.5, 1.0)))
ia, ib = rand_int(2, 3), rand_int(3, lo=1, hi=4)
ew.add("add_int", [ia, ib], (ia + ib).astype(np.int32))
ew.add("multiply_int", [ia, ib], (ia * ib).astype(np.int32))
ew.add("maximum_int", [ia, ib], np.maximum(ia, ib))
ew.add("maximum_nan", [f32([1.0, np.nan, 3.0]), f32([2.0, 1.0, np.nan])], f32([2.0, np.nan, np.nan]))

ca, cb = f32(rng.integers(0, 3, (2, 3))), f32(rng.integers(0, 3, (3,)))
comparisons = {"equal": np.equal, "not_equal": np.not_equal, "less": np.less, "less_equal": np.less_equal,
               "greater": np.greater, "greater_equal": np.greater_equal}
for name, fn in comparisons.items():
    ew.add(name, [ca, cb], fn(ca, cb))
ew.add("greater_number", [ca], ca > 1.0)
ew.add("equal_int", [ia, ib], np.equal(ia, ib))
ba, bb = rng.random((2, 3)) > 0.5, rng.random((3,)) > 0.5
ew.add("logical_and", [ba, bb], np.logical_and(ba, bb))
ew.add("logical_or", [ba, bb], np.logical_or(ba, bb))
ew.add("logical_xor", [ba, bb], np.logical_xor(ba, bb))
ew.add("logical_not", [ba], np.logical_not(ba))
wc, wx, wy = rng.random((2, 3)) > 0.5, rand(3), rand()
ew.add("where", [wc, wx, np.asarray(wy)], f32(np.where(wc, wx, wy)))
wc2, wx2, wy2 = rng.random((2, 1)) > 0.5, rand(2, 3), rand(1, 3)
ew.add("where_col", [wc2, wx2, wy2], f32(np.where(wc2, wx2, wy2)))
special = f32([np.nan, np.inf, -np.inf, 1.0, 0.0])
ew.add("is_nan", [special], np.isnan(special))
ew.add("is_finite", [special], np.isfinite(special))
ew.write()

# ---------------------------------------------------------------- reductions
rd = Area("reduction")
r = rand(2, 3, 4)
axes_cases = {"all": None, "0": (0,), "1": (1,), "m1": (-1,), "02": (0, 2), "12": (1, 2)}
red = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod,
       "variance": np.var, "std": np.std}
for tag, ax in axes_cases.items():
    for keep in (False, True):
        for name, fn in red.items():
            rd.add(f"{name}_{tag}_{'keep' if keep else 'drop'}", [r],
                   f32(fn(r.astype(np.float64), axis=ax, keepdims=keep)))
        lse = np.log(np.sum(np.exp(r.astype(np.float64)), axis=ax, keepdims=keep))
        rd.add(f"logsumexp_{tag}_{'keep' if keep else 'drop'}", [r], f32(lse))
for ax in (0, 1, -1):
    rd.add(f"argmax_{ax}", [r], np.argmax(r, axis=ax), "int32")
    rd.add(f"argmin_{ax}", [r], np.argmin(r, axis=ax), "int32")
rd.add("argmax_none", [r], np.argmax(r), "int32")
ties = f32([[1, 3, 3], [2, 2, 0]])
rd.add("argmax_ties", [ties], np.argmax(ties, axis=1), "int32")
rd.add("max_ties", [ties], f32(np.max(ties, axis=1)))
ri = rand_int(3, 4)
rd.add("sum_int", [ri], np.sum(ri, axis=0), "int32")
rd.add("mean_int", [ri], np.mean(ri, axis=1), "float32")
rd.add("sum_empty_axis", [np.zeros((0, 3), np.float32)], np.zeros((3,), np.float32))
rd.add("sum_empty_keep", [np.zeros((2, 0), np.float32)], np.zeros((2, 1), np.float32))
rd.add("prod_empty", [np.zeros((0,), np.float32)], f32(1.0))
rd.add("logsumexp_inf", [f32([[-np.inf, -np.inf], [0.0, -np.inf]])], f32([-np.inf, 0.0]))
bb2 = rng.random((2, 3)) > 0.4
rd.add("any_1", [bb2], np.any(bb2, axis=1))
rd.add("all_0", [bb2], np.all(bb2, axis=0))
rd.add("sum_bool", [bb2], np.sum(bb2), "int32")
rd.write()

# ---------------------------------------------------------------- linear algebra
la = Area("linalg")
pairs = {
    "2d": ((2, 3), (3, 4)), "batched": ((2, 2, 3), (2, 3, 4)), "broadcast_batch": ((2, 1, 2, 3), (3, 3, 4)),
    "batch_vs_2d": ((3, 2, 3), (3, 4)), "vec_mat": ((3,), (3, 4)), "mat_vec": ((2, 3), (3,)),
    "vec_vec": ((3,), (3,)), "empty_k": ((2, 0), (0, 3)), "empty_m": ((0, 3), (3, 2)),
}
for tag, (sa, sb) in pairs.items():
    a, b = rand(*sa), rand(*sb)
    la.add(f"matmul_{tag}", [a, b], f32(np.matmul(a.astype(np.float64), b)))
a, b = rand(2, 3), rand(3, 2)
la.add("dot_2d", [a, b], f32(a.astype(np.float64) @ b))
la.add("matmul_float64", [a.astype(np.float64), b.astype(np.float64)], a.astype(np.float64) @ b.astype(np.float64))
ma, mb = rand_int(2, 3), rand_int(3, 2)
la.add("matmul_int", [ma, mb], (ma @ mb).astype(np.int32))
ta, tb = rand(2, 3, 4), rand(4, 3, 5)
la.add("tensordot_lists", [ta, tb], f32(np.tensordot(ta.astype(np.float64), tb, axes=([1, 2], [1, 0]))))
tc = rand(3, 4, 2)
la.add("tensordot_2", [ta, tc], f32(np.tensordot(ta.astype(np.float64), tc, axes=2)))
t0a, t0b = rand(2), rand(3)
la.add("tensordot_0", [t0a, t0b], f32(np.tensordot(t0a.astype(np.float64), t0b, axes=0)))
einsums = {
    "ij,jk->ik": [(2, 3), (3, 4)], "bij,bjk->bik": [(2, 2, 3), (2, 3, 4)], "ij->ji": [(2, 3)],
    "ij->j": [(2, 3)], "ii->i": [(3, 3)], "ii->": [(3, 3)], "i,j->ij": [(2,), (3,)], "ij,ij->i": [(2, 3), (2, 3)],
    "...ij,...jk->...ik": [(2, 2, 3), (2, 3, 4)], "ij,jk": [(2, 3), (3, 4)], "bhqd,bhkd->bhqk": [(1, 2, 3, 4), (1, 2, 5, 4)],
    "ij,jk,kl->il": [(2, 3), (3, 4), (4, 2)], "i,i->": [(4,), (4,)], "ijk->kij": [(2, 3, 4)], "ij,kj->ikj": [(2, 3), (4, 3)],
    "...ij,jk->...ik": [(2, 1, 2, 3), (3, 4)], "bi,bj->bij": [(1, 3), (2, 4)],
}
for eq, shapes in einsums.items():
    ops_ = [rand(*s) for s in shapes]
    la.add(f"einsum {eq}", ops_, f32(np.einsum(eq, *[o.astype(np.float64) for o in ops_])))
ee_a, ee_b = np.zeros((2, 0), np.float32), np.zeros((0, 3), np.float32)
la.add("einsum_empty_contraction", [ee_a, ee_b], np.einsum("ij,jk->ik", ee_a, ee_b))
la.add("tensordot_empty", [ee_a, ee_b], np.tensordot(ee_a, ee_b, axes=1))
la.write()

# ---------------------------------------------------------------- shape and indexing
sh = Area("shape")
s = rand(2, 3, 4)
sh.add("reshape_m1", [s], s.reshape(4, -1))
sh.add("reshape_scalar", [f32([5.0])], f32(5.0))
sh.add("reshape_empty", [np.zeros((0, 4), np.float32)], np.zeros((2, 0, 3), np.float32))
sh.add("transpose_default", [s], np.transpose(s))
sh.add("transpose_perm", [s], np.transpose(s, (1, 0, 2)))
sh.add("transpose_negative", [s], np.transpose(s, (-1, 0, 1)))
sh.add("expand_dims_0", [s], np.expand_dims(s, 0))
sh.add("expand_dims_m1", [s], np.expand_dims(s, -1))
q = rand(1, 3, 1)
sh.add("squeeze_all", [q], np.squeeze(q))
sh.add("squeeze_axis", [q], np.squeeze(q, axis=2))
bt = rand(3, 1)
sh.add("broadcast_to", [bt], np.broadcast_to(bt, (2, 3, 4)))
c1, c2, c3 = rand(2, 3), rand(2, 1), rand(2, 0)
sh.add("concatenate_1", [c1, c2, c3], np.concatenate([c1, c2, c3], axis=1))
c4 = rand(1, 3)
sh.add("concatenate_0", [c1, c4], np.concatenate([c1, c4], axis=0))
ci = rand_int(1, 3)
sh.add("concatenate_mixed_dtype", [c1, ci], np.concatenate([c1, ci.astype(np.float32)], axis=0))
for ax in (0, 1, -1):
    sh.add(f"stack_{ax}", [c1, c1 * 2], np.stack([c1, c1 * 2], axis=ax))
sp = rand(6, 2)
for i, part in enumerate(np.split(sp, [1, 3], axis=0)):
    sh.add(f"split_sizes_{i}", [sp], part)
for i, part in enumerate(np.split(sp, 3, axis=0)):
    sh.add(f"split_count_{i}", [sp], part)
tl = rand(2, 3)
for tag, reps in {"2d": (2, 2), "short": (3,), "long": (2, 1, 2), "zero": (0, 2)}.items():
    sh.add(f"tile_{tag}", [tl], np.tile(tl, reps))
for tag, (w, v) in {"both": (((1, 2), (0, 1)), 0.0), "value": (((0, 0), (2, 0)), -1.5), "none": (((0, 0), (0, 0)), 0.0)}.items():
    sh.add(f"pad_{tag}", [tl], np.pad(tl, w, constant_values=v))
pe = np.zeros((0, 2), np.float32)
sh.add("pad_empty", [pe], np.pad(pe, ((1, 1), (0, 0)), constant_values=3.0))

g = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
subs = {
    "0": lambda a: a[0], "m1": lambda a: a[-1], "1_1to3": lambda a: a[1, 1:3], "all_0": lambda a: a[:, 0],
    "ellipsis_0": lambda a: a[..., 0], "0_1from": lambda a: a[0, 1:], "upto2": lambda a: a[:, :2],
    "through1": lambda a: a[:, :2, 1], "stride2": lambda a: a[:, :, ::2], "stride_neg": lambda a: a[:, ::-1],
    "stride_1_m1_2": lambda a: a[0, 0, 1:-1:2], "newaxis": lambda a: a[None], "newaxis_mid": lambda a: a[0, None, 1],
    "neg_range": lambda a: a[:, -2:], "scalar": lambda a: a[1, 2, 3], "empty_range": lambda a: a[:, 2:2],
    "out_of_range_clamps": lambda a: a[:, 1:10], "closed_neg": lambda a: a[:, -3:], "stride_neg_from": lambda a: a[0, 2::-2],
    "ellipsis_newaxis": lambda a: a[..., None], "closed_range": lambda a: a[0, 0:2],
}
for tag, fn in subs.items():
    sh.add(f"subscript_{tag}", [g], fn(g))

tk = rand(4, 3)
sh.add("take_axis0", [tk, np.array([2, 0, 2], np.int32)], np.take(tk, [2, 0, 2], axis=0))
sh.add("take_axis1_2d", [tk, np.array([[0, 1], [2, -1]], np.int32)], np.take(tk, [[0, 1], [2, -1]], axis=1))
sh.add("take_flat", [tk, np.array([11, 0, -2], np.int32)], np.take(tk, [11, 0, -2]))
sh.add("take_scalar_index", [tk, np.array(1, np.int32)], np.take(tk, 1, axis=0))
sh.add("take_empty", [tk, np.zeros((0,), np.int32)], np.take(tk, np.zeros((0,), np.int32), axis=0))
tai = rng.integers(0, 3, (4, 2)).astype(np.int32)
sh.add("take_along_axis", [tk, tai], np.take_along_axis(tk, tai, axis=1))
oh = np.array([[0, 2], [1, 5]], np.int32)
sh.add("one_hot", [oh], f32(np.eye(3)[np.clip(oh, 0, 2)] * (oh < 3)[..., None]))
sh.add("one_hot_negative", [np.array([-1, 1], np.int32)], f32([[0, 0, 0], [0, 1, 0]]))
sh.add("one_hot_axis0", [np.array([0, 2], np.int32)], f32(np.eye(3)[[0, 2]].T))
sm = rand(2, 3)
for ax in (0, -1):
    e = np.exp(sm.astype(np.float64) - sm.max(axis=ax, keepdims=True))
    sh.add(f"softmax_{ax}", [sm], f32(e / e.sum(axis=ax, keepdims=True)))
    sh.add(f"log_softmax_{ax}", [sm], f32(np.log(e / e.sum(axis=ax, keepdims=True))))
so = f32([[3, 1, 2, 1], [0, -1, 5, 5]])
sh.add("sort_m1", [so], np.sort(so, axis=-1))
sh.add("sort_0", [so], np.sort(so, axis=0))
sh.add("argsort_m1", [so], np.argsort(so, axis=-1, kind="stable"), "int32")
sh.add("argsort_0", [so], np.argsort(so, axis=0, kind="stable"), "int32")
sh.add("sort_nan", [f32([2, np.nan, 1])], f32([1, 2, np.nan]))
tki = np.argsort(-so, axis=-1, kind="stable")[:, :2]
sh.add("top_k_values", [so], np.take_along_axis(so, tki, axis=-1))
sh.add("top_k_indices", [so], tki, "int32")
cs = rand(2, 3)
sh.add("cumsum_none", [cs], np.cumsum(cs))
sh.add("cumsum_0", [cs], np.cumsum(cs, axis=0))
sh.add("cumsum_1", [cs], np.cumsum(cs, axis=1))
csi = rand_int(4)
sh.add("cumsum_int", [csi], np.cumsum(csi), "int32")
sh.add("cumprod_1", [cs], np.cumprod(cs, axis=1))
sh.add("cumsum_empty", [np.zeros((2, 0), np.float32)], np.zeros((2, 0), np.float32))
# empty dimensions
e03, e20 = np.zeros((0, 3), np.float32), np.zeros((2, 0), np.float32)
sh.add("sort_empty", [e20], np.sort(e20, axis=-1))
sh.add("argsort_empty", [e03], np.argsort(e03, axis=0), "int32")
sh.add("softmax_empty", [e03], e03)
sh.add("top_k_empty", [e03], np.zeros((0, 2), np.float32))
sh.add("tile_empty", [e20], np.tile(e20, (2, 3)))
sh.add("one_hot_empty", [np.zeros((0,), np.int32)], np.zeros((0, 4), np.float32))
sh.add("take_along_axis_empty", [e03, np.zeros((0, 2), np.int32)], np.zeros((0, 2), np.float32))
sh.add("subscript_empty_tensor", [e03], e03[:, 1:])
sh.add("stack_empty", [e20], np.stack([e20, e20], axis=1))
sh.add("transpose_empty", [e20], e20.T)
sh.write()

# ---------------------------------------------------------------- creation
cr = Area("creation")
cr.add("zeros", [], np.zeros((2, 3), np.float32))
cr.add("ones_int", [], np.ones((3,), np.int32))
cr.add("full", [], np.full((2, 2), 7.5, np.float32))
cr.add("full_empty", [], np.full((0, 2), 1.0, np.float32))
cr.add("arange_stop", [], np.arange(5), "int32")
cr.add("arange_start_stop", [], np.arange(2, 7), "int32")
cr.add("arange_step", [], np.arange(0, 1, 0.25), "float32")
cr.add("arange_negative_step", [], np.arange(5, 0, -2), "int32")
cr.add("arange_fractional_count", [], np.arange(0, 1, 0.3), "float32")
cr.add("arange_empty", [], np.arange(3, 1), "int32")
cr.add("linspace", [], np.linspace(0, 1, 5), "float32")
cr.add("linspace_no_endpoint", [], np.linspace(0, 1, 4, endpoint=False), "float32")
cr.add("linspace_one", [], np.linspace(2, 3, 1), "float32")
cr.add("eye", [], np.eye(3), "float32")
cr.add("eye_rect_k", [], np.eye(3, 4, k=1), "float32")
cr.add("eye_neg_k", [], np.eye(3, k=-1), "float32")
cr.write()

# ---------------------------------------------------------------- dtype semantics, from keras.ops
import keras  # noqa: E402
from keras import ops  # noqa: E402

dt = Area("dtype")
i32 = np.array([1, -2, 7], np.int32)
i32b = np.array([2, 4, -2], np.int32)
i64 = np.array([3, 1, 2], np.int64)
fl = np.array([0.5, -1.5, 2.5], np.float32)
bl = np.array([True, False, True])


def kr(v):
    return np.asarray(v)


dt.add("int_plus_float", [i32, fl], kr(ops.add(i32, fl)))
dt.add("int_divide_int", [i32, i32b], kr(ops.divide(i32, i32b)))
dt.add("int_plus_python_float", [i32], kr(ops.add(i32, 2.5)))
dt.add("int_times_python_int", [i32], kr(ops.multiply(i32, 3)))
dt.add("int_divide_python_int", [i32], kr(ops.divide(i32, 2)))
dt.add("float_plus_python_int", [fl], kr(ops.add(fl, 2)))
dt.add("bool_plus_int", [bl, i32], kr(ops.add(bl, i32)))
dt.add("bool_plus_bool", [bl, bl[::-1].copy()], kr(ops.add(bl, bl[::-1].copy())))
dt.add("bool_times_bool", [bl, bl[::-1].copy()], kr(ops.multiply(bl, bl[::-1].copy())))
dt.add("bool_plus_python_int", [bl], kr(ops.add(bl, 1)))
dt.add("bool_times_python_float", [bl], kr(ops.multiply(bl, 2.5)))
dt.add("bool_divide_bool", [bl, np.array([True, True, True])], kr(ops.divide(bl, np.array([True, True, True]))))
dt.add("max_bool", [bl], kr(ops.max(bl)))
dt.add("int_power_int", [i32b, np.array([2, 3, 2], np.int32)], kr(ops.power(i32b, np.array([2, 3, 2], np.int32))))
dt.add("int_power_python_int", [i32], kr(ops.power(i32, 2)))
dt.add("int_power_python_float", [i32b], kr(ops.power(i32b, 0.5)))
dt.add("negative_int", [i32], kr(ops.negative(i32)))
dt.add("mean_int", [i32], kr(ops.mean(i32)))
dt.add("sum_int", [i32], kr(ops.sum(i32)))
dt.add("argmax", [fl], kr(ops.argmax(fl)))
dt.add("cast_float_to_int", [f32([-1.7, 1.7, 2.5, -0.5])], kr(ops.cast(f32([-1.7, 1.7, 2.5, -0.5]), "int32")))
dt.add("cast_float_to_bool", [f32([0.0, -0.5, 2.0])], kr(ops.cast(f32([0.0, -0.5, 2.0]), "bool")))
dt.add("cast_bool_to_float", [bl], kr(ops.cast(bl, "float32")))
dt.add("cast_int_to_float", [i32], kr(ops.cast(i32, "float32")))
dt.add("sqrt_int", [np.array([4, 9], np.int32)], kr(ops.sqrt(np.array([4, 9], np.int32))))
dt.add("softmax_int", [i32], kr(ops.softmax(i32.astype(np.float32))))
dt.add("int_compare_float", [i32, fl], kr(ops.less(i32, fl)))
dt.add("maximum_int_float", [i32, fl], kr(ops.maximum(i32, fl)))
# int64 is not available in JAX without x64; NumPy's promotion is Keras's for these.
dt.add("int64_plus_int32", [i64, i32], (i64 + i32).astype(np.int64))
dt.add("float64_plus_float32", [fl.astype(np.float64), fl], fl.astype(np.float64) + fl)
dt.write()

print("wrote", [a.name for a in (ew, rd, la, sh, cr, dt)])

# ---------------------------------------------------------------- printing: NumPy's str(array)
def print_case(name, a):
    a = np.asarray(a)
    data = [repr(float(v)) if a.dtype.kind == "f" else (int(v) if a.dtype.kind in "iu" else (1 if v else 0))
            for v in a.reshape(-1).tolist()]
    return {"name": name, "tensor": {"shape": list(a.shape), "dtype": str(a.dtype), "data": data}, "str": str(a)}


F, D, I = np.float32, np.float64, np.int32
printing = [
    print_case("scalar_float", F(1.5)), print_case("scalar_int", I(3)), print_case("scalar_bool", np.bool_(True)),
    print_case("scalar_zero", F(0.0)), print_case("scalar_negative_zero", F(-0.0)), print_case("scalar_nan", F(np.nan)),
    print_case("scalar_small", F(1e-5)), print_case("scalar_large", F(123456789.0)), print_case("scalar_third", F(1 / 3)),
    print_case("scalar_float64_third", D(1 / 3)), print_case("scalar_neg_inf", F(-np.inf)),
    print_case("whole", np.array([1, 2, 3], F)), print_case("zeros", np.zeros(3, F)),
    print_case("mixed_widths", np.array([1.5, -10.25, 100.0], F)), print_case("tenths", np.array([0.1, 0.2, 0.3], F)),
    print_case("tenths_float64", np.array([0.1, 0.2, 0.3], D)), print_case("third_float64", np.array([1 / 3, 2.0], D)),
    print_case("third_float32", np.array([1 / 3, -2.0], F)),
    print_case("scientific_small", np.array([1e-5, 1.0, 1000.0], F)), print_case("scientific_ratio", np.array([0.5, 1500.0], F)),
    print_case("scientific_large", np.array([1e10, 1.0], F)), print_case("scientific_tiny", np.array([1e-8, -2e-9], F)),
    print_case("scientific_large_only", np.array([123456789.0], F)), print_case("below_1e8", np.array([99999.5, 1.0], F)),
    print_case("scientific_with_nan", np.array([1e-6, np.nan, np.inf], F)),
    print_case("nan_inf", np.array([np.nan, np.inf, -np.inf, 1.5], F)), print_case("only_nan", np.array([np.nan, np.nan], F)),
    print_case("negative_zero", np.array([-0.0, 1.0], F)), print_case("negative_zeros", np.array([-0.0, 0.0], F)),
    print_case("negative_zero_fraction", np.array([-0.0, 0.25], F)),
    print_case("ints", np.array([1, -20, 300], I)), print_case("ints_2d", np.array([[1, -20], [300, 4]], I)),
    print_case("int64", np.array([5, 123456789012], np.int64)), print_case("bools", np.array([True, False, True])),
    print_case("bools_2d", np.array([[True, False], [False, True]])),
    print_case("rank2", np.array([[1.0, 2.0], [3.0, 4.0]], F)),
    print_case("rank2_fractions", np.array([[1.0, 2.5], [-3.125, 4.0]], F)),
    print_case("rank3", np.arange(12, dtype=F).reshape(2, 3, 2) / 4),
    print_case("rank3_int", np.arange(24, dtype=I).reshape(2, 3, 4)),
    print_case("rank4", np.arange(16, dtype=I).reshape(2, 2, 2, 2)),
    print_case("random_normal", rng.normal(size=(3, 4)).astype(F)),
    print_case("random_normal_float64", rng.normal(size=(2, 3)).astype(D)),
    print_case("wrap_floats", (rng.normal(size=(30,)) * 10).astype(F)),
    print_case("wrap_rows", (rng.normal(size=(2, 16)) * 10).astype(F)),
    print_case("wrap_ints", np.arange(0, 4000, 97, dtype=I)),
    print_case("wrap_rank3", rng.normal(size=(2, 2, 12)).astype(F)),
    print_case("summarized_1d", np.arange(2000, dtype=F)),
    print_case("summarized_2d", np.arange(2002, dtype=I).reshape(2, 1001)),
    print_case("summarized_3d", (np.arange(1200, dtype=F) / 7).reshape(10, 10, 12)),
    print_case("summarized_rows", np.arange(3000, dtype=I).reshape(1000, 3)),
    print_case("not_summarized_1000", np.arange(1000, dtype=I)),
    print_case("exact_mantissa_digits", np.array([0.3, 1.2345678e-5], F)),
    print_case("exact_mantissa_digits_float64", np.array([0.3, 1.2345678e-5, 2.0 / 3.0], D)),
    print_case("three_digit_exponent", np.array([1e100, 1.0, -2.5e-120], D)),
    print_case("rounded_fraction_float64", np.array([1.123456789, 2.0, -0.000123456789], D)),
    print_case("boundary_1e-4", np.array([1e-4, 1.0], D)), print_case("ratio_exactly_1000", np.array([1.0, 1000.0], F)),
    print_case("summarized_with_nan", np.concatenate([[np.nan, -np.inf], np.arange(1100) / 3.0]).astype(F)),
    print_case("summarized_wrapped_3d", (rng.normal(size=(8, 9, 30)) * 1e3).astype(F)),
    print_case("column", np.arange(5, dtype=F).reshape(5, 1) - 2),
    print_case("large_ints", np.array([[-2147483648, 0], [7, 2147483647]], I)),
    print_case("empty", np.zeros((0,), F)), print_case("empty_2d", np.zeros((2, 0), F)),
    print_case("empty_int", np.zeros((0, 3), I)),
]
with open(os.path.join(HERE, "ops_printing.json"), "w") as f:
    json.dump({"cases": printing}, f, indent=0)
    f.write("\n")
