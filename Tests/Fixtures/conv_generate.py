"""Generates conv_layers.json and conv_training.json from real Keras 3 (JAX backend).

conv_layers.json: for each convolution / pooling layer case, Keras's config, the layer's
weights (random normal, set explicitly), an input, the output, and the gradients of
sum(output * cotangent) with respect to the input and to every weight.

conv_training.json: a small CNN (Conv2D -> MaxPooling2D -> Conv2D -> MaxPooling2D -> Flatten ->
Dense, Adam, sparse categorical crossentropy from logits) trained with train_on_batch from its
initial weights: the data, the initial weights, the loss of each step and the final weights.

Run from the repository root: KERAS_BACKEND=jax python3 Tests/Fixtures/conv_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
L = keras.layers
rng = np.random.default_rng(20261130)


def tensor(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "dtype": "float32", "data": a.reshape(-1).tolist()}


# (case name, layer, input shape)
CASES = [
    ("conv1d_valid", L.Conv1D(3, 3), (2, 7, 2)),
    ("conv1d_strides2_same_odd", L.Conv1D(2, 3, strides=2, padding="same"), (2, 7, 3)),
    ("conv1d_same_even_kernel_even_input", L.Conv1D(2, 4, padding="same"), (1, 8, 2)),
    ("conv1d_dilation2_same", L.Conv1D(2, 3, dilation_rate=2, padding="same", activation="tanh"), (2, 9, 2)),
    ("conv1d_causal", L.Conv1D(3, 3, padding="causal"), (2, 6, 2)),
    ("conv1d_causal_dilation2", L.Conv1D(2, 2, padding="causal", dilation_rate=2, use_bias=False), (1, 7, 3)),
    ("conv1d_groups2", L.Conv1D(4, 3, groups=2, padding="same"), (2, 5, 4)),
    ("conv2d_valid_relu", L.Conv2D(3, 3, activation="relu"), (2, 6, 5, 2)),
    ("conv2d_strides2_same_odd_input", L.Conv2D(2, 3, strides=2, padding="same"), (1, 7, 7, 3)),
    ("conv2d_strides2_same_even_input_even_kernel", L.Conv2D(2, (2, 4), strides=2, padding="same"), (1, 6, 8, 2)),
    ("conv2d_strides_2_1_valid", L.Conv2D(3, (3, 2), strides=(2, 1)), (2, 7, 5, 2)),
    ("conv2d_dilation2", L.Conv2D(2, 3, dilation_rate=(2, 1), padding="same"), (1, 7, 6, 2)),
    ("conv2d_groups3", L.Conv2D(6, 3, groups=3), (1, 5, 5, 3)),
    ("conv3d_strides2_same", L.Conv3D(2, 2, strides=2, padding="same"), (1, 3, 4, 5, 2)),
    ("conv3d_valid", L.Conv3D(2, (2, 3, 2)), (1, 3, 4, 3, 2)),
    ("conv1d_transpose_valid_s2", L.Conv1DTranspose(2, 3, strides=2), (2, 4, 3)),
    ("conv1d_transpose_same_s2", L.Conv1DTranspose(2, 3, strides=2, padding="same"), (1, 5, 2)),
    ("conv1d_transpose_output_padding", L.Conv1DTranspose(3, 3, strides=2, output_padding=1), (1, 4, 2)),
    ("conv2d_transpose_same_s2", L.Conv2DTranspose(2, 3, strides=2, padding="same"), (1, 3, 4, 3)),
    ("conv2d_transpose_output_padding", L.Conv2DTranspose(2, (3, 2), strides=(2, 3), padding="same", output_padding=(1, 2)), (1, 3, 3, 2)),
    ("conv2d_transpose_dilation2", L.Conv2DTranspose(2, 2, dilation_rate=2), (1, 3, 3, 2)),
    ("conv3d_transpose_s2", L.Conv3DTranspose(2, 2, strides=2), (1, 2, 2, 3, 2)),
    ("depthwise_conv1d_mult2_s2_same", L.DepthwiseConv1D(3, strides=2, padding="same", depth_multiplier=2), (2, 7, 3)),
    ("depthwise_conv2d_same", L.DepthwiseConv2D(3, padding="same"), (1, 5, 4, 3)),
    ("depthwise_conv2d_mult3_dilation2", L.DepthwiseConv2D(2, depth_multiplier=3, dilation_rate=2), (1, 5, 5, 2)),
    ("separable_conv1d_mult2_same", L.SeparableConv1D(4, 3, padding="same", depth_multiplier=2), (2, 6, 3)),
    ("separable_conv2d_s2", L.SeparableConv2D(3, 3, strides=2, depth_multiplier=2, activation="relu"), (1, 7, 7, 2)),
    ("max_pooling1d", L.MaxPooling1D(), (2, 7, 3)),
    ("max_pooling1d_same_s1", L.MaxPooling1D(3, strides=1, padding="same"), (1, 6, 2)),
    ("max_pooling2d", L.MaxPooling2D(), (2, 5, 6, 3)),
    ("max_pooling2d_same_odd", L.MaxPooling2D((3, 2), strides=(2, 2), padding="same"), (1, 7, 5, 2)),
    ("max_pooling3d_same", L.MaxPooling3D(2, padding="same"), (1, 3, 4, 5, 2)),
    ("average_pooling1d_same", L.AveragePooling1D(2, padding="same"), (2, 5, 2)),
    ("average_pooling1d_valid_s1", L.AveragePooling1D(3, strides=1), (1, 6, 2)),
    ("average_pooling2d_same_odd", L.AveragePooling2D(3, strides=2, padding="same"), (1, 6, 7, 2)),
    ("average_pooling2d_valid", L.AveragePooling2D((2, 3)), (2, 5, 7, 3)),
    ("average_pooling3d_same", L.AveragePooling3D((2, 2, 3), padding="same"), (1, 3, 4, 5, 2)),
    ("global_max_pooling1d", L.GlobalMaxPooling1D(), (2, 5, 3)),
    ("global_max_pooling2d_keepdims", L.GlobalMaxPooling2D(keepdims=True), (2, 4, 3, 2)),
    ("global_max_pooling3d", L.GlobalMaxPooling3D(), (1, 2, 3, 4, 2)),
    ("global_average_pooling1d_keepdims", L.GlobalAveragePooling1D(keepdims=True), (2, 5, 3)),
    ("global_average_pooling2d", L.GlobalAveragePooling2D(), (2, 4, 3, 2)),
    ("global_average_pooling3d_keepdims", L.GlobalAveragePooling3D(keepdims=True), (1, 2, 3, 4, 2)),
]


def layer_case(name, layer, input_shape):
    layer.build(input_shape)
    weights = [rng.normal(size=w.shape).astype("float32") for w in layer.weights]
    layer.set_weights(weights)
    x = rng.normal(size=input_shape).astype("float32")
    y = np.asarray(layer(x))
    cot = rng.normal(size=y.shape).astype("float32")

    def objective(x, ws):
        out, _ = layer.stateless_call(ws, [], x)
        return jnp.sum(out * cot)

    gx, gws = jax.grad(objective, argnums=(0, 1))(jnp.asarray(x), [jnp.asarray(w) for w in weights])
    return {
        "name": name,
        "class_name": type(layer).__name__,
        "config": layer.get_config(),
        "weight_names": [w.name for w in layer.weights],
        "input": tensor(x),
        "weights": [tensor(w) for w in weights],
        "output": tensor(y),
        "cotangent": tensor(cot),
        "grad_input": tensor(gx),
        "grad_weights": [tensor(g) for g in gws],
    }


def training_case():
    keras.utils.set_random_seed(7)
    model = keras.Sequential([
        keras.Input((10, 10, 1)),
        L.Conv2D(4, 3, activation="relu"),
        L.MaxPooling2D(),
        L.Conv2D(6, 2, activation="relu", padding="same"),
        L.MaxPooling2D(),
        L.Flatten(),
        L.Dense(5),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = rng.normal(size=(24, 10, 10, 1)).astype("float32")
    y = rng.integers(0, 5, size=(24,)).astype("int32")
    initial = [np.asarray(w) for w in model.get_weights()]
    losses = []
    for step in range(6):
        lo = (step * 8) % 24
        out = model.train_on_batch(x[lo:lo + 8], y[lo:lo + 8], return_dict=True)
        losses.append(float(out["loss"]))
    return {
        "x": tensor(x),
        "y": {"shape": [24], "dtype": "int32", "data": y.tolist()},
        "batch_size": 8,
        "learning_rate": 0.01,
        "initial_weights": [tensor(w) for w in initial],
        "losses": losses,
        "final_weights": [tensor(w) for w in model.get_weights()],
    }


def capture(model, **kwargs):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s), **kwargs)
    return "".join(lines)


def summaries():
    """summary() text of the benchmark CNN and of a functional convnet, default names."""
    os.environ["COLUMNS"] = "80"
    keras.backend.clear_session()
    cnn = keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(),
        L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(),
        L.Flatten(),
        L.Dense(10),
    ])
    keras.backend.clear_session()
    inputs = keras.Input((32, 32, 3))
    a = L.SeparableConv2D(8, 3, padding="same")(inputs)
    b = L.Conv2D(8, 1, strides=1)(inputs)
    x = L.Add()([a, b])
    x = L.DepthwiseConv2D(3, depth_multiplier=2)(x)
    x = L.Conv2DTranspose(4, 3, strides=2, padding="same")(x)
    x = L.AveragePooling2D(3, strides=2, padding="same")(x)
    x = L.GlobalMaxPooling2D()(x)
    functional = keras.Model(inputs, L.Dense(3)(x), name="convnet")
    return {"cnn": capture(cnn), "functional_convnet": capture(functional)}


if __name__ == "__main__":
    cases = [layer_case(*c) for c in CASES]
    with open(os.path.join(HERE, "conv_layers.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "cases": cases}, f)
    training = training_case()
    training["summaries"] = summaries()
    with open(os.path.join(HERE, "conv_training.json"), "w") as f:
        json.dump(training, f)
    print(len(cases), "layer cases; training losses", training["losses"])
