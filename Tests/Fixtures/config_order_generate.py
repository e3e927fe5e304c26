"""Writes config_order.json from Keras 3 (JAX backend): serialized models and objects exactly as
Keras orders their keys (json.dump keeps dict order), so the Swift tests can check that
`getConfig()` / `serializeLayer` list keys in Keras's order.

Run: KERAS_BACKEND=jax python3 Tests/Fixtures/config_order_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras
from keras import layers
from keras.src.saving import serialization_lib

HERE = os.path.dirname(os.path.abspath(__file__))


def serialize(obj):
    return serialization_lib.serialize_keras_object(obj)


sequential = keras.Sequential(
    [keras.Input((3,)), layers.Dense(2, activation="relu", name="d1"), layers.Dropout(0.5, name="dr")],
    name="seq",
)
compiled = keras.Sequential([keras.Input((3,)), layers.Dense(2)], name="compiled")
compiled.compile(optimizer="adam", loss="mse", metrics=["mae"])
x = keras.Input((3,), name="x")
functional = keras.Model(x, layers.Dense(2, name="d")(x), name="f")

out = {
    "sequential": serialize(sequential),
    "functional_config": functional.get_config(),
    "dense": serialize(layers.Dense(4, use_bias=False, name="dense")),
    "max_norm": serialize(keras.constraints.MaxNorm(2.0, axis=1)),
    "adam": serialize(keras.optimizers.Adam()),
    "compile_config": compiled.get_compile_config(),
}
with open(os.path.join(HERE, "config_order.json"), "w") as f:
    json.dump(out, f, indent=1)
