"""Checks files written by swift-keras with real Keras 3 (run by SavingPythonTests):

    KERAS_BACKEND=jax python Tests/Fixtures/saving_check.py <directory>

The directory holds model.keras, model.weights.h5, model.h5 and expected.json (inputs, the
predictions swift-keras computed, and its optimizer variables). Exits non-zero on any mismatch.
"""
import json
import os
import sys

import keras
import numpy as np

directory = sys.argv[1]
with open(os.path.join(directory, "expected.json")) as f:
    expected = json.load(f)


def array(entry):
    return np.array(entry["data"], dtype=entry.get("dtype", "float32")).reshape(entry["shape"])


def close(name, actual, wanted, tol=1e-5):
    actual, wanted = np.asarray(actual, dtype="float64"), np.asarray(wanted, dtype="float64")
    if actual.shape != wanted.shape or not np.allclose(actual, wanted, rtol=tol, atol=tol):
        print(f"MISMATCH {name}: {actual.reshape(-1)[:6]} vs {wanted.reshape(-1)[:6]}")
        sys.exit(1)


inputs = [array(x) for x in expected["inputs"]]
outputs = [array(y) for y in expected["outputs"]]

model = keras.saving.load_model(os.path.join(directory, "model.keras"))
predictions = model.predict(inputs, verbose=0)
predictions = predictions if isinstance(predictions, (list, tuple)) else [predictions]
for i, (p, y) in enumerate(zip(predictions, outputs)):
    close(f".keras output {i}", p, y)
if int(model.optimizer.iterations.numpy()) != expected["iterations"]:
    print("MISMATCH iterations", model.optimizer.iterations.numpy())
    sys.exit(1)
for v, w in zip(model.optimizer.variables, expected["optimizer"]):
    close(f"optimizer {v.path}", v.numpy(), array(w))
if len(model.optimizer.variables) != len(expected["optimizer"]):
    print("MISMATCH optimizer variable count", len(model.optimizer.variables), len(expected["optimizer"]))
    sys.exit(1)

fresh = keras.models.model_from_json(model.to_json())
fresh.load_weights(os.path.join(directory, "model.weights.h5"))
for i, (p, y) in enumerate(zip(fresh.predict(inputs, verbose=0) if len(outputs) > 1 else [fresh.predict(inputs, verbose=0)], outputs)):
    close(f".weights.h5 output {i}", p, y)

legacy = keras.saving.load_model(os.path.join(directory, "model.h5"), compile=False)
legacy_predictions = legacy.predict(inputs, verbose=0)
legacy_predictions = legacy_predictions if isinstance(legacy_predictions, (list, tuple)) else [legacy_predictions]
for i, (p, y) in enumerate(zip(legacy_predictions, outputs)):
    close(f"legacy .h5 output {i}", p, y)
print("OK")
