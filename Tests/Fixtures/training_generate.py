"""Generates the training fixtures (optimizers, schedules, losses, metrics) from real Keras.

Run from the repository root:  python3 Tests/Fixtures/training_generate.py
Writes Tests/Fixtures/training_optimizers.json, training_schedules.json,
training_losses.json and training_metrics.json.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import ops  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1234)


def t(a, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    dt = str(a.dtype)
    data = [x if not isinstance(x, float) or np.isfinite(x) else ("nan" if np.isnan(x) else ("inf" if x > 0 else "-inf"))
            for x in a.reshape(-1).tolist()]
    return {"shape": list(a.shape), "dtype": dt, "data": data}


def jsonable(v):
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


def write(name, obj):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(jsonable(obj), f, indent=None, separators=(",", ":"))
    print("wrote", name)


# ---------------------------------------------------------------- optimizers
OPTIMIZERS = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("Adam", {"learning_rate": 0.01, "clipnorm": 0.5}),
    ("Adam", {"learning_rate": 0.01, "clipvalue": 0.3}),
    ("Adam", {"learning_rate": 0.01, "global_clipnorm": 0.7}),
    ("Adam", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("AdamW", {}),
    ("AdamW", {"learning_rate": 0.01, "weight_decay": 0.05, "amsgrad": True}),
    ("RMSprop", {}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5}),
    ("RMSprop", {"learning_rate": 0.01, "momentum": 0.5, "centered": True}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5}),
    ("Adadelta", {}),
    ("Adadelta", {"learning_rate": 1.0, "rho": 0.9}),
    ("Adamax", {}),
    ("Adamax", {"learning_rate": 0.02}),
    ("Nadam", {}),
    ("Nadam", {"learning_rate": 0.02}),
    ("Lion", {}),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.8, "weight_decay": 0.1}),
    ("SGD", {"learning_rate": {"class_name": "ExponentialDecay", "config": {
        "initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": 0.5}}, "momentum": 0.5}),
]

opt_cases = []
w0 = [rng.normal(size=(2, 3)).astype("float32"), rng.normal(size=(3,)).astype("float32")]
grads = [[rng.normal(size=w.shape).astype("float32") for w in w0] for _ in range(3)]
for cls, kwargs in OPTIMIZERS:
    kw = dict(kwargs)
    if isinstance(kw.get("learning_rate"), dict):
        kw["learning_rate"] = keras.optimizers.schedules.deserialize(kw["learning_rate"])
    opt = getattr(keras.optimizers, cls)(**kw)
    vs = [keras.Variable(w, name=n) for w, n in zip(w0, ["kernel", "bias"])]
    steps = []
    for g in grads:
        opt.apply([ops.convert_to_tensor(x) for x in g], vs)
        steps.append([t(np.asarray(v.numpy())) for v in vs])
    opt_cases.append({
        "class_name": cls,
        "kwargs": kwargs,
        "config": opt.get_config(),
        "variable_names": [v.path for v in opt.variables],
        "final_slots": [t(np.asarray(v.numpy())) for v in opt.variables],
        "steps": steps,
    })
write("training_optimizers.json", {
    "weights": [t(w) for w in w0],
    "gradients": [[t(x) for x in g] for g in grads],
    "cases": opt_cases,
})

# ---------------------------------------------------------------- schedules
S = keras.optimizers.schedules
SCHEDULES = [
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9}),
    ("ExponentialDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.9, "staircase": True}),
    ("PiecewiseConstantDecay", {"boundaries": [5, 20], "values": [1.0, 0.5, 0.1]}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 50}),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 30, "end_learning_rate": 0.01, "power": 2.0, "cycle": True}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True}),
    ("CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 50}),
    ("CosineDecay", {"initial_learning_rate": 0.0, "decay_steps": 40, "alpha": 0.1, "warmup_target": 0.2, "warmup_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10}),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 10, "t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
]
STEPS = [0, 1, 3, 5, 6, 9, 10, 11, 15, 20, 21, 25, 30, 35, 49, 50, 60, 75, 100]
sched_cases = []
for cls, kwargs in SCHEDULES:
    s = getattr(S, cls)(**kwargs)
    sched_cases.append({
        "class_name": cls, "kwargs": kwargs, "config": s.get_config(),
        "steps": STEPS, "values": [float(s(st)) for st in STEPS],
    })
write("training_schedules.json", {"cases": sched_cases})

# ---------------------------------------------------------------- losses
B, C = 4, 3
reg_true = rng.uniform(0.1, 2.0, size=(B, C)).astype("float32")
reg_pred = rng.uniform(0.1, 2.0, size=(B, C)).astype("float32")
signed_true = rng.normal(size=(B, C)).astype("float32")
signed_pred = rng.normal(size=(B, C)).astype("float32")
bin_true = rng.integers(0, 2, size=(B, C)).astype("float32")
bin_prob = rng.uniform(0.05, 0.95, size=(B, C)).astype("float32")
bin_prob[0, 0] = 0.0  # exercises the clipping to epsilon
logits = (rng.normal(size=(B, C)) * 2).astype("float32")
sparse_true = rng.integers(0, C, size=(B,)).astype("int32")
onehot_true = np.eye(C, dtype="float32")[sparse_true]
probs = np.asarray(keras.ops.softmax(rng.normal(size=(B, C)).astype("float32")))
probs_t = np.asarray(keras.ops.softmax(rng.normal(size=(B, C)).astype("float32")))
sw = np.array([1.0, 0.5, 0.0, 2.0], dtype="float32")

INPUTS = {
    "regression": (reg_true, reg_pred),
    "signed": (signed_true, signed_pred),
    "binary": (bin_true, bin_prob),
    "binary_logits": (bin_true, logits),
    "categorical": (onehot_true, probs),
    "categorical_logits": (onehot_true, logits),
    "sparse": (sparse_true, probs),
    "sparse_logits": (sparse_true, logits),
    "sparse_col": (sparse_true.reshape(B, 1), logits),
    "distribution": (probs_t, probs),
}
LOSSES = [
    ("MeanSquaredError", {}, "regression", "mean_squared_error"),
    ("MeanAbsoluteError", {}, "signed", "mean_absolute_error"),
    ("MeanAbsolutePercentageError", {}, "regression", "mean_absolute_percentage_error"),
    ("MeanSquaredLogarithmicError", {}, "regression", "mean_squared_logarithmic_error"),
    ("Huber", {}, "signed", "huber"),
    ("Huber", {"delta": 0.5}, "signed", None),
    ("LogCosh", {}, "signed", "log_cosh"),
    ("BinaryCrossentropy", {}, "binary", "binary_crossentropy"),
    ("BinaryCrossentropy", {"label_smoothing": 0.1}, "binary", None),
    ("BinaryCrossentropy", {"from_logits": True}, "binary_logits", None),
    ("BinaryFocalCrossentropy", {}, "binary", "binary_focal_crossentropy"),
    ("BinaryFocalCrossentropy", {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5, "from_logits": True}, "binary_logits", None),
    ("CategoricalCrossentropy", {}, "categorical", "categorical_crossentropy"),
    ("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.2}, "categorical_logits", None),
    ("SparseCategoricalCrossentropy", {}, "sparse", "sparse_categorical_crossentropy"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_logits", None),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "sparse_col", None),
    ("SparseCategoricalCrossentropy", {"from_logits": True, "ignore_class": 1}, "sparse_logits", None),
    ("KLDivergence", {}, "distribution", "kl_divergence"),
    ("Poisson", {}, "regression", "poisson"),
    ("CosineSimilarity", {}, "signed", "cosine_similarity"),
    ("Hinge", {}, "binary_logits", "hinge"),
    ("SquaredHinge", {}, "binary_logits", "squared_hinge"),
    ("CategoricalHinge", {}, "categorical_logits", "categorical_hinge"),
]
loss_cases = []
for cls, kwargs, kind, fn in LOSSES:
    yt, yp = INPUTS[kind]
    results = []
    for reduction in ["sum_over_batch_size", "sum", "none", "mean"]:
        for weights in [None, sw]:
            loss = getattr(keras.losses, cls)(reduction=reduction, **kwargs)
            v = loss(yt, yp, sample_weight=weights)
            results.append({"reduction": reduction, "weighted": weights is not None, "value": t(np.asarray(v, dtype="float32"))})
    case = {"class_name": cls, "kwargs": kwargs, "kind": kind, "y_true": t(yt), "y_pred": t(yp),
            "config": getattr(keras.losses, cls)(**kwargs).get_config(), "results": results}
    if fn is not None:
        case["function"] = fn
        case["function_value"] = t(np.asarray(getattr(keras.losses, fn)(yt, yp), dtype="float32"))
    loss_cases.append(case)
write("training_losses.json", {"sample_weight": t(sw), "cases": loss_cases})

# ---------------------------------------------------------------- metrics
def batches(kind, n=3):
    out = []
    for _ in range(n):
        if kind == "values":
            out.append((None, rng.normal(size=(B, C)).astype("float32")))
        elif kind == "binary":
            out.append((rng.integers(0, 2, size=(B, C)).astype("float32"), rng.uniform(0, 1, size=(B, C)).astype("float32")))
        elif kind == "binary_col":
            out.append((rng.integers(0, 2, size=(B, 1)).astype("float32"), rng.uniform(0, 1, size=(B, 1)).astype("float32")))
        elif kind == "categorical":
            lab = rng.integers(0, C, size=(B,))
            out.append((np.eye(C, dtype="float32")[lab], np.asarray(keras.ops.softmax(rng.normal(size=(B, C)).astype("float32")))))
        elif kind == "sparse":
            out.append((rng.integers(0, C, size=(B,)).astype("int32"), np.asarray(keras.ops.softmax(rng.normal(size=(B, C)).astype("float32")))))
        elif kind == "sparse_col":
            out.append((rng.integers(0, C, size=(B, 1)).astype("int32"), np.asarray(keras.ops.softmax(rng.normal(size=(B, C)).astype("float32")))))
        elif kind == "regression":
            out.append((rng.uniform(0.1, 2, size=(B, C)).astype("float32"), rng.uniform(0.1, 2, size=(B, C)).astype("float32")))
        elif kind == "signed":
            out.append((rng.normal(size=(B, C)).astype("float32"), rng.normal(size=(B, C)).astype("float32")))
        elif kind == "exact":
            lab = rng.integers(0, 3, size=(B, C)).astype("float32")
            pred = np.where(rng.uniform(size=(B, C)) < 0.5, lab, rng.integers(0, 3, size=(B, C))).astype("float32")
            out.append((lab, pred))
        elif kind == "distribution":
            out.append((np.asarray(keras.ops.softmax(rng.normal(size=(B, C)).astype("float32"))),
                        np.asarray(keras.ops.softmax(rng.normal(size=(B, C)).astype("float32")))))
        elif kind == "logits":
            out.append((rng.integers(0, 2, size=(B, C)).astype("float32"), rng.normal(size=(B, C)).astype("float32")))
    return out


METRICS = [
    ("Mean", {}, "values"),
    ("Sum", {}, "values"),
    ("Accuracy", {}, "exact"),
    ("BinaryAccuracy", {}, "binary"),
    ("BinaryAccuracy", {"threshold": 0.7}, "binary"),
    ("CategoricalAccuracy", {}, "categorical"),
    ("SparseCategoricalAccuracy", {}, "sparse"),
    ("SparseCategoricalAccuracy", {}, "sparse_col"),
    ("TopKCategoricalAccuracy", {"k": 2}, "categorical"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
    ("Precision", {}, "binary"),
    ("Precision", {"thresholds": [0.3, 0.6]}, "binary"),
    ("Recall", {}, "binary"),
    ("Recall", {"thresholds": 0.4}, "binary"),
    ("AUC", {}, "binary"),
    ("AUC", {"curve": "PR"}, "binary"),
    ("AUC", {"num_thresholds": 50, "from_logits": True}, "logits"),
    ("F1Score", {}, "binary"),
    ("F1Score", {"average": "macro", "threshold": 0.5}, "binary"),
    ("F1Score", {"average": "micro", "threshold": 0.5}, "binary"),
    ("F1Score", {"average": "weighted"}, "categorical"),
    ("MeanSquaredError", {}, "signed"),
    ("MeanAbsoluteError", {}, "signed"),
    ("RootMeanSquaredError", {}, "signed"),
    ("R2Score", {}, "signed"),
    ("MeanAbsolutePercentageError", {}, "regression"),
    ("MeanSquaredLogarithmicError", {}, "regression"),
    ("BinaryCrossentropy", {}, "binary"),
    ("BinaryCrossentropy", {"from_logits": True}, "logits"),
    ("CategoricalCrossentropy", {}, "categorical"),
    ("SparseCategoricalCrossentropy", {}, "sparse"),
    ("KLDivergence", {}, "distribution"),
    ("Poisson", {}, "regression"),
    ("CosineSimilarity", {}, "signed"),
    ("LogCoshError", {}, "signed"),
    ("Hinge", {}, "logits"),
    ("SquaredHinge", {}, "logits"),
    ("CategoricalHinge", {}, "categorical"),
]
metric_cases = []
for cls, kwargs, kind in METRICS:
    for weighted in [False, True]:
        m = getattr(keras.metrics, cls)(**kwargs)
        calls = []
        for yt, yp in batches(kind):
            w = rng.uniform(0, 2, size=(B,)).astype("float32") if weighted else None
            if cls in ("Mean", "Sum"):
                m.update_state(yp, sample_weight=None if w is None else w.reshape(B, 1))
            else:
                m.update_state(yt, yp, sample_weight=w)
            calls.append({
                "y_true": None if yt is None else t(yt),
                "y_pred": t(yp),
                "sample_weight": None if w is None else (t(w.reshape(B, 1)) if cls in ("Mean", "Sum") else t(w)),
                "result": t(np.asarray(m.result(), dtype="float32")),
            })
        m.reset_state()
        metric_cases.append({"class_name": cls, "kwargs": kwargs, "kind": kind, "weighted": weighted,
                             "name": m.name, "config": m.get_config(), "calls": calls,
                             "after_reset": t(np.asarray(m.result(), dtype="float32"))})
write("training_metrics.json", {"cases": metric_cases})
