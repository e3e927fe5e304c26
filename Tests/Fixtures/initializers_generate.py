"""Writes initializers_values.json from Keras 3 (JAX backend):
- "configs": keras.initializers.serialize(...) of initializers built with the listed arguments;
- "aliases": serialize(keras.initializers.get(name)) for every string identifier;
- "stats": moments and bounds of Keras's own samples (784 x 128, seed 1) per random initializer;
- "orthogonal": Keras's QR step (ops.qr, q *= sign(diag(r)), transpose if rows < cols) on fixed matrices;
- "identity" / "constant": deterministic initializer outputs.

Run: python3 Tests/Fixtures/initializers_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import jax

jax.config.update("jax_enable_x64", True)  # the QR reference runs in float64

import keras
import numpy as np
from keras import initializers as I
from keras import ops

HERE = os.path.dirname(os.path.abspath(__file__))

# key (parsed by the Swift test) -> Keras object
CONFIG_CASES = {
    "Zeros": I.Zeros(),
    "Ones": I.Ones(),
    "Constant": I.Constant(),
    "Constant(2.5)": I.Constant(2.5),
    "RandomNormal": I.RandomNormal(),
    "RandomNormal(1,2,seed=3)": I.RandomNormal(mean=1.0, stddev=2.0, seed=3),
    "RandomUniform": I.RandomUniform(),
    "RandomUniform(-1,2,seed=3)": I.RandomUniform(minval=-1.0, maxval=2.0, seed=3),
    "TruncatedNormal": I.TruncatedNormal(),
    "TruncatedNormal(1,2,seed=3)": I.TruncatedNormal(mean=1.0, stddev=2.0, seed=3),
    "VarianceScaling": I.VarianceScaling(),
    "VarianceScaling(2,fan_out,uniform,seed=3)": I.VarianceScaling(2.0, "fan_out", "uniform", seed=3),
    "VarianceScaling(axes)": I.VarianceScaling(1.0, "fan_avg", "untruncated_normal", input_axes=[0], output_axes=[1, 2]),
    "GlorotUniform": I.GlorotUniform(),
    "GlorotUniform(seed=3)": I.GlorotUniform(seed=3),
    "GlorotNormal": I.GlorotNormal(),
    "HeUniform": I.HeUniform(),
    "HeNormal(seed=3)": I.HeNormal(seed=3),
    "LecunUniform": I.LecunUniform(),
    "LecunNormal": I.LecunNormal(),
    "Orthogonal": I.Orthogonal(),
    "Orthogonal(2,seed=3)": I.Orthogonal(gain=2.0, seed=3),
    "Identity": I.Identity(),
    "Identity(2)": I.Identity(gain=2.0),
}

# "constant" is left out: Keras's get("constant") raises KeyError (Constant.from_config needs "value");
# swift-keras resolves it to Constant(0).
ALIASES = [
    "zeros", "zero", "ones", "one", "random_normal", "normal", "random_uniform", "uniform",
    "truncated_normal", "variance_scaling", "glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
    "lecun_uniform", "lecun_normal", "orthogonal", "identity", "Zeros", "GlorotUniform", "OrthogonalInitializer",
    "IdentityInitializer",
]

STATS_CASES = {
    "RandomNormal": I.RandomNormal(seed=1),
    "RandomUniform": I.RandomUniform(seed=1),
    "TruncatedNormal": I.TruncatedNormal(seed=1),
    "GlorotUniform": I.GlorotUniform(seed=1),
    "GlorotNormal": I.GlorotNormal(seed=1),
    "HeUniform": I.HeUniform(seed=1),
    "HeNormal": I.HeNormal(seed=1),
    "LecunUniform": I.LecunUniform(seed=1),
    "LecunNormal": I.LecunNormal(seed=1),
    "VarianceScaling(2,fan_out,untruncated_normal)": I.VarianceScaling(2.0, "fan_out", "untruncated_normal", seed=1),
    "Orthogonal": I.Orthogonal(seed=1),
}


def normalize(value):
    """JSON-ready (tuples -> lists)."""
    return json.loads(json.dumps(value))


def keras_orthogonal_from(a, rows, cols):
    """Keras's Orthogonal.__call__ after its random draw, on the given (max, min) matrix `a`."""
    q, r = ops.qr(ops.convert_to_tensor(a, dtype="float64"))
    q = q * ops.sign(ops.diag(r))
    if rows < cols:
        q = ops.transpose(q)
    return np.asarray(q, dtype=np.float64)


rng = np.random.default_rng(0)
orthogonal = []
for rows, cols in [(6, 4), (4, 6), (5, 5), (3, 1)]:
    a = rng.standard_normal((max(rows, cols), min(rows, cols)))
    orthogonal.append({"rows": rows, "cols": cols, "a": a.ravel().tolist(),
                       "q": keras_orthogonal_from(a, rows, cols).ravel().tolist()})

stats = {}
for name, init in STATS_CASES.items():
    w = np.asarray(init((784, 128), dtype="float32"), dtype=np.float64)
    stats[name] = {"mean": w.mean(), "std": w.std(), "min": w.min(), "max": w.max()}

out = {
    "keras_version": keras.__version__,
    "configs": {k: normalize(I.serialize(v)) for k, v in CONFIG_CASES.items()},
    "aliases": {name: normalize(I.serialize(I.get(name))) for name in ALIASES},
    "stats": stats,
    "orthogonal": orthogonal,
    "identity": {"shape": [3, 4], "gain": 2.0, "data": np.asarray(I.Identity(gain=2.0)((3, 4))).ravel().tolist()},
    "constant": {"shape": [2, 3], "value": 2.5, "data": np.asarray(I.Constant(2.5)((2, 3))).ravel().tolist()},
}
with open(os.path.join(HERE, "initializers_values.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote initializers_values.json")
