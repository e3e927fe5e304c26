"""Generates rnn_layers.json: recurrent layers in real Keras (JAX backend) — outputs and gradients
(of sum(outputs · probe weights) with respect to the inputs and every weight) for SimpleRNN, LSTM,
GRU (reset_after true/false), stacked cells, with and without masks, return_sequences/return_state,
go_backwards, initial states, a stateful layer over two batches, Bidirectional in each merge mode,
Embedding/Masking masks through a Sequential model, configs, and a small LSTM model trained a few
steps (losses and final weights).

Run from the repository root: KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/rnn_generate.py
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


def t(a, dtype=None):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": dtype or str(a.dtype), "data": a.tolist()}


def normal(shape, scale=0.5):
    return (rng.normal(size=shape) * scale).astype("float32")


def run_case(name, make, x, mask=None, initial=None, dtype="float32"):
    layer = make()
    inputs = [x] + (initial or [])
    layer.build(x.shape) if initial is None else layer.build(x.shape)
    weights = [normal(w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def forward(tv, xs):
        kwargs = {}
        if mask is not None:
            kwargs["mask"] = jnp.asarray(mask)
        if initial is not None:
            kwargs["initial_state"] = list(xs[1:])
        out, _ = layer.stateless_call(tv, ntv, xs[0], **kwargs)
        return out if isinstance(out, (list, tuple)) else [out]

    outs = forward(tv, [jnp.asarray(a) for a in inputs])
    probes = [normal(o.shape, 1.0) + 1.0 for o in outs]

    def objective(tv, xs):
        return sum(jnp.sum(o * p) for o, p in zip(forward(tv, xs), probes))

    g_w, g_x = jax.grad(objective, argnums=(0, 1))(tv, [jnp.asarray(a) for a in inputs])
    entry = {
        "name": name,
        "class_name": layer.__class__.__name__,
        "config": layer.get_config(),
        "weight_names": [w.path.split("/", 1)[1] if "/" in w.path else w.name for w in layer.weights],
        "weights": [t(w) for w in weights],
        "inputs": [t(a) for a in inputs],
        "mask": None if mask is None else t(mask, "bool"),
        "outputs": [t(o) for o in outs],
        "probes": [t(p) for p in probes],
        "grad_inputs": [t(g) for g in g_x],
        "grad_weights": [t(g) for g in g_w],
    }
    return entry


B, T, F, U = 2, 4, 3, 3
x = normal((B, T, F), 1.0)
mask = np.array([[True, True, False, True], [True, True, True, False]])
cases = []
cases.append(run_case("simple_rnn", lambda: layers.SimpleRNN(U), x))
cases.append(run_case("simple_rnn_seq_mask", lambda: layers.SimpleRNN(U, return_sequences=True), x, mask))
cases.append(run_case("lstm", lambda: layers.LSTM(U), x))
cases.append(run_case("lstm_seq_state", lambda: layers.LSTM(U, return_sequences=True, return_state=True), x))
cases.append(run_case("lstm_mask_backwards", lambda: layers.LSTM(U, return_sequences=True, go_backwards=True), x, mask))
cases.append(run_case("lstm_mask_last", lambda: layers.LSTM(U, return_state=True), x, mask))
cases.append(run_case("lstm_initial_state", lambda: layers.LSTM(U, return_sequences=True), x,
                      initial=[normal((B, U)), normal((B, U))]))
cases.append(run_case("lstm_no_forget_bias_relu", lambda: layers.LSTM(U, unit_forget_bias=False, activation="relu", use_bias=False), x))
cases.append(run_case("gru", lambda: layers.GRU(U), x))
cases.append(run_case("gru_mask_seq", lambda: layers.GRU(U, return_sequences=True), x, mask))
cases.append(run_case("gru_reset_before_state", lambda: layers.GRU(U, reset_after=False, return_state=True), x))
cases.append(run_case("gru_reset_before_backwards_mask", lambda: layers.GRU(U, reset_after=False, go_backwards=True, return_sequences=True), x, mask))
cases.append(run_case("stacked", lambda: layers.RNN([layers.LSTMCell(U), layers.GRUCell(2)], return_sequences=True), x))
for mode in ["concat", "sum", "mul", "ave"]:
    cases.append(run_case(f"bidirectional_{mode}", lambda: layers.Bidirectional(layers.LSTM(U, return_sequences=True), merge_mode=mode), x, mask))
cases.append(run_case("bidirectional_none_gru", lambda: layers.Bidirectional(layers.GRU(U), merge_mode=None), x))
cases.append(run_case("bidirectional_backward_layer",
                      lambda: layers.Bidirectional(layers.SimpleRNN(U, return_sequences=True),
                                                   backward_layer=layers.GRU(2, return_sequences=True, go_backwards=True)), x))
cases.append(run_case("time_distributed", lambda: layers.TimeDistributed(layers.Dense(2)), x))

# Stateful: two batches, the second starts from the first's final states.
stateful = layers.LSTM(U, stateful=True, return_sequences=True)
stateful.build((B, T, F))
sw = [normal(w.shape) for w in stateful.get_weights()]
stateful.set_weights(sw)
x2 = normal((B, T, F), 1.0)
y1 = np.asarray(stateful(x))
y2 = np.asarray(stateful(x2))
stateful.reset_states()
y3 = np.asarray(stateful(x2))
stateful_entry = {"weights": [t(w) for w in sw], "x1": t(x), "x2": t(x2), "y1": t(y1), "y2": t(y2), "y2_after_reset": t(y3),
                  "config": stateful.get_config()}

# Masks through a Sequential model: Embedding(mask_zero) → LSTM, and Masking → GRU.
ids = np.array([[3, 1, 0, 0], [2, 5, 4, 0]], dtype="int32")
emb_model = keras.Sequential([keras.Input((4,), dtype="int32"), layers.Embedding(6, 3, mask_zero=True),
                              layers.LSTM(U, return_sequences=True), layers.GRU(2)])
emb_weights = [normal(w.shape) for w in emb_model.get_weights()]
emb_model.set_weights(emb_weights)
emb_y = np.asarray(emb_model(ids))
xm = x.copy()
xm[0, 2, :] = 0.0
xm[1, 3, :] = 0.0
mask_model = keras.Sequential([keras.Input((T, F)), layers.Masking(0.0), layers.SimpleRNN(U)])
mask_weights = [normal(w.shape) for w in mask_model.get_weights()]
mask_model.set_weights(mask_weights)
mask_y = np.asarray(mask_model(xm))
# Functional with a mask
inp = keras.Input((4,), dtype="int32")
h = layers.Embedding(6, 3, mask_zero=True)(inp)
h = layers.Bidirectional(layers.LSTM(2, return_sequences=True))(h)
h = layers.LSTM(2)(h)
fn_model = keras.Model(inp, h)
fn_weights = [normal(w.shape) for w in fn_model.get_weights()]
fn_model.set_weights(fn_weights)
fn_y = np.asarray(fn_model(ids))
model_entries = {
    "ids": t(ids),
    "embedding_lstm_gru": {"weights": [t(w) for w in emb_weights], "y": t(emb_y)},
    "masking_simple_rnn": {"x": t(xm), "weights": [t(w) for w in mask_weights], "y": t(mask_y)},
    "functional_bidirectional": {"weights": [t(w) for w in fn_weights], "y": t(fn_y)},
    "embedding_config": layers.Embedding(6, 3, mask_zero=True, name="embedding").get_config(),
    "masking_config": layers.Masking(-1.0, name="masking").get_config(),
}

# A small LSTM model trained a few steps with SGD from fixed weights.
keras.utils.set_random_seed(1)
train_x = normal((8, 5, 3), 1.0)
train_y = rng.integers(0, 3, size=(8,)).astype("int32")
model = keras.Sequential([keras.Input((5, 3)), layers.LSTM(4), layers.Dense(3)])
init_weights = [normal(w.shape) for w in model.get_weights()]
model.set_weights(init_weights)
model.compile(optimizer=keras.optimizers.SGD(0.1), loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
losses = [float(model.train_on_batch(train_x, train_y)) for _ in range(4)]
training = {"x": t(train_x), "y": t(train_y), "initial_weights": [t(w) for w in init_weights],
            "losses": losses, "final_weights": [t(w) for w in model.get_weights()]}

# A Sequential with Bidirectional layers saved by Keras (`rnn_bidirectional_sequential.keras`), to load.
bidir = keras.Sequential([keras.Input((4,), dtype="int32"), layers.Embedding(6, 3, mask_zero=True),
                          layers.Bidirectional(layers.LSTM(2, return_sequences=True)),
                          layers.Bidirectional(layers.GRU(2), merge_mode="sum"), layers.Dense(2)])
bidir.set_weights([normal(w.shape) for w in bidir.get_weights()])
bidir.save(os.path.join(HERE, "rnn_bidirectional_sequential.keras"))
model_entries["bidirectional_sequential"] = {"y": t(np.asarray(bidir(ids)))}

out = {"cases": cases, "stateful": stateful_entry, "models": model_entries, "training": training}
with open(os.path.join(HERE, "rnn_layers.json"), "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
print("wrote", len(cases), "cases; losses", losses)
