"""Generates the layer/model fixtures for swift-keras from real Keras 3.

Run from the repository root:  python3 Tests/Fixtures/layers_generate.py
Writes Tests/Fixtures/layers_numerics.json (per-layer outputs for fixed weights and inputs,
with Keras's get_config()) and Tests/Fixtures/summary_goldens.json (model.summary() text).
"""
import io
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ["COLUMNS"] = "80"  # summaries as printed into a log file / pipe (non-terminal)

import numpy as np
import keras
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1234)


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.tolist()}


def rand(*shape):
    return rng.uniform(-2, 2, size=shape).astype("float32")


def case(case_id, layer, inputs, set_weights=True):
    """Builds `layer` on `inputs`, gives it random weights, records the output."""
    inputs = [np.asarray(x, dtype="float32") for x in inputs]
    args = inputs if len(inputs) > 1 else inputs[0]
    layer(args)  # build
    weights = []
    if set_weights:
        weights = [rand(*w.shape) for w in layer.get_weights()]
        layer.set_weights(weights)
    out = np.asarray(layer(args))
    symbolic_in = [keras.Input(shape=x.shape[1:]) for x in inputs]
    fresh = layer.__class__.from_config(layer.get_config())
    sym_out = fresh(symbolic_in if len(symbolic_in) > 1 else symbolic_in[0])
    return {
        "id": case_id,
        "class_name": layer.__class__.__name__,
        "config": layer.get_config(),
        "inputs": [tensor(x) for x in inputs],
        "weights": [tensor(w) for w in weights],
        "output": tensor(out),
        "symbolic_output_shape": list(sym_out.shape),
        "num_trainable_weights": len(layer.trainable_weights),
        "weight_shapes": [list(w.shape) for w in layer.weights],
    }


cases = [
    case("dense_relu", layers.Dense(3, activation="relu"), [rand(2, 4)]),
    case("dense_linear_no_bias", layers.Dense(2, use_bias=False), [rand(3, 5)]),
    case("dense_rank3_tanh", layers.Dense(2, activation="tanh"), [rand(2, 3, 4)]),
    case("activation_sigmoid", layers.Activation("sigmoid"), [rand(2, 3)]),
    case("activation_gelu", layers.Activation("gelu"), [rand(2, 3)]),
    case("relu_default", layers.ReLU(), [rand(2, 5)]),
    case("relu_max", layers.ReLU(max_value=1.5), [rand(2, 5)]),
    case("relu_slope", layers.ReLU(negative_slope=0.1), [rand(2, 5)]),
    case("relu_threshold", layers.ReLU(threshold=0.5), [rand(2, 5)]),
    case("relu_all", layers.ReLU(max_value=1.2, negative_slope=0.2, threshold=0.4), [rand(3, 5)]),
    case("leaky_relu_default", layers.LeakyReLU(), [rand(2, 5)]),
    case("leaky_relu_01", layers.LeakyReLU(negative_slope=0.1), [rand(2, 5)]),
    case("prelu", layers.PReLU(), [rand(2, 4)]),
    case("prelu_shared", layers.PReLU(shared_axes=[1]), [rand(2, 3, 4)]),
    case("elu", layers.ELU(alpha=0.5), [rand(2, 5)]),
    case("softmax", layers.Softmax(), [rand(2, 5)]),
    case("softmax_axis1", layers.Softmax(axis=1), [rand(2, 3, 4)]),
    case("flatten", layers.Flatten(), [rand(2, 3, 2)]),
    case("reshape", layers.Reshape((3, 2)), [rand(2, 6)]),
    case("reshape_infer", layers.Reshape((-1, 2)), [rand(2, 3, 4)]),
    case("permute", layers.Permute((2, 1)), [rand(2, 3, 4)]),
    case("repeat_vector", layers.RepeatVector(3), [rand(2, 4)]),
    case("dropout_inference", layers.Dropout(0.5), [rand(2, 4)]),
    case("identity", layers.Identity(), [rand(2, 4)]),
    case("add", layers.Add(), [rand(2, 3), rand(2, 3), rand(2, 3)]),
    case("subtract", layers.Subtract(), [rand(2, 3), rand(2, 3)]),
    case("multiply", layers.Multiply(), [rand(2, 3), rand(2, 3)]),
    case("average", layers.Average(), [rand(2, 3), rand(2, 3)]),
    case("maximum", layers.Maximum(), [rand(2, 3), rand(2, 3)]),
    case("minimum", layers.Minimum(), [rand(2, 3), rand(2, 3)]),
    case("concatenate", layers.Concatenate(), [rand(2, 3), rand(2, 2)]),
    case("concatenate_axis1", layers.Concatenate(axis=1), [rand(2, 2, 3), rand(2, 1, 3)]),
    case("dot", layers.Dot(axes=1), [rand(2, 3), rand(2, 3)]),
    case("dot_normalize", layers.Dot(axes=1, normalize=True), [rand(2, 3), rand(2, 3)]),
    case("dot_rank3", layers.Dot(axes=(2, 2)), [rand(2, 3, 4), rand(2, 5, 4)]),
    case("dot_rank3_mixed", layers.Dot(axes=(1, 2)), [rand(2, 4, 3), rand(2, 5, 4)]),
]

# The seed notebook's Sequential model and the Functional model of the API sketch, with fixed
# weights, evaluated on ones((3, 3)).
seed = keras.Sequential([
    layers.Dense(2, activation="relu", name="layer1"),
    layers.Dense(3, activation="relu", name="layer2"),
    layers.Dense(4, name="layer3"),
])
x = np.ones((3, 3), dtype="float32")
seed(x)
seed_weights = [rand(*w.shape) for w in seed.get_weights()]
seed.set_weights(seed_weights)
inputs = keras.Input(shape=(3,))
hidden = layers.Dense(4, activation="relu")(inputs)
outputs = layers.Dense(5, activation="softmax")(hidden)
functional = keras.Model(inputs, outputs)
functional_weights = [rand(*w.shape) for w in functional.get_weights()]
functional.set_weights(functional_weights)
models = {
    "seed_sequential": {"weights": [tensor(w) for w in seed_weights], "input": tensor(x),
                        "output": tensor(np.asarray(seed(x))), "config": seed.get_config()},
    "functional_softmax": {"weights": [tensor(w) for w in functional_weights], "input": tensor(x),
                           "output": tensor(np.asarray(functional(x))), "config": functional.get_config()},
}

with open(os.path.join(HERE, "layers_numerics.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": cases, "models": models}, f, indent=1)


# ---- summary() goldens -------------------------------------------------------------------
def capture(model, **kwargs):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s), **kwargs)
    return "".join(lines)


goldens = {}

keras.backend.clear_session()
m = keras.Sequential([layers.Dense(2, activation="relu", name="layer1"),
                      layers.Dense(3, activation="relu", name="layer2"),
                      layers.Dense(4, name="layer3")])
goldens["seed_unbuilt"] = capture(m)
m(np.ones((3, 3), dtype="float32"))
goldens["seed_built"] = capture(m)

keras.backend.clear_session()
m = keras.Sequential()
m.add(keras.Input(shape=(4,)))
m.add(layers.Dense(2, activation="relu"))
goldens["sequential_input"] = capture(m)

keras.backend.clear_session()
m = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(64, activation="relu"),
                      layers.Dense(64, activation="relu"), layers.Dense(10)], name="mlp")
goldens["mlp"] = capture(m)
os.environ["COLUMNS"] = "200"  # a wider console, so the explicit width is not clipped
goldens["mlp_88"] = capture(m, line_length=88)
os.environ["COLUMNS"] = "80"

keras.backend.clear_session()
inputs = keras.Input(shape=(3,))
hidden = layers.Dense(4, activation="relu")(inputs)
outputs = layers.Dense(5, activation="softmax")(hidden)
goldens["functional_softmax"] = capture(keras.Model(inputs, outputs))

keras.backend.clear_session()
a = keras.Input(shape=(8,), name="a")
b = keras.Input(shape=(8,), name="b")
shared = layers.Dense(4, activation="relu", name="shared")
merged = layers.Concatenate()([shared(a), shared(b)])
out = layers.Dense(1, name="head")(merged)
shared_model = keras.Model([a, b], out, name="siamese")
goldens["shared_layers"] = capture(shared_model)

keras.backend.clear_session()
inputs = keras.Input(shape=(16,))
x1 = layers.Dense(16, activation="relu")(inputs)
x2 = layers.Dense(16)(x1)
added = layers.Add()([inputs, x2])
outputs = layers.Dense(3, activation="softmax")(added)
residual = keras.Model(inputs, outputs, name="residual")
goldens["residual"] = capture(residual)
os.environ["COLUMNS"] = "200"
goldens["residual_108"] = capture(residual, line_length=108)

with open(os.path.join(HERE, "summary_goldens.json"), "w") as f:
    json.dump(goldens, f, indent=1, ensure_ascii=False)
print("\n".join(goldens.values()))
