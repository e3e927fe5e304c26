"""Generates tutorial_digits.json: the image-classification tutorial run by real Keras on the
bundled digits set, from fixed initial weights with shuffle=False, so the Swift fit can be
compared epoch by epoch.

Run from the repository root: python3 Tests/Fixtures/tutorial_generate.py
"""
import gzip
import json
import os
import struct

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "digits")


def read_idx(name):
    with gzip.open(os.path.join(DIGITS, name), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 0x803:
        rows, cols = struct.unpack(">II", data[8:16])
        return np.frombuffer(data[16:], dtype=np.uint8).reshape(count, rows, cols)
    return np.frombuffer(data[8:], dtype=np.uint8)


x_train = read_idx("train-images-idx3-ubyte.gz") / 255.0
y_train = read_idx("train-labels-idx1-ubyte.gz")
x_test = read_idx("t10k-images-idx3-ubyte.gz") / 255.0
y_test = read_idx("t10k-labels-idx1-ubyte.gz")

keras.utils.set_random_seed(1234)
model = keras.Sequential([
    keras.Input((8, 8)),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation="relu"),
    keras.layers.Dense(10),
])
initial = [w.tolist() for w in model.get_weights()]
model.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=3, batch_size=32, shuffle=False, verbose=0)
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
logits = model.predict(x_test[:5], verbose=0)

out = {
    "initial_weights": initial,
    "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
    "test_loss": float(test_loss),
    "test_accuracy": float(test_acc),
    "first_test_logits": logits.tolist(),
}
with open(os.path.join(HERE, "tutorial_digits.json"), "w") as f:
    json.dump(out, f)
print(out["history"], test_loss, test_acc)
