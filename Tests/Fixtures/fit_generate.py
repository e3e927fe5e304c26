"""Generates fit_semantics.json: small fits run by real Keras from fixed weights and data, to pin
down what `fit` logs and how it trains — loss tracker averaging, regularization penalties in the
loss, sample and class weights, validation split, metrics, multi-output loss weights.

Run from the repository root: python3 Tests/Fixtures/fit_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
x = rng.normal(size=(10, 4)).astype("float32")
labels = rng.integers(0, 3, size=(10,)).astype("int32")
targets = rng.normal(size=(10, 2)).astype("float32")
sample_weight = rng.uniform(0.5, 2.0, size=(10,)).astype("float32")


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.tolist()}


def classifier():
    model = keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(5, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01)),
        keras.layers.Dense(3),
    ])
    weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in model.get_weights()]
    model.set_weights(weights)
    return model, weights


cases = {}

model, weights = classifier()
model.compile(optimizer=keras.optimizers.SGD(0.1),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
h = model.fit(x, labels, batch_size=4, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
cases["regularized_validation_split"] = {"initial": [arr(w) for w in weights], "history": h.history,
                                         "final": [arr(w) for w in model.get_weights()]}

for name, kwargs in [("sample_weights", {"sample_weight": sample_weight}),
                     ("class_weights", {"class_weight": {0: 1.0, 1: 2.0, 2: 0.5}})]:
    model, weights = classifier()
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    h = model.fit(x, labels, batch_size=3, epochs=2, shuffle=False, verbose=0, **kwargs)
    ev = model.evaluate(x, labels, batch_size=4, verbose=0, return_dict=True)
    cases[name] = {"initial": [arr(w) for w in weights], "history": h.history,
                   "final": [arr(w) for w in model.get_weights()], "evaluate": ev}

model, weights = classifier()
model.compile(optimizer=keras.optimizers.Adam(0.05),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), weighted_metrics=["accuracy"])
h = model.fit(x, labels, batch_size=3, epochs=2, shuffle=False, verbose=0, sample_weight=sample_weight)
cases["weighted_metrics"] = {"initial": [arr(w) for w in weights], "history": h.history,
                             "final": [arr(w) for w in model.get_weights()]}

inputs = keras.Input((4,), name="features")
hidden = keras.layers.Dense(6, activation="relu", name="hidden")(inputs)
out_a = keras.layers.Dense(2, name="regression")(hidden)
out_b = keras.layers.Dense(3, name="classes")(hidden)
multi = keras.Model(inputs, [out_a, out_b])
weights = [rng.normal(size=w.shape).astype("float32") * 0.5 for w in multi.get_weights()]
multi.set_weights(weights)
multi.compile(optimizer=keras.optimizers.RMSprop(0.01),
              loss={"regression": "mse", "classes": keras.losses.SparseCategoricalCrossentropy(from_logits=True)},
              loss_weights={"regression": 0.5, "classes": 2.0},
              metrics={"classes": ["accuracy"]})
h = multi.fit(x, {"regression": targets, "classes": labels}, batch_size=5, epochs=2, shuffle=False, verbose=0)
ev = multi.evaluate(x, {"regression": targets, "classes": labels}, verbose=0, return_dict=True)
cases["multi_output"] = {"initial": [arr(w) for w in weights], "history": h.history,
                         "final": [arr(w) for w in multi.get_weights()], "evaluate": ev}

out = {"x": arr(x), "labels": arr(labels), "targets": arr(targets), "sample_weight": arr(sample_weight), "cases": cases}
with open(os.path.join(HERE, "fit_semantics.json"), "w") as f:
    json.dump(out, f)
for k, v in cases.items():
    print(k, {kk: [round(t, 5) for t in vv] for kk, vv in v["history"].items()}, v.get("evaluate"))
