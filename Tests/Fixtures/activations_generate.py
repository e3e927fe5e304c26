"""Writes activations_values.json: every built-in activation applied by Keras 3 (JAX backend)
to fixed float32 inputs, plus the gradient of sum(weights * activation(x)) computed by JAX.

Run: python3 Tests/Fixtures/activations_generate.py
"""
import json
import math
import os

os.environ["KERAS_BACKEND"] = "jax"

import jax
import jax.numpy as jnp
import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# Negatives, zero, tiny, kinks (0, 6) and large magnitudes.
X = np.array(
    [
        [-100.0, -20.0, -6.0, -3.0, -1.5, -1.0, -0.5, -1e-3],
        [0.0, 1e-3, 0.5, 1.0, 1.5, 3.0, 6.0, 20.0],
        [100.0, -0.2, 0.3, 2.5, -2.5, 7.0, -7.0, 0.1],
    ],
    dtype=np.float32,
)
W = np.linspace(0.5, 1.5, X.size, dtype=np.float32).reshape(X.shape)

ACTIVATIONS = {
    "linear": keras.activations.linear,
    "relu": keras.activations.relu,
    "relu6": keras.activations.relu6,
    "sigmoid": keras.activations.sigmoid,
    "hard_sigmoid": keras.activations.hard_sigmoid,
    "tanh": keras.activations.tanh,
    "softmax": keras.activations.softmax,
    "log_softmax": keras.activations.log_softmax,
    "softplus": keras.activations.softplus,
    "softsign": keras.activations.softsign,
    "elu": keras.activations.elu,
    "selu": keras.activations.selu,
    "gelu": keras.activations.gelu,
    "gelu_approximate": lambda x: keras.activations.gelu(x, approximate=True),
    "silu": keras.activations.silu,
    "swish": keras.activations.get("swish"),
    "mish": keras.activations.mish,
    "leaky_relu": keras.activations.leaky_relu,
    "exponential": keras.activations.exponential,
}


def encode(a):
    """Nested lists with non-finite numbers as strings ("nan", "inf", "-inf")."""
    def enc(v):
        v = float(v)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "dtype": "float32", "data": [enc(v) for v in a.ravel()]}


out = {"keras_version": keras.__version__, "x": encode(X), "weights": encode(W), "activations": {}}
for name, fn in ACTIVATIONS.items():
    y = np.asarray(fn(jnp.asarray(X)))
    grad = np.asarray(jax.grad(lambda x: jnp.sum(jnp.asarray(W) * fn(x)))(jnp.asarray(X)))
    # The string name resolves to the same function in Keras (except the approximate gelu).
    if name != "gelu_approximate":
        assert np.array_equal(np.asarray(keras.activations.get(name)(jnp.asarray(X))), y, equal_nan=True), name
    out["activations"][name] = {"y": encode(y), "grad": encode(grad)}

with open(os.path.join(HERE, "activations_values.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote activations_values.json")
