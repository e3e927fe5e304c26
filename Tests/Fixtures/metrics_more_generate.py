"""Generates the fixtures of the count, IoU and correlation metrics from real Keras (JAX backend).

Run from the repository root:  python3 Tests/Fixtures/metrics_more_generate.py
(with Keras 3 installed; these values came from Keras 3.15.1). Writes Tests/Fixtures/metrics_more.json:

- "cases": per metric and constructor arguments, plain and sample-weighted: three update_state
  calls (y_true, y_pred, sample_weight, the result after each), the result after reset_state,
  the metric's name, its get_config() and serialized form, and its variables (path, shape,
  value after the third call).
- "names": what keras.metrics.get(name) makes of each string name (class and metric name), or
  that it raises.
- "model": a tiny Dense model with fixed weights compiled with the new metrics (plain and
  weighted), Keras's evaluate logs (with and without sample weights), the logs of one epoch of
  fit (SGD, no shuffle) and the compile config Keras writes.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2024)
B, C = 6, 3


def t(a, dtype=None):
    a = np.asarray(a)
    if dtype is not None:
        a = a.astype(dtype)
    data = [x if not isinstance(x, float) or np.isfinite(x) else ("nan" if np.isnan(x) else ("inf" if x > 0 else "-inf"))
            for x in a.reshape(-1).tolist()]
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": data}


def plain(obj):
    return json.loads(json.dumps(obj, default=lambda o: o.tolist() if hasattr(o, "tolist") else None))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype("float32")


def batch(kind):
    """One (y_true, y_pred) batch of `kind`."""
    if kind == "binary":
        return rng.integers(0, 2, size=(B, C)).astype("float32"), rng.uniform(0, 1, size=(B, C)).astype("float32")
    if kind == "binary_wide":   # predictions outside [0, 1] too (the evenly-spaced fast path clips them)
        yp = rng.uniform(-0.3, 1.3, size=(B, C)).astype("float32")
        yp[0, :] = [0.0, 0.5, 1.0]
        return rng.integers(0, 2, size=(B, C)).astype("float32"), yp
    if kind == "binary_col":
        return rng.integers(0, 2, size=(B,)).astype("float32"), rng.uniform(0, 1, size=(B, 1)).astype("float32")
    if kind == "ids":           # class ids with fractions (truncated) and ids out of range
        yt = (rng.integers(-1, 4, size=(B, 2)) + rng.choice([0.0, 0.5], size=(B, 2))).astype("float32")
        return yt, rng.integers(0, 3, size=(B, 2)).astype("float32")
    if kind == "ids_scores":    # sparse labels, dense predictions
        return rng.integers(0, 3, size=(B,)).astype("int32"), softmax(rng.normal(size=(B, C)))
    if kind == "one_hot":
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=(B,))], softmax(rng.normal(size=(B, C)))
    if kind == "one_hot_ids":   # one-hot labels, class-id predictions
        return np.eye(C, dtype="float32")[rng.integers(0, C, size=(B,))], rng.integers(0, C, size=(B,)).astype("int32")
    if kind == "signed":
        yt = rng.normal(size=(B, 4)).astype("float32")
        return yt, (0.7 * yt + 0.5 * rng.normal(size=(B, 4))).astype("float32")
    raise ValueError(kind)


METRICS = [
    ("TruePositives", {}, "binary"),
    ("TruePositives", {"thresholds": 0.3}, "binary"),
    ("TruePositives", {"thresholds": [0.0, 0.5, 1.0]}, "binary_wide"),
    ("FalsePositives", {}, "binary"),
    ("FalsePositives", {"thresholds": [0.2, 0.7]}, "binary_wide"),
    ("FalsePositives", {"thresholds": [0.3]}, "binary"),
    ("TrueNegatives", {}, "binary_col"),
    ("TrueNegatives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary_wide"),
    ("FalseNegatives", {}, "binary"),
    ("FalseNegatives", {"thresholds": [0.1, 0.4, 0.9]}, "binary_wide"),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, "binary_wide"),
    ("Recall", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, "binary_wide"),
    ("BinaryIoU", {}, "binary"),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3}, "binary"),
    ("BinaryIoU", {"target_class_ids": [0]}, "binary_col"),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 2]}, "ids"),
    ("IoU", {"num_classes": 3, "target_class_ids": [1, 2], "ignore_class": 2}, "ids"),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 1, 2], "dtype": "float32"}, "ids"),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 1], "sparse_y_true": False, "sparse_y_pred": False}, "one_hot"),
    ("MeanIoU", {"num_classes": 3}, "ids"),
    ("MeanIoU", {"num_classes": 3, "sparse_y_pred": False}, "ids_scores"),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [0, 2]}, "one_hot"),
    ("OneHotIoU", {"num_classes": 3, "target_class_ids": [1], "sparse_y_pred": True}, "one_hot_ids"),
    ("OneHotMeanIoU", {"num_classes": 3}, "one_hot"),
    ("OneHotMeanIoU", {"num_classes": 3, "ignore_class": 0}, "one_hot"),
    ("PearsonCorrelation", {}, "signed"),
    ("PearsonCorrelation", {"axis": 0}, "signed"),
    ("PearsonCorrelation", {"axis": [0, 1]}, "signed"),
    ("ConcordanceCorrelation", {}, "signed"),
    ("ConcordanceCorrelation", {"axis": 0}, "signed"),
]

cases = []
for cls, kwargs, kind in METRICS:
    for weighted in [False, True]:
        m = getattr(keras.metrics, cls)(**kwargs)
        calls = []
        try:
            for _ in range(3):
                yt, yp = batch(kind)
                # Weights with fractions: an integer confusion matrix truncates them, as Keras does.
                # The IoU metrics take one weight per class id (Keras cannot broadcast per-sample
                # weights over several ids of a sample).
                shape = yt.shape if "IoU" in cls and kind not in ("one_hot", "one_hot_ids", "ids_scores") else yt.shape[:1]
                w = np.round(rng.uniform(0, 3, size=shape), 1).astype("float32") if weighted else None
                m.update_state(yt, yp, sample_weight=w)
                calls.append({"y_true": t(yt), "y_pred": t(yp), "sample_weight": None if w is None else t(w),
                              "result": t(np.asarray(m.result(), dtype="float32"))})
        except Exception as e:  # Keras cannot weight a correlation taken across the batch axis
            print("skipped", cls, kwargs, "weighted" if weighted else "", type(e).__name__, str(e)[:300])
            continue
        variables = [{"path": v.path, "shape": list(v.shape), "value": t(np.asarray(v))} for v in m.variables]
        m.reset_state()
        cases.append({"class_name": cls, "kwargs": kwargs, "kind": kind, "weighted": weighted, "name": m.name,
                      "config": plain(m.get_config()), "serialized": plain(keras.saving.serialize_keras_object(m)),
                      "variables": variables, "calls": calls,
                      "after_reset": t(np.asarray(m.result(), dtype="float32"))})

NAMES = ["TruePositives", "true_positives", "FalsePositives", "false_positives", "TrueNegatives", "true_negatives",
         "FalseNegatives", "false_negatives", "BinaryIoU", "binary_io_u", "IoU", "io_u", "MeanIoU", "mean_io_u",
         "OneHotIoU", "one_hot_io_u", "OneHotMeanIoU", "one_hot_mean_io_u", "PearsonCorrelation", "pearson_correlation",
         "ConcordanceCorrelation", "concordance_correlation", "tp", "binary_iou", "iou", "pearson", "ccc"]
names = {}
for name in NAMES:
    try:
        m = keras.metrics.get(name)
        names[name] = {"class_name": type(m).__name__, "name": m.name}
    except Exception as e:
        names[name] = {"error": type(e).__name__}

# A tiny model with fixed weights, compiled with the new metrics.
x = rng.normal(size=(10, 4)).astype("float32")
y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=(10,))]
sw = np.round(rng.uniform(0.2, 2, size=(10,)), 1).astype("float32")
kernel = (0.5 * rng.normal(size=(4, 3))).astype("float32")
bias = (0.1 * rng.normal(size=(3,))).astype("float32")


def make_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="sigmoid")])
    model.layers[0].set_weights([kernel, bias])
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse",
        metrics=["true_positives", keras.metrics.TrueNegatives(thresholds=0.3), keras.metrics.FalsePositives(name="fp"),
                 "false_negatives", "binary_io_u", keras.metrics.BinaryIoU(target_class_ids=[1], threshold=0.4, name="biou1"),
                 keras.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2]), keras.metrics.OneHotMeanIoU(num_classes=3),
                 "pearson_correlation", keras.metrics.ConcordanceCorrelation(axis=0)],
        weighted_metrics=[keras.metrics.TruePositives(name="wtp"), keras.metrics.PearsonCorrelation(name="wpcc"),
                          keras.metrics.OneHotMeanIoU(num_classes=3, name="wohmiou", dtype="float32")])
    return model


model = make_model()
evaluate = {k: float(v) for k, v in model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True).items()}
evaluate_weighted = {k: float(v) for k, v in model.evaluate(x, y, batch_size=4, verbose=0, sample_weight=sw, return_dict=True).items()}
compile_config = plain(model.get_compile_config())
history = model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
fit_logs = {k: float(v[-1]) for k, v in history.history.items()}

out = {"cases": cases, "names": names,
       "model": {"x": t(x), "y": t(y), "sample_weight": t(sw), "kernel": t(kernel), "bias": t(bias),
                 "evaluate": evaluate, "evaluate_weighted": evaluate_weighted, "fit": fit_logs,
                 "compile_config": compile_config}}
with open(os.path.join(HERE, "metrics_more.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote metrics_more.json:", len(cases), "cases,", len(names), "names")
