"""Writes regularizers_values.json from Keras 3 (JAX backend): serialized configs, string aliases and
penalties on a fixed float32 weight.

Run: python3 Tests/Fixtures/regularizers_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras
import numpy as np
from keras import regularizers as R

HERE = os.path.dirname(os.path.abspath(__file__))

W = np.array([[0.5, -1.25, 2.0], [-0.75, 0.0, 3.5]], dtype=np.float32)

CASES = {
    "L1": R.L1(),
    "L1(0.3)": R.L1(0.3),
    "L2": R.L2(),
    "L2(0.3)": R.L2(0.3),
    "L1L2": R.L1L2(),
    "L1L2(0.1,0.2)": R.L1L2(l1=0.1, l2=0.2),
    "L1L2(0,0.2)": R.L1L2(l2=0.2),
}
ALIASES = ["l1", "l2", "l1l2", "L1", "L2", "L1L2"]

out = {
    "keras_version": keras.__version__,
    "weight": {"shape": list(W.shape), "dtype": "float32", "data": W.ravel().tolist()},
    "cases": {k: {"serialized": json.loads(json.dumps(R.serialize(r))), "penalty": float(np.asarray(r(W)))}
              for k, r in CASES.items()},
    "aliases": {a: json.loads(json.dumps(R.serialize(R.get(a)))) for a in ALIASES},
}
with open(os.path.join(HERE, "regularizers_values.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
print("wrote regularizers_values.json")
