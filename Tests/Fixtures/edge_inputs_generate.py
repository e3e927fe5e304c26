"""Generates edge-input fixtures for swift-keras from real Keras 3 (JAX backend): layers called
on inputs at the edge of what they take, where swift-keras once stopped instead of computing.

Run from the repository root:  python3 Tests/Fixtures/edge_inputs_generate.py
Writes Tests/Fixtures/edge_inputs.json, a list of cases: `class_name`, `config`, `build_shape`,
`weights` (set after building), `input` (its dtype kept) and `output` (or only `output_shape`).
- pooling windows wider than the input with "same" padding (each output averages, or takes the
  maximum of, only the real inputs its window covers);
- LayerNormalization built for rank 3 and called on rank 4 (negative axes count from the end);
- integer inputs to BatchNormalization and LSTM (promoted to float; Keras's LayerNormalization
  runs integer inputs in integer arithmetic, which swift-keras does not copy: it normalizes them
  as floats, checked in EdgeInputTests);
- empty batches through Conv2D and Flatten, and softmax over an empty axis (shapes only).
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import numpy as np
import keras
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.tolist()}


cases = []


def case(case_id, layer, x, build_shape=None, shape_only=False):
    layer.build(build_shape or x.shape)
    weights = []
    for w in layer.weights:
        low = 0.5 if "variance" in w.path else -1.0
        weights.append(rng.uniform(low, 1.5, size=w.shape).astype("float32"))
    layer.set_weights(weights)
    y = np.asarray(layer(x))
    entry = {"id": case_id, "class_name": layer.__class__.__name__, "config": layer.get_config(),
             "build_shape": list(build_shape or x.shape), "weights": [tensor(w) for w in weights],
             "input": tensor(x)}
    if shape_only:
        entry["output_shape"] = list(y.shape)
    else:
        entry["output"] = tensor(y)
    cases.append(entry)


def floats(*shape):
    return rng.uniform(-2, 2, size=shape).astype("float32")


case("average_pool_2d_wide_same", layers.AveragePooling2D(pool_size=1000, strides=2, padding="same"), floats(1, 7, 7, 2))
case("max_pool_2d_wide_same", layers.MaxPooling2D(pool_size=(1000, 3), strides=(2, 1), padding="same"), floats(1, 7, 6, 2))
case("average_pool_1d_wider_same", layers.AveragePooling1D(pool_size=9, strides=1, padding="same"), floats(2, 5, 3))
case("max_pool_1d_wider_same", layers.MaxPooling1D(pool_size=8, strides=3, padding="same"), floats(2, 5, 3))
case("layer_norm_other_rank", layers.LayerNormalization(), floats(2, 3, 5, 4), build_shape=(None, 5, 4))
ints = rng.integers(-3, 4, size=(2, 5, 4)).astype("int32")
case("batch_norm_int_inputs", layers.BatchNormalization(), ints)
case("lstm_int_inputs", layers.LSTM(3), ints)
case("conv_2d_empty_batch", layers.Conv2D(3, 3), np.zeros((0, 5, 5, 2), "float32"), shape_only=True)
case("flatten_empty_batch", layers.Flatten(), np.zeros((0, 2, 3), "float32"), shape_only=True)
case("softmax_empty_axis", layers.Softmax(), np.zeros((2, 0), "float32"), shape_only=True)

with open(os.path.join(HERE, "edge_inputs.json"), "w") as f:
    json.dump(cases, f)
print(len(cases), "cases")
