"""Generates preprocessing_text.json: CategoryEncoding in real Keras (JAX backend) for each
output mode on rank-1 and rank-2 ids, with count weights, and its configs.

Run from the repository root: KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/preprocessing_text_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def t(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.tolist()}


ids2 = np.array([[0, 1, 1, 3], [2, 2, 2, 0]], dtype="int32")
ids1 = np.array([3, 0, 2], dtype="int32")
column = np.array([[1], [4], [0]], dtype="int32")
weights = np.array([[0.5, 1.0, 2.0, 0.25], [1.0, 1.0, 3.0, 2.0]], dtype="float32")
cases = []
for mode in ["one_hot", "multi_hot", "count"]:
    layer = layers.CategoryEncoding(num_tokens=5, output_mode=mode)
    for name, ids in [("rank2", ids2), ("rank1", ids1), ("column", column)]:
        cases.append({"mode": mode, "input": name, "ids": t(ids), "output": t(np.asarray(layer(ids))), "config": layer.get_config()})
weighted = np.asarray(layers.CategoryEncoding(num_tokens=5, output_mode="count")(ids2, count_weights=weights))
out = {"cases": cases, "count_weights": {"ids": t(ids2), "weights": t(weights), "output": t(weighted)}}
with open(os.path.join(HERE, "preprocessing_text.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(len(cases), "cases")
