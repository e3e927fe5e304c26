"""Writes .keras files of models Keras compiled with the newer optimizers, losses and metrics
and trained a few steps, for swift-keras's loading tests (run from the repository root):

    python3 Tests/Fixtures/saving_optimizers_generate.py

Files go to Tests/Fixtures/saving/optimizer_<name>.keras; saving_optimizers.json holds, per
file, an input and Keras's predictions from the file, a next batch, and the weights and the
optimizer's variables (in Keras's order) after one `train_on_batch` of it on the loaded model.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "saving")
rng = np.random.default_rng(11)


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.reshape(-1).tolist()}


optimizers = {
    "adafactor": lambda: keras.optimizers.Adafactor(learning_rate=0.05),
    "ftrl": lambda: keras.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01),
    "lamb": lambda: keras.optimizers.Lamb(learning_rate=0.01),
    "adam_ema": lambda: keras.optimizers.Adam(learning_rate=0.01, use_ema=True, ema_momentum=0.9,
                                              ema_overwrite_frequency=2),
}
x = rng.normal(size=(12, 4)).astype("float32")
y = keras.utils.to_categorical(rng.integers(0, 3, size=12), 3)
x_next = rng.normal(size=(4, 4)).astype("float32")
y_next = keras.utils.to_categorical(rng.integers(0, 3, size=4), 3)
expected = {}
for name, make in optimizers.items():
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=make(), loss=keras.losses.CategoricalFocalCrossentropy(),
                  metrics=[keras.metrics.TruePositives(), keras.metrics.PearsonCorrelation()])
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    path = os.path.join(OUT, f"optimizer_{name}.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    entry = {"x": tensor(x), "y": tensor(restored.predict(x, verbose=0)),
             "x_next": tensor(x_next), "y_next": tensor(y_next)}
    restored.train_on_batch(x_next, y_next)
    entry["weights_after"] = [tensor(w) for w in restored.get_weights()]
    entry["optimizer_after"] = [{"name": v.name, "value": tensor(np.asarray(v))} for v in restored.optimizer.variables]
    expected[name] = entry

with open(os.path.join(HERE, "saving_optimizers.json"), "w") as f:
    json.dump(expected, f)
print("wrote", sorted(expected))
