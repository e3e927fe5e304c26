"""Generates Tests/Fixtures/optimizers_more.json from real Keras (JAX backend): Ftrl, Lamb and
Adafactor steps, the base optimizer's EMA (`use_ema`) in `apply` and in `fit`, and
OrthogonalRegularizer penalties.

Run from the repository root:  python3 Tests/Fixtures/optimizers_more_generate.py
(with Keras 3 and JAX installed, e.g. /tmp/venv-keras/bin/python).
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import ops  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2024)


def t(a):
    a = np.asarray(a)
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


# ---------------------------------------------------------------- optimizer steps
# A rank-2 kernel, a rank-1 bias, a rank-3 weight (Adafactor factors its last two axes) and an
# all-zero vector (Lamb's trust ratio and Adafactor's RMS at 0).
NAMES = ["kernel", "bias", "cube", "zeros"]
w0 = [rng.normal(size=(3, 4)).astype("float32"), rng.normal(size=(4,)).astype("float32"),
      rng.normal(size=(2, 3, 2)).astype("float32"), np.zeros((3,), dtype="float32")]
STEPS = 4
grads = [[rng.normal(size=w.shape).astype("float32") for w in w0] for _ in range(STEPS)]

EXP_DECAY = {"class_name": "ExponentialDecay", "config": {
    "initial_learning_rate": 0.2, "decay_steps": 1, "decay_rate": 0.5}}

OPTIMIZERS = [
    ("Ftrl", {}),
    ("Ftrl", {"learning_rate": 0.1, "learning_rate_power": -0.7, "initial_accumulator_value": 0.2,
              "l1_regularization_strength": 0.05, "l2_regularization_strength": 0.02,
              "l2_shrinkage_regularization_strength": 0.03, "beta": 0.5}),
    ("Ftrl", {"learning_rate": 0.5, "learning_rate_power": 0.0, "initial_accumulator_value": 0.0,
              "l1_regularization_strength": 0.3}),
    ("Ftrl", {"learning_rate": 0.2, "weight_decay": 0.1, "clipvalue": 0.4}),
    ("Lamb", {}),
    ("Lamb", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6, "weight_decay": 0.1}),
    ("Lamb", {"learning_rate": 0.05, "clipnorm": 0.5}),
    ("Lamb", {"learning_rate": 0.05, "global_clipnorm": 0.8}),
    ("Adafactor", {}),
    ("Adafactor", {"learning_rate": 0.5, "beta_2_decay": -0.5, "epsilon_1": 1e-20, "epsilon_2": 0.01,
                   "clip_threshold": 0.5}),
    ("Adafactor", {"learning_rate": 0.01, "relative_step": False, "clipvalue": 0.3, "weight_decay": 0.05}),
    ("Adafactor", {"learning_rate": EXP_DECAY}),
    # The base optimizer's exponential moving average.
    ("Adam", {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.9, "ema_overwrite_frequency": 3}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9, "use_ema": True}),
    ("Ftrl", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.5, "ema_overwrite_frequency": 2}),
    ("Lamb", {"learning_rate": 0.05, "use_ema": True, "ema_overwrite_frequency": 1}),
    ("Adafactor", {"learning_rate": 0.1, "use_ema": True, "ema_momentum": 0.8}),
]


def make(cls, kwargs):
    kw = dict(kwargs)
    if isinstance(kw.get("learning_rate"), dict):
        kw["learning_rate"] = keras.optimizers.schedules.deserialize(kw["learning_rate"])
    return getattr(keras.optimizers, cls)(**kw)


cases = []
for cls, kwargs in OPTIMIZERS:
    opt = make(cls, kwargs)
    vs = [keras.Variable(w, name=n) for w, n in zip(w0, NAMES)]
    steps = []
    for g in grads:
        opt.apply([ops.convert_to_tensor(x) for x in g], vs)
        steps.append([t(np.asarray(v.numpy())) for v in vs])
    cases.append({
        "class_name": cls,
        "kwargs": kwargs,
        "config": opt.get_config(),
        "variable_names": [v.path for v in opt.variables],
        "variable_shapes": [list(v.shape) for v in opt.variables],
        "final_slots": [t(np.asarray(v.numpy())) for v in opt.variables],
        "steps": steps,
    })

# ---------------------------------------------------------------- fit with EMA and the new optimizers
x = rng.normal(size=(10, 4)).astype("float32")
y = rng.normal(size=(10, 2)).astype("float32")


def tiny_model():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3, activation="tanh"), keras.layers.Dense(2)])


init_weights = [w.numpy() for w in tiny_model().weights]
init_weights = [rng.normal(scale=0.5, size=w.shape).astype("float32") for w in init_weights]

FIT = [
    ("Adam", {"learning_rate": 0.05, "use_ema": True, "ema_overwrite_frequency": 3}),
    ("Adam", {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.7, "ema_overwrite_frequency": 2,
              "clipnorm": 1.0}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.5, "use_ema": True, "ema_momentum": 0.8}),
    ("Ftrl", {"learning_rate": 0.3, "l1_regularization_strength": 0.01}),
    ("Lamb", {"learning_rate": 0.05}),
    ("Adafactor", {"learning_rate": 0.1}),
]
fits = []
for cls, kwargs in FIT:
    model = tiny_model()
    model.set_weights(init_weights)
    opt = make(cls, kwargs)
    model.compile(optimizer=opt, loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    fits.append({
        "class_name": cls,
        "kwargs": kwargs,
        "config": opt.get_config(),
        "loss": [float(v) for v in history.history["loss"]],
        "final_weights": [t(w) for w in model.get_weights()],
        "optimizer_variable_names": [v.path for v in opt.variables],
        "optimizer_variables": [t(np.asarray(v.numpy())) for v in opt.variables],
    })

# ---------------------------------------------------------------- OrthogonalRegularizer
matrices = [
    rng.normal(size=(3, 4)).astype("float32"),
    rng.normal(size=(4, 2)).astype("float32"),
    np.array([[1.0, 2.0], [0.0, 0.0], [-3.0, 0.5]], dtype="float32"),  # a zero row
    np.array([[1.0, 0.0], [0.0, 1.0]], dtype="float32"),               # orthogonal: 0
]
ortho = []
for factor, mode in [(None, None), (0.3, "rows"), (0.05, "columns"), (None, "columns")]:
    kw = {}
    if factor is not None:
        kw["factor"] = factor
    if mode is not None:
        kw["mode"] = mode
    reg = keras.regularizers.OrthogonalRegularizer(**kw)
    values, gradients = [], []
    for m in matrices:
        values.append(float(np.asarray(reg(ops.convert_to_tensor(m)))))
        gradients.append(t(np.asarray(jax.grad(lambda w: reg(w))(jax.numpy.asarray(m)))))
    ortho.append({"kwargs": kw, "serialized": keras.regularizers.serialize(reg), "penalties": values,
                  "gradients": gradients})

out = {
    "keras_version": keras.__version__,
    "weight_names": NAMES,
    "weights": [t(w) for w in w0],
    "gradients": [[t(g) for g in gs] for gs in grads],
    "cases": cases,
    "fit": {"x": t(x), "y": t(y), "initial_weights": [t(w) for w in init_weights], "batch_size": 4, "epochs": 3,
            "cases": fits},
    "orthogonal": {"matrices": [t(m) for m in matrices], "cases": ortho,
                   "alias": keras.regularizers.serialize(keras.regularizers.get("orthogonal_regularizer"))},
}
with open(os.path.join(HERE, "optimizers_more.json"), "w") as f:
    json.dump(jsonable(out), f, indent=None, separators=(",", ":"))
print("wrote optimizers_more.json")
