"""Fixtures for keras.utils.to_categorical / normalize / pad_sequences and Python float repr.

Writes utils.json. normalize is called on NumPy float32 arrays (Keras's array path).
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402


def t(a):
    a = np.asarray(a)
    dtype = {"float32": "float32", "float64": "float64", "int32": "int32", "int64": "int64"}[str(a.dtype)]
    return {"shape": list(a.shape), "dtype": dtype, "data": a.reshape(-1).tolist()}


rng = np.random.default_rng(0)
out = {"to_categorical": [], "normalize": [], "pad_sequences": [], "repr": []}

for labels, num in [([0, 2, 1, 3], None), ([[1], [0], [2]], None), ([1, 0, 1], 4), ([[0, 1], [2, 2]], 3)]:
    out["to_categorical"].append({"labels": labels, "num_classes": num,
                                  "expected": t(keras.utils.to_categorical(labels, num).astype(np.float32))})

x = rng.normal(size=(3, 4)).astype(np.float32)
x[1] = 0
x3 = rng.normal(size=(2, 3, 2)).astype(np.float32)
# axis=0 is left out: Keras turns it into -1 (`axis = axis or -1`), a Keras bug we do not copy.
for arr, axis, order in [(x, -1, 2), (x, -1, 1), (x, 1, 3), (x3, 1, 2), (x3, -1, 4)]:
    out["normalize"].append({"x": t(arr), "axis": axis, "order": order,
                             "expected": t(keras.utils.normalize(arr, axis=axis, order=order).astype(np.float32))})

seqs = [[1, 2, 3], [4, 5], [6], [], [7, 8, 9, 10, 11]]
for kw in [{}, {"maxlen": 3}, {"maxlen": 3, "padding": "post"}, {"maxlen": 3, "truncating": "post"},
           {"maxlen": 4, "padding": "post", "truncating": "post", "value": -1}, {"maxlen": 6, "value": 9}]:
    out["pad_sequences"].append({"sequences": seqs, "kwargs": kw,
                                 "expected": t(keras.utils.pad_sequences(seqs, **kw))})

values = [0.1, 0.5, 1.0, 2.0, 100.0, 1e-05, 0.0001, 0.00012345, 1e16, 1e15, 123456789012345678.0,
          0.30000000000000004, 1.5e-10, -2.5, -0.001, 3.0517578125e-05, 0.10000000149011612,
          9.99999901978299e-05, 12345.678, 1e22, 5e-324, 1.7976931348623157e308, 0.003, 65504.0]
out["repr"] = [{"value": v, "repr": repr(v)} for v in values]

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "utils.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote utils.json")
