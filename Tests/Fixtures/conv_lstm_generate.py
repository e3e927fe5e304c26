"""Generates conv_lstm.json and conv_lstm.keras: Keras 3's ConvLSTM1D/2D/3D (JAX backend).

For each case: the layer's config, random weights, inputs, outputs and the gradients of
sum(outputs · probes) with respect to the inputs (and initial states) and every weight, for
return_sequences/return_state, go_backwards, strides and padding, dilation, channels_first,
initial states and dropout in inference. Also: a stateful layer over two batches, the output
shapes of a training call with dropout, a non-default config, the summary() table of a small
model, a ConvLSTM2D → Flatten → Dense model trained four SGD steps (losses and final weights),
and a functional model with one layer of each rank saved by Keras (conv_lstm.keras) with its
predictions.

Run from the repository root:
    KERAS_BACKEND=jax /tmp/venv-keras/bin/python Tests/Fixtures/conv_lstm_generate.py
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
    # Seven decimals keep the fixture small; the tests compare at 1e-4.
    data = np.round(a.astype("float64"), 7).tolist() if a.dtype.kind == "f" else a.tolist()
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": data}


def normal(shape, scale=0.5):
    return (rng.normal(size=shape) * scale).astype("float32")


def run_case(name, make, x, initial=None):
    layer = make()
    layer.build(x.shape)
    weights = [normal(w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    # Rounded as the fixture stores them, so Swift runs on exactly these values.
    weights = [np.asarray(t(w)["data"], dtype="float32") for w in weights]
    layer.set_weights(weights)
    inputs = [np.asarray(t(a)["data"], dtype="float32") for a in [x] + (initial or [])]
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def forward(tv, xs):
        kwargs = {}
        if initial is not None:
            kwargs["initial_state"] = list(xs[1:])
        out, _ = layer.stateless_call(tv, ntv, xs[0], **kwargs)
        return out if isinstance(out, (list, tuple)) else [out]

    outs = forward(tv, [jnp.asarray(a) for a in inputs])
    probes = [np.asarray(t(normal(o.shape, 1.0) + 1.0)["data"], dtype="float32") for o in outs]

    def objective(tv, xs):
        return sum(jnp.sum(o * p) for o, p in zip(forward(tv, xs), probes))

    g_w, g_x = jax.grad(objective, argnums=(0, 1))(tv, [jnp.asarray(a) for a in inputs])
    return {
        "name": name,
        "class_name": layer.__class__.__name__,
        "config": layer.get_config(),
        "weight_names": [w.path for w in layer.weights],
        "weights": [t(w) for w in weights],
        "inputs": [t(a) for a in inputs],
        "mask": None,
        "outputs": [t(o) for o in outs],
        "probes": [t(p) for p in probes],
        "grad_inputs": [t(g) for g in g_x],
        "grad_weights": [t(g) for g in g_w],
    }


B = 2
x2d = normal((B, 3, 5, 5, 2), 1.0)
x2d_cf = normal((B, 3, 2, 5, 4), 1.0)
x1d = normal((B, 4, 6, 2), 1.0)
x1d_cf = normal((B, 3, 2, 7), 1.0)
x3d = normal((1, 2, 3, 4, 3, 2), 1.0)
x3d_cf = normal((1, 3, 2, 3, 3, 4), 1.0)
cases = [
    run_case("conv_lstm2d", lambda: layers.ConvLSTM2D(2, 3), x2d),
    run_case("conv_lstm2d_seq_state_same",
             lambda: layers.ConvLSTM2D(2, (3, 2), padding="same", return_sequences=True, return_state=True), x2d),
    run_case("conv_lstm2d_backwards_strides",
             lambda: layers.ConvLSTM2D(3, 3, strides=2, padding="same", go_backwards=True, return_sequences=True), x2d),
    run_case("conv_lstm2d_dilation", lambda: layers.ConvLSTM2D(2, 2, dilation_rate=(2, 1), return_state=True), x2d),
    run_case("conv_lstm2d_channels_first",
             lambda: layers.ConvLSTM2D(2, 3, strides=(2, 1), data_format="channels_first", return_state=True), x2d_cf),
    run_case("conv_lstm2d_initial_state",
             lambda: layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True), x2d,
             initial=[normal((B, 5, 5, 2)), normal((B, 5, 5, 2))]),
    run_case("conv_lstm2d_no_forget_bias_relu",
             lambda: layers.ConvLSTM2D(2, 2, unit_forget_bias=False, activation="relu", use_bias=False,
                                       recurrent_activation="hard_sigmoid"), x2d),
    run_case("conv_lstm2d_dropout_inference",
             lambda: layers.ConvLSTM2D(2, 3, dropout=0.5, recurrent_dropout=0.3, seed=1), x2d),
    run_case("conv_lstm1d", lambda: layers.ConvLSTM1D(3, 3, padding="same", return_sequences=True), x1d),
    run_case("conv_lstm1d_channels_first_strides",
             lambda: layers.ConvLSTM1D(2, 2, strides=2, data_format="channels_first", return_state=True), x1d_cf,
             initial=[normal((B, 2, 3)), normal((B, 2, 3))]),
    run_case("conv_lstm3d", lambda: layers.ConvLSTM3D(2, 2, return_state=True), x3d),
    run_case("conv_lstm3d_channels_first_same_backwards",
             lambda: layers.ConvLSTM3D(2, (2, 3, 2), padding="same", data_format="channels_first",
                                       go_backwards=True, return_sequences=True), x3d_cf),
]

# Stateful: two batches, the second starting from the first's final states, then a reset.
stateful = layers.ConvLSTM2D(2, 3, padding="same", stateful=True, return_sequences=True)
stateful.build(x2d.shape)
sw = [np.asarray(t(normal(w.shape))["data"], dtype="float32") for w in stateful.get_weights()]
stateful.set_weights(sw)
xb = np.asarray(t(normal(x2d.shape, 1.0))["data"], dtype="float32")
xa = np.asarray(t(x2d)["data"], dtype="float32")
y1 = np.asarray(stateful(xa))
y2 = np.asarray(stateful(xb))
stateful.reset_states()
y3 = np.asarray(stateful(xb))
stateful_entry = {"weights": [t(w) for w in sw], "x1": t(xa), "x2": t(xb), "y1": t(y1), "y2": t(y2),
                  "y2_after_reset": t(y3), "config": stateful.get_config()}

# Dropout in training: output shapes only (the masks are random).
drop = layers.ConvLSTM2D(2, 3, strides=2, padding="same", dropout=0.5, recurrent_dropout=0.5,
                         return_sequences=True, return_state=True)
drop_out = drop(x2d, training=True)
training_shapes = {"config": drop.get_config(), "input_shape": list(x2d.shape),
                   "output_shapes": [list(o.shape) for o in drop_out]}

# A config with non-default values everywhere.
full = layers.ConvLSTM2D(4, (3, 2), strides=(2, 1), padding="same", data_format="channels_first",
                         activation="relu", recurrent_activation="tanh", use_bias=True,
                         kernel_initializer="he_normal", recurrent_initializer="glorot_uniform",
                         bias_initializer="ones", unit_forget_bias=False, kernel_regularizer="l2",
                         recurrent_regularizer=keras.regularizers.L1(0.01), bias_regularizer="l1",
                         activity_regularizer="l2", kernel_constraint="non_neg",
                         recurrent_constraint=keras.constraints.MaxNorm(2.0), bias_constraint="unit_norm",
                         dropout=0.25, recurrent_dropout=0.125, seed=7, return_sequences=True,
                         return_state=True, go_backwards=True, stateful=True, name="full")
configs = {"full": full.get_config(),
           "conv_lstm1d_default": layers.ConvLSTM1D(3, 2, name="c1").get_config(),
           "conv_lstm3d_default": layers.ConvLSTM3D(3, 2, name="c3").get_config()}

# summary() of a small model, and the same model trained four SGD steps from fixed weights.
keras.utils.clear_session()
keras.utils.set_random_seed(1)
model = keras.Sequential([keras.Input((3, 5, 5, 2)), layers.ConvLSTM2D(2, 3), layers.Flatten(), layers.Dense(3)])
lines = []
model.summary(print_fn=lambda s, **k: lines.append(s))
train_x = np.asarray(t(normal((6, 3, 5, 5, 2), 1.0))["data"], dtype="float32")
train_y = rng.integers(0, 3, size=(6,)).astype("int32")
init_weights = [np.asarray(t(normal(w.shape))["data"], dtype="float32") for w in model.get_weights()]
model.set_weights(init_weights)
model.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
losses = [float(model.train_on_batch(train_x, train_y)) for _ in range(4)]
training = {"x": t(train_x), "y": t(train_y), "initial_weights": [t(w) for w in init_weights],
            "losses": losses, "final_weights": [t(w) for w in model.get_weights()], "summary": "\n".join(lines)}

# A functional model with one layer of each rank, saved by Keras.
keras.utils.clear_session()
i1 = keras.Input((3, 6, 2), name="seq1d")
i2 = keras.Input((3, 2, 4, 4), name="seq2d")
i3 = keras.Input((2, 3, 3, 3, 1), name="seq3d")
h1 = layers.Flatten()(layers.ConvLSTM1D(2, 3, padding="same", return_sequences=True, name="cl1")(i1))
h2 = layers.Flatten()(layers.ConvLSTM2D(2, 2, data_format="channels_first", name="cl2")(i2))
h3 = layers.Flatten()(layers.ConvLSTM3D(2, 2, strides=1, go_backwards=True, name="cl3")(i3))
out = layers.Dense(2, name="head")(layers.Concatenate()([h1, h2, h3]))
saved = keras.Model([i1, i2, i3], out)
saved.set_weights([normal(w.shape) for w in saved.get_weights()])
sx = [np.asarray(t(normal((2,) + tuple(i.shape[1:]), 1.0))["data"], dtype="float32") for i in (i1, i2, i3)]
saved.save(os.path.join(HERE, "conv_lstm.keras"))
saved_entry = {"inputs": [t(a) for a in sx], "y": t(np.asarray(saved.predict(sx, verbose=0)))}

result = {"cases": cases, "stateful": stateful_entry, "training_shapes": training_shapes, "configs": configs,
          "training": training, "saved": saved_entry}
with open(os.path.join(HERE, "conv_lstm.json"), "w") as f:
    json.dump(result, f, indent=None, separators=(",", ":"))
print("wrote", len(cases), "cases; losses", losses)
print("\n".join(lines))
