"""Writes constraints_values.json from Keras 3 (JAX backend): serialized configs, string aliases and
each constraint applied to fixed float32 weights (a dense kernel and a small conv kernel).

Run: python3 Tests/Fixtures/constraints_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras
import numpy as np
from keras import constraints as C

HERE = os.path.dirname(os.path.abspath(__file__))

DENSE = np.array([[0.5, -1.25, 2.0, 0.1], [-0.75, 0.0, 3.5, -0.2], [1.5, 0.25, -0.5, 0.05]], dtype=np.float32)
CONV = np.linspace(-2.0, 2.5, 2 * 2 * 3 * 2, dtype=np.float32).reshape(2, 2, 3, 2)

CASES = {
    "MaxNorm": C.MaxNorm(),
    "MaxNorm(1.5,axis=1)": C.MaxNorm(max_value=1.5, axis=1),
    "MaxNorm(2,axis=[0,1,2])": C.MaxNorm(max_value=2.0, axis=[0, 1, 2]),
    "MinMaxNorm": C.MinMaxNorm(),
    "MinMaxNorm(0.5,2,0.5,axis=1)": C.MinMaxNorm(min_value=0.5, max_value=2.0, rate=0.5, axis=1),
    "UnitNorm": C.UnitNorm(),
    "UnitNorm(axis=-1)": C.UnitNorm(axis=-1),
    "UnitNorm(axis=[0,1,2])": C.UnitNorm(axis=[0, 1, 2]),
    "NonNeg": C.NonNeg(),
}
ALIASES = ["max_norm", "min_max_norm", "unit_norm", "non_neg", "MaxNorm", "NonNeg"]


def tensor(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "dtype": "float32", "data": a.ravel().tolist()}


cases = {}
for key, c in CASES.items():
    w = CONV if "[0,1,2]" in key else DENSE
    cases[key] = {"serialized": json.loads(json.dumps(C.serialize(c))), "input": tensor(w), "output": tensor(c(w))}

out = {
    "keras_version": keras.__version__,
    "cases": cases,
    "aliases": {a: json.loads(json.dumps(C.serialize(C.get(a)))) for a in ALIASES},
}
with open(os.path.join(HERE, "constraints_values.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote constraints_values.json")
