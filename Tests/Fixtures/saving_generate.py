"""Writes the saving fixtures from real Keras 3 (run from the repository root):

    KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/saving_generate.py

Files go to Tests/Fixtures/saving/: .keras, .weights.h5 and legacy .h5 files written by Keras,
.npy/.npz files written by NumPy, and saving_expected.json with the inputs and the outputs
Keras computes from those files (predictions; weights and Adam slots after one more
train_on_batch), which the Swift tests compare against.
"""
import json
import os

import keras
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "saving")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7)
expected = {}


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.reshape(-1).tolist()}


def path(name):
    return os.path.join(OUT, name)


keras.utils.set_random_seed(1)

# 1. Sequential MLP, compiled, untrained.
mlp = keras.Sequential([
    keras.Input((4,)),
    keras.layers.Dense(8, activation="relu"),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(3, activation="softmax"),
], name="mlp")
mlp.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
mlp.save(path("mlp.keras"))
mlp.save_weights(path("mlp.weights.h5"))
mlp.save(path("mlp_legacy.h5"))
x = rng.normal(size=(5, 4)).astype("float32")
expected["mlp"] = {"x": tensor(x), "y": tensor(mlp.predict(x, verbose=0))}

# 2. Functional, two inputs and two outputs, with Dropout.
a = keras.Input((4,), name="a")
b = keras.Input((3,), name="b")
h = keras.layers.Concatenate()([a, b])
h = keras.layers.Dense(6, activation="relu")(h)
o1 = keras.layers.Dense(1, name="score")(h)
o2 = keras.layers.Dense(2, activation="softmax", name="label")(keras.layers.Dropout(0.3)(h))
functional = keras.Model([a, b], [o1, o2], name="two_heads")
functional.compile(optimizer="sgd", loss=["mse", "categorical_crossentropy"], loss_weights=[1.0, 0.5])
functional.save(path("functional.keras"))
xa = rng.normal(size=(3, 4)).astype("float32")
xb = rng.normal(size=(3, 3)).astype("float32")
p1, p2 = functional.predict([xa, xb], verbose=0)
expected["functional"] = {"a": tensor(xa), "b": tensor(xb), "score": tensor(p1), "label": tensor(p2)}

# 2b. Functional with BatchNormalization (moving statistics after training) and Dropout, and a
# small CNN; the Swift tests run once those layers exist in the library.
a = keras.Input((4,), name="a")
b = keras.Input((3,), name="b")
h = keras.layers.Dense(6, activation="relu")(keras.layers.Concatenate()([a, b]))
h = keras.layers.BatchNormalization()(h)
o1 = keras.layers.Dense(1, name="score")(h)
o2 = keras.layers.Dense(2, activation="softmax", name="label")(keras.layers.Dropout(0.3)(h))
bn = keras.Model([a, b], [o1, o2], name="bn_heads")
bn.compile(optimizer="adam", loss=["mse", "categorical_crossentropy"])
bn.fit([rng.normal(size=(16, 4)), rng.normal(size=(16, 3))],
       [rng.normal(size=(16, 1)), np.eye(2)[rng.integers(0, 2, 16)]], epochs=2, verbose=0)
bn.save(path("functional_bn.keras"))
p1, p2 = bn.predict([xa, xb], verbose=0)
expected["functional_bn"] = {"a": tensor(xa), "b": tensor(xb), "score": tensor(p1), "label": tensor(p2)}

cnn = keras.Sequential([
    keras.Input((8, 8, 1)),
    keras.layers.Conv2D(4, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dense(3),
], name="cnn")
cnn.compile(optimizer="adam", loss="mse")
cnn.save(path("cnn.keras"))
xc = rng.normal(size=(2, 8, 8, 1)).astype("float32")
expected["cnn"] = {"x": tensor(xc), "y": tensor(cnn.predict(xc, verbose=0))}

# 3. A trained model with Adam state: predictions, then one more train_on_batch.
trained = keras.Sequential([
    keras.Input((3,)),
    keras.layers.Dense(5, activation="tanh"),
    keras.layers.Dense(2),
], name="trained")
trained.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse", metrics=["mae"])
xt = rng.normal(size=(8, 3)).astype("float32")
yt = rng.normal(size=(8, 2)).astype("float32")
for _ in range(3):
    trained.train_on_batch(xt, yt)
trained.save(path("trained_adam.keras"))
x_next = rng.normal(size=(4, 3)).astype("float32")
y_next = rng.normal(size=(4, 2)).astype("float32")
expected["trained_adam"] = {"x": tensor(xt), "y": tensor(trained.predict(xt, verbose=0)),
                            "x_next": tensor(x_next), "y_next": tensor(y_next)}
restored = keras.saving.load_model(path("trained_adam.keras"))
restored.train_on_batch(x_next, y_next)
expected["trained_adam"]["weights_after"] = [tensor(w) for w in restored.get_weights()]
expected["trained_adam"]["optimizer_after"] = [tensor(v.numpy()) for v in restored.optimizer.variables]

# 3b. A Keras 2 `model.save("m.h5")` file, written with h5py in tf-keras's layout
# (tf_keras/saving/legacy/hdf5_format.py: byte-string attributes, `batch_input_shape`, dtype
# strings, datasets named by TF variable `dense/kernel:0`); Keras 3 loads it to give the
# expected predictions.
import h5py

k2_kernel0 = rng.normal(size=(4, 5)).astype("float32")
k2_bias0 = rng.normal(size=(5,)).astype("float32")
k2_kernel1 = rng.normal(size=(5, 2)).astype("float32")
k2_bias1 = rng.normal(size=(2,)).astype("float32")


def k2_dense(name, units, activation):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None}}


k2_config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32",
                                            "sparse": False, "ragged": False, "name": "dense_input"}},
    k2_dense("dense", 5, "tanh"), k2_dense("dense_1", 2, "linear")]}}
with h5py.File(path("keras2_mlp.h5"), "w") as f:
    f.attrs["backend"] = b"tensorflow"
    f.attrs["keras_version"] = b"2.15.0"
    f.attrs["model_config"] = json.dumps(k2_config).encode("utf8")
    weights = f.create_group("model_weights")
    weights.attrs["backend"] = b"tensorflow"
    weights.attrs["keras_version"] = b"2.15.0"
    weights.attrs["layer_names"] = np.array([b"dense", b"dense_1"])
    for layer, (kernel, bias) in [("dense", (k2_kernel0, k2_bias0)), ("dense_1", (k2_kernel1, k2_bias1))]:
        g = weights.create_group(layer)
        g.attrs["weight_names"] = np.array([f"{layer}/kernel:0".encode(), f"{layer}/bias:0".encode()])
        g.create_dataset(f"{layer}/kernel:0", data=kernel)
        g.create_dataset(f"{layer}/bias:0", data=bias)
k2_model = keras.saving.load_model(path("keras2_mlp.h5"), compile=False)
x2 = rng.normal(size=(3, 4)).astype("float32")
expected["keras2"] = {"x": tensor(x2), "y": tensor(k2_model.predict(x2, verbose=0)),
                      "manual": tensor(np.tanh(x2 @ k2_kernel0 + k2_bias0) @ k2_kernel1 + k2_bias1)}

# 4. NumPy files.
np.save(path("float32_c.npy"), np.arange(12, dtype="float32").reshape(3, 4))
np.save(path("float64_f.npy"), np.asfortranarray(np.arange(6, dtype="float64").reshape(2, 3)))
np.save(path("int64.npy"), np.array([[1, -2], [3, 2**40]], dtype="int64"))
np.save(path("int32_be.npy"), np.array([1, 2, 70000], dtype=">i4"))
np.save(path("bool.npy"), np.array([True, False, True]))
np.save(path("uint8.npy"), np.array([0, 255, 7], dtype="uint8"))
np.save(path("scalar.npy"), np.float32(2.5))
np.savez(path("arrays.npz"), x=np.arange(6, dtype="float32").reshape(2, 3), y=np.array([1, 0], dtype="int32"))
np.savez_compressed(path("compressed.npz"), w=np.linspace(0, 1, 50).astype("float32"))

# 5. Fuzz corpus seeds (Fuzz/corpus): a selector byte (0 .keras, 1 .weights.h5, 2 .npy, 3 .npz,
# 4 legacy .h5), then the file. The weights seed fits the fuzz target's Dense(4) → Dense(2) model.
CORPUS = os.path.join(os.path.dirname(OUT), "..", "..", "Fuzz", "corpus")
os.makedirs(CORPUS, exist_ok=True)
small = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
small.compile(optimizer="adam", loss="mse")
small.save(path("small.keras"))
small.save_weights(path("small.weights.h5"))
small.save(path("small_legacy.h5"))
for selector, name in [(0, "small.keras"), (1, "small.weights.h5"), (2, "float64_f.npy"), (2, "int32_be.npy"),
                       (3, "arrays.npz"), (3, "compressed.npz"), (4, "small_legacy.h5")]:
    with open(path(name), "rb") as src, open(os.path.join(CORPUS, f"seed-{selector}-{name}"), "wb") as dst:
        dst.write(bytes([selector]) + src.read())
for name in ["small.keras", "small.weights.h5", "small_legacy.h5"]:
    os.remove(path(name))

with open(path("saving_expected.json"), "w") as f:
    json.dump(expected, f)
print("wrote", sorted(os.listdir(OUT)))
