"""Generates bidirectional_conv_lstm.json and bidirectional_conv_lstm.keras: Keras 3's
Bidirectional wrapper around ConvLSTM2D (JAX backend).

For each case: the wrapper's config, random weights, an input, the outputs and the gradients of
sum(outputs · probes) with respect to the input and every weight. Also a Sequential model with a
Bidirectional(ConvLSTM2D) saved by Keras (bidirectional_conv_lstm.keras) with its predictions.

Run from the repository root:
    KERAS_BACKEND=jax /tmp/venv-keras/bin/python Tests/Fixtures/bidirectional_conv_lstm_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def t(a):
    a = np.asarray(a)
    data = np.round(a.astype("float64"), 7).tolist() if a.dtype.kind == "f" else a.tolist()
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": data}


def rounded(a):
    return np.asarray(t(a)["data"], dtype="float32")


def normal(shape, scale=0.5):
    return (rng.normal(size=shape) * scale).astype("float32")


def run_case(name, layer, x):
    layer.build(x.shape)
    weights = [rounded(normal(w.shape)) for w in layer.get_weights()]
    layer.set_weights(weights)
    x = rounded(x)
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def forward(tv, x):
        out, _ = layer.stateless_call(tv, ntv, x)
        return out if isinstance(out, (list, tuple)) else [out]

    outs = forward(tv, jnp.asarray(x))
    probes = [rounded(normal(o.shape, 1.0) + 1.0) for o in outs]

    def objective(tv, x):
        return sum(jnp.sum(o * p) for o, p in zip(forward(tv, x), probes))

    dw, dx = jax.grad(objective, argnums=(0, 1))(tv, jnp.asarray(x))
    # The layout of the other recurrent fixtures (RNNFixtureSupport.swift's KerasLayerCase).
    return {"name": name, "class_name": "Bidirectional", "config": layer.get_config(),
            "weight_names": [v.path for v in layer.weights], "weights": [t(w) for w in weights],
            "inputs": [t(x)], "mask": None, "outputs": [t(np.asarray(o)) for o in outs],
            "probes": [t(p) for p in probes], "grad_inputs": [t(np.asarray(dx))],
            "grad_weights": [t(np.asarray(g)) for g in dw]}


x = normal((2, 3, 5, 5, 2), 1.0)
cases = [
    run_case("concat_sequences", layers.Bidirectional(
        layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True), merge_mode="concat"), x),
    run_case("sum_last", layers.Bidirectional(layers.ConvLSTM2D(3, 2, strides=2), merge_mode="sum"), x),
    run_case("ave_states", layers.Bidirectional(
        layers.ConvLSTM2D(2, 3, padding="same", return_state=True), merge_mode="ave"), x),
]

keras.utils.clear_session()
model = keras.Sequential([keras.Input((3, 5, 5, 2)), layers.Bidirectional(layers.ConvLSTM2D(2, 3), name="bidir"),
                          layers.Flatten(), layers.Dense(2, name="head")], name="bidir_conv_lstm")
model.set_weights([normal(w.shape) for w in model.get_weights()])
sx = rounded(normal((2, 3, 5, 5, 2), 1.0))
model.save(os.path.join(HERE, "bidirectional_conv_lstm.keras"))
saved = {"x": t(sx), "y": t(np.asarray(model.predict(sx, verbose=0)))}

with open(os.path.join(HERE, "bidirectional_conv_lstm.json"), "w") as f:
    json.dump({"cases": cases, "saved": saved}, f, indent=None, separators=(",", ":"))
print("wrote", len(cases), "cases")
