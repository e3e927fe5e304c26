"""Generates Tests/Fixtures/losses_more.json from real Keras (JAX backend): the losses
CategoricalFocalCrossentropy, CategoricalGeneralizedCrossEntropy, Dice, Tversky, Circle and CTC.

Run from the repository root with a Python that has Keras 3 and JAX:
    python3 Tests/Fixtures/losses_more_generate.py

For each case: the inputs, the value under every reduction with and without sample weights,
the gradient w.r.t. y_pred (jax.grad of the sample-weighted sum_over_batch_size loss), the
function form's per-sample values, and the serialized config Keras writes.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2024)


def t(a, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    data = [x if not isinstance(x, float) or np.isfinite(x) else ("nan" if np.isnan(x) else ("inf" if x > 0 else "-inf"))
            for x in a.reshape(-1).tolist()]
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": data}


def jsonable(v):
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def softmax(x, axis=-1):
    return np.array(keras.ops.softmax(x, axis=axis), dtype="float32")


B, C = 5, 3
labels = np.array([0, 2, 1, 2, 0], dtype="int32")
onehot = np.eye(C, dtype="float32")[labels]
probs = softmax(rng.normal(size=(B, C)).astype("float32"))
probs[0, 1] = 0.0  # exercises the clip to epsilon
logits = (rng.normal(size=(B, C)) * 2).astype("float32")
# Classes on axis 1 of a rank-3 prediction (axis=1 cases).
labels3 = rng.integers(0, 4, size=(B, 2))
onehot3 = np.transpose(np.eye(4, dtype="float32")[labels3], (0, 2, 1))  # (B, 4, 2)
logits3 = rng.normal(size=(B, 4, 2)).astype("float32")
masks = (rng.uniform(size=(B, 3, 2)) > 0.5).astype("float32")
mask_probs = rng.uniform(0.05, 0.95, size=(B, 3, 2)).astype("float32")
mask2 = (rng.uniform(size=(B, 4)) > 0.5).astype("float32")
mask2_probs = rng.uniform(0.05, 0.95, size=(B, 4)).astype("float32")
# Circle: 6 samples, labels with a singleton class (3) whose loss is masked out.
circle_labels = np.array([0, 1, 0, 2, 1, 3], dtype="int32")
emb = rng.normal(size=(6, 4)).astype("float32")
unit_emb = (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype("float32")
short_emb = (0.9 * unit_emb).astype("float32")
# CTC: blank/padding 0, labels 1..4 padded with 0.
ctc_labels = np.array([[1, 2, 2, 0], [3, 0, 0, 0], [4, 1, 3, 2], [0, 0, 0, 0]], dtype="int32")
ctc_logits = (rng.normal(size=(4, 8, 5)) * 1.5).astype("float32")
ctc_probs = softmax(rng.normal(size=(4, 8, 5)).astype("float32"))
ctc_short_labels = np.array([[1, 1, 2], [2, 3, 0]], dtype="int32")  # the first needs 4 steps, has 3
ctc_short_logits = rng.normal(size=(2, 3, 4)).astype("float32")

SW = {5: np.array([1.0, 0.5, 0.0, 2.0, 1.5], dtype="float32"),
      6: np.array([1.0, 0.5, 2.0, 0.0, 1.5, 1.0], dtype="float32"),
      4: np.array([1.0, 0.5, 0.0, 2.0], dtype="float32"),
      2: np.array([0.5, 2.0], dtype="float32")}

INPUTS = {
    "categorical": (onehot, probs),
    "categorical_logits": (onehot, logits),
    "categorical_axis1": (onehot3, logits3),
    "sparse": (labels, probs),
    "masks": (masks, mask_probs),
    "masks2": (mask2, mask2_probs),
    "circle_unit": (circle_labels, unit_emb),
    "circle_col": (circle_labels.reshape(-1, 1), unit_emb),
    "circle_short": (circle_labels, short_emb),
    "ctc_logits": (ctc_labels, ctc_logits),
    "ctc_probs": (ctc_labels, ctc_probs),
    "ctc_short": (ctc_short_labels, ctc_short_logits),
}

# (class, kwargs, inputs, function name or None, function kwargs)
LOSSES = [
    ("CategoricalFocalCrossentropy", {}, "categorical", "categorical_focal_crossentropy", {}),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 1.5, "from_logits": True, "label_smoothing": 0.1},
     "categorical_logits", "categorical_focal_crossentropy", {"alpha": 0.5, "gamma": 1.5, "from_logits": True, "label_smoothing": 0.1}),
    ("CategoricalFocalCrossentropy", {"alpha": [0.2, 0.3, 0.5], "gamma": 0.0}, "categorical", None, None),
    ("CategoricalFocalCrossentropy", {"from_logits": True, "axis": 1, "label_smoothing": 0.2}, "categorical_axis1", None, None),
    ("CategoricalGeneralizedCrossEntropy", {}, "sparse", "categorical_generalized_cross_entropy", {"q": 0.5}),
    ("CategoricalGeneralizedCrossEntropy", {"q": 0.3}, "sparse", "categorical_generalized_cross_entropy", {"q": 0.3}),
    ("Dice", {}, "masks", "dice", {}),
    ("Dice", {"axis": (1, 2)}, "masks", "dice", {"axis": (1, 2)}),
    ("Dice", {"axis": 1}, "masks2", None, None),
    ("Tversky", {}, "masks", "tversky", {}),
    ("Tversky", {"alpha": 0.3, "beta": 0.7, "axis": [1]}, "masks2", "tversky", {"alpha": 0.3, "beta": 0.7, "axis": [1]}),
    ("Tversky", {"alpha": 0.8, "beta": 0.1, "axis": [-1, 1]}, "masks", None, None),
    ("Circle", {}, "circle_unit", "circle", {}),
    ("Circle", {}, "circle_col", None, None),
    ("Circle", {"gamma": 10.0, "margin": 0.25, "remove_diagonal": False}, "circle_short", "circle",
     {"gamma": 10.0, "margin": 0.25, "remove_diagonal": False}),
    ("CTC", {}, "ctc_logits", "ctc", {}),
    ("CTC", {}, "ctc_probs", None, None),
    ("CTC", {}, "ctc_short", "ctc", {}),
]

REDUCTIONS = ["sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight"]

cases = []
for cls, kwargs, kind, fn, fn_kwargs in LOSSES:
    yt, yp = INPUTS[kind]
    sw = SW[yp.shape[0]]
    if kind == "categorical_axis1":
        sw = sw.reshape(-1, 1)  # values keep the (B, 2) positions
    results = []
    for reduction in REDUCTIONS:
        for weights in [None, sw]:
            loss = getattr(keras.losses, cls)(reduction=reduction, **kwargs)
            v = loss(yt, yp, sample_weight=weights)
            results.append({"reduction": reduction, "weighted": weights is not None, "value": t(np.asarray(v, dtype="float32"))})
    loss = getattr(keras.losses, cls)(**kwargs)
    value, grad = jax.value_and_grad(lambda p: loss(jnp.asarray(yt), p, sample_weight=jnp.asarray(sw)))(jnp.asarray(yp))
    eager = np.asarray(loss(yt, yp, sample_weight=sw))
    assert np.allclose(np.asarray(value), eager, rtol=1e-6), (cls, kind, value, eager)
    case = {"class_name": cls, "kwargs": jsonable(kwargs), "kind": kind, "y_true": t(yt), "y_pred": t(yp), "sample_weight": t(sw),
            "serialized": jsonable(keras.losses.serialize(loss)), "results": results,
            "gradient": t(np.asarray(grad, dtype="float32"))}
    if fn is not None:
        case["function"] = fn
        case["function_kwargs"] = jsonable(fn_kwargs)
        case["function_value"] = t(np.asarray(getattr(keras.losses, fn)(yt, yp, **fn_kwargs), dtype="float32"))
    cases.append(case)

# The string names keras.losses.get accepts for these losses (a class, or a function).
names = {}
for name in ["CategoricalFocalCrossentropy", "categorical_focal_crossentropy", "CategoricalGeneralizedCrossEntropy",
             "categorical_generalized_cross_entropy", "Dice", "dice", "Tversky", "tversky", "Circle", "circle", "CTC", "ctc"]:
    try:
        keras.losses.get(name)
        names[name] = True
    except ValueError:
        names[name] = False

with open(os.path.join(HERE, "losses_more.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": cases, "names": names}, f, separators=(",", ":"))
print("wrote losses_more.json:", len(cases), "cases")
