"""Writes layers_more_pooling.json from real Keras 3 (JAX backend; HashedCrossing runs through
TensorFlow's `cross_hashed`, which Keras calls on any backend when TensorFlow is installed).

- "adaptive": AdaptiveAverage/MaxPooling1D-3D cases (input sizes divisible and not divisible by
  `output_size`, smaller than it, channels_first): Keras's config, an input, the output, the
  cotangent and the gradient of sum(output * cotangent) with respect to the input.
- "discretization": outputs for each output_mode with given bin_boundaries (values on the
  boundaries, NaN, infinities), and the bin_boundaries `adapt` finds (one array, a list of
  batches), the outputs and the config after it.
- "hashed_crossing": outputs for string, integer and mixed features, (batch,) and (batch, 1),
  int and one_hot modes, and configs.
- "shapes": symbolic output shapes of Keras functional models using the layers.
- "models": weightless Keras models using each layer (`to_json()`), their inputs and outputs.

Run from the repository root:
KERAS_BACKEND=jax /tmp/venv-keras/bin/python Tests/Fixtures/layers_more_pooling_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
L = keras.layers
rng = np.random.default_rng(20261215)


def tensor(a, dtype="float32"):
    a = np.asarray(a)
    data = a.astype("float64").reshape(-1)
    data = [("nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")) if not np.isfinite(v) else float(v) for v in data]
    return {"shape": list(a.shape), "dtype": dtype, "data": data}


def plain_config(config):
    return json.loads(json.dumps(config, default=lambda o: list(o) if isinstance(o, tuple) else str(o)))


# ---------------------------------------------------------------- adaptive pooling
ADAPTIVE = [
    ("avg1d_divisible", L.AdaptiveAveragePooling1D(4), (2, 8, 3)),
    ("avg1d_not_divisible", L.AdaptiveAveragePooling1D(3), (2, 7, 3)),
    ("avg1d_upsample", L.AdaptiveAveragePooling1D([7]), (1, 5, 2)),
    ("avg1d_channels_first", L.AdaptiveAveragePooling1D(3, data_format="channels_first"), (2, 3, 8)),
    ("max1d_divisible", L.AdaptiveMaxPooling1D(2), (2, 6, 3)),
    ("max1d_not_divisible", L.AdaptiveMaxPooling1D(5), (2, 8, 2)),
    ("max1d_upsample", L.AdaptiveMaxPooling1D(6), (1, 4, 2)),
    ("max1d_channels_first", L.AdaptiveMaxPooling1D(4, data_format="channels_first"), (1, 2, 10)),
    ("avg2d_divisible", L.AdaptiveAveragePooling2D((3, 3)), (2, 6, 9, 2)),
    ("avg2d_not_divisible", L.AdaptiveAveragePooling2D((3, 2)), (1, 7, 5, 3)),
    ("avg2d_channels_first", L.AdaptiveAveragePooling2D(4, data_format="channels_first"), (1, 2, 5, 7)),
    ("max2d_divisible", L.AdaptiveMaxPooling2D(2), (2, 4, 6, 2)),
    ("max2d_not_divisible", L.AdaptiveMaxPooling2D((4, 3)), (1, 9, 7, 2)),
    ("max2d_channels_first", L.AdaptiveMaxPooling2D((2, 3), data_format="channels_first"), (1, 3, 5, 5)),
    ("avg3d_divisible", L.AdaptiveAveragePooling3D((2, 3, 1)), (1, 4, 6, 5, 2)),
    ("avg3d_not_divisible", L.AdaptiveAveragePooling3D(3), (1, 5, 4, 7, 2)),
    ("avg3d_channels_first", L.AdaptiveAveragePooling3D((2, 2, 3), data_format="channels_first"), (1, 2, 3, 5, 4)),
    ("max3d_divisible", L.AdaptiveMaxPooling3D(2), (1, 4, 4, 6, 1)),
    ("max3d_not_divisible", L.AdaptiveMaxPooling3D((3, 2, 4)), (1, 5, 5, 7, 2)),
    ("max3d_channels_first", L.AdaptiveMaxPooling3D(2, data_format="channels_first"), (1, 2, 3, 5, 3)),
]
adaptive = []
for name, layer, shape in ADAPTIVE:
    x = rng.normal(size=shape).astype("float32")
    y = np.asarray(layer(x))
    ct = rng.normal(size=y.shape).astype("float32")
    grad = jax.grad(lambda v: jnp.sum(layer(v) * ct))(jnp.asarray(x))
    adaptive.append({"name": name, "class_name": layer.__class__.__name__, "config": plain_config(layer.get_config()),
                     "x": tensor(x), "y": tensor(y), "cotangent": tensor(ct), "dx": tensor(grad)})

# ---------------------------------------------------------------- Discretization
boundaries = [-1.0, 0.0, 0.5, 2.0]
given = []
q_rank2 = np.array([[-3.0, -1.0, -0.5, 0.0], [0.25, 0.5, 2.0, 7.5], [np.nan, np.inf, -np.inf, 1.999]], dtype="float32")
q_rank1 = np.array([-1.0, 0.1, 0.5, 2.5, np.nan], dtype="float32")
q_column = q_rank1.reshape(-1, 1)
for mode in ["int", "one_hot", "multi_hot", "count"]:
    for qname, q in [("rank2", q_rank2), ("rank1", q_rank1), ("column", q_column)]:
        if mode == "one_hot" and qname == "rank2":
            continue
        layer = L.Discretization(bin_boundaries=boundaries, output_mode=mode)
        y = np.asarray(layer(q))
        given.append({"name": f"{mode}_{qname}", "config": plain_config(layer.get_config()), "x": tensor(q),
                      "y": tensor(y, str(y.dtype))})

adapted = []
normal = rng.normal(size=(1000,)).astype("float32")
ADAPT = [
    ("normal_1000_bins4", {"num_bins": 4}, [normal]),
    ("uniform_20_bins5", {"num_bins": 5}, [rng.uniform(-5, 5, size=(20,)).astype("float32")]),
    ("seven_values_bins10", {"num_bins": 10}, [np.array([3, 1, 4, 1, 5, 9, 2], dtype="float32")]),
    ("matrix_bins3_eps05", {"num_bins": 3, "epsilon": 0.05}, [rng.normal(2, 3, size=(50, 3)).astype("float32")]),
    ("batches_bins6", {"num_bins": 6, "epsilon": 0.02},
     [rng.exponential(size=(120,)).astype("float32"), rng.exponential(size=(80,)).astype("float32") + 0.5,
      rng.normal(size=(40,)).astype("float32")]),
    ("integers_bins4_multi_hot", {"num_bins": 4, "output_mode": "multi_hot"},
     [np.arange(30, dtype="float32") % 11]),
]
query = np.array([[-2.0, -0.3, 0.0, 0.4], [1.0, 1.7, 3.0, 9.0]], dtype="float32")
for name, kwargs, batches in ADAPT:
    layer = L.Discretization(**kwargs)
    layer.adapt(batches if len(batches) > 1 else batches[0])
    y = np.asarray(layer(query))
    adapted.append({"name": name, "kwargs": kwargs, "batches": [tensor(b) for b in batches],
                    "bin_boundaries": [float(b) for b in layer.bin_boundaries],
                    "config": plain_config(layer.get_config()), "x": tensor(query), "y": tensor(y, str(y.dtype))})

# ---------------------------------------------------------------- HashedCrossing
strings_a = np.array(["cat", "dog", "", "a much longer feature value than sixteen bytes", "cat"])
strings_b = np.array(["red", "blue", "green", "red", "x" * 70])
ints_a = np.array([1, 2, -3, 9_000_000_000, 0], dtype="int64")
ints_b = np.array([7, 7, 42, -1, 123456789], dtype="int64")
CROSS = [
    ("strings_int", {"num_bins": 10}, [strings_a, strings_b]),
    ("ints_int", {"num_bins": 1000}, [ints_a, ints_b]),
    ("mixed_int", {"num_bins": 7}, [strings_a, ints_b]),
    ("three_int", {"num_bins": 50}, [ints_a, strings_b, strings_a]),
    ("column_int", {"num_bins": 5}, [strings_a.reshape(-1, 1), ints_b.reshape(-1, 1)]),
    ("strings_one_hot", {"num_bins": 4, "output_mode": "one_hot"}, [strings_a, strings_b]),
    ("column_one_hot", {"num_bins": 6, "output_mode": "one_hot"}, [ints_a.reshape(-1, 1), strings_b.reshape(-1, 1)]),
    ("big_bins", {"num_bins": 2**31 - 1}, [strings_a, ints_b]),
]


def feature(a):
    if a.dtype.kind in "SU":
        return {"kind": "string", "shape": list(a.shape), "values": [str(v) for v in a.reshape(-1)]}
    return {"kind": "int", "shape": list(a.shape), "values": [int(v) for v in a.reshape(-1)]}


crossing = []
for name, kwargs, feats in CROSS:
    layer = L.HashedCrossing(**kwargs)
    y = np.asarray(layer(feats))
    crossing.append({"name": name, "config": plain_config(layer.get_config()), "features": [feature(f) for f in feats],
                     "y_shape": list(y.shape), "y_dtype": str(y.dtype), "y": [int(v) if y.dtype.kind == "i" else float(v) for v in y.reshape(-1)]})

# ---------------------------------------------------------------- symbolic shapes
shapes = []
for name, layer, shape in [
    ("avg2d_none", L.AdaptiveAveragePooling2D((2, 3)), (None, None, 4)),
    ("max1d", L.AdaptiveMaxPooling1D(5), (12, 3)),
    ("max3d_cf", L.AdaptiveMaxPooling3D(2, data_format="channels_first"), (4, 6, 6, 6)),
    ("disc_int", L.Discretization(bin_boundaries=[0.0, 1.0]), (5,)),
    ("disc_one_hot", L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot"), (5,)),
    ("disc_one_hot_col", L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="one_hot"), (1,)),
    ("disc_count", L.Discretization(bin_boundaries=[0.0, 1.0], output_mode="count"), (5,)),
]:
    inp = keras.Input(shape=shape)
    out = layer(inp)
    shapes.append({"name": name, "input": list(shape), "output": list(out.shape), "dtype": str(out.dtype)})

# ---------------------------------------------------------------- weightless models: to_json and outputs
models = []
inp = keras.Input(shape=(7, 5, 2))
pooled = L.AdaptiveMaxPooling2D(2, data_format="channels_first")(L.AdaptiveAveragePooling2D((3, 2))(inp))
pool_model = keras.Model(inp, pooled, name="adaptive_model")
x = rng.normal(size=(2, 7, 5, 2)).astype("float32")
models.append({"name": "adaptive", "json": pool_model.to_json(), "inputs": [tensor(x)], "y": tensor(np.asarray(pool_model(x)))})
disc = L.Discretization(num_bins=4, output_mode="count")
disc.adapt(rng.normal(size=(200,)).astype("float32"))
disc_model = keras.Sequential([keras.Input(shape=(3,)), disc], name="discretization_model")
x = rng.normal(size=(4, 3)).astype("float32")
models.append({"name": "discretization", "json": disc_model.to_json(), "inputs": [tensor(x)], "y": tensor(np.asarray(disc_model(x)))})
a = keras.Input(shape=(1,), dtype="int64", name="a")
b = keras.Input(shape=(1,), dtype="int64", name="b")
cross_model = keras.Model([a, b], L.HashedCrossing(num_bins=6, output_mode="one_hot")([a, b]), name="crossing_model")
xa = np.array([[1], [2], [3], [40]], dtype="int64")
xb = np.array([[5], [-6], [7], [123456]], dtype="int64")
models.append({"name": "crossing", "json": cross_model.to_json(), "inputs": [tensor(xa, "int64"), tensor(xb, "int64")],
               "y": tensor(np.asarray(cross_model([xa, xb])))})

with open(os.path.join(HERE, "layers_more_pooling.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "adaptive": adaptive, "discretization_given": given,
               "discretization_adapted": adapted, "hashed_crossing": crossing, "shapes": shapes, "models": models}, f)
print("wrote layers_more_pooling.json")
