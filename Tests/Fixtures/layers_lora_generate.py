"""Generates layers_lora.json: a LoRA-enabled Dense layer in real Keras (weights order and names,
trainable split, config keys, outputs from fixed weights).

Run from the repository root: python3 Tests/Fixtures/layers_lora_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)

layer = keras.layers.Dense(3, activation="relu", lora_rank=2, lora_alpha=4.0, name="lora_dense")
layer.build((None, 4))
weights = [rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()]
layer.set_weights(weights)
x = rng.normal(size=(5, 4)).astype("float32")
y = np.asarray(layer(x))

later = keras.layers.Dense(3, name="later")
later.build((None, 4))
later.enable_lora(2)

config = layer.get_config()
out = {
    "weight_names": [w.name for w in layer.weights],
    "trainable_names": [w.name for w in layer.trainable_weights],
    "non_trainable_names": [w.name for w in layer.non_trainable_weights],
    "weights": [{"shape": list(w.shape), "data": w.tolist()} for w in weights],
    "x": {"shape": list(x.shape), "data": x.tolist()},
    "y": {"shape": list(y.shape), "data": y.tolist()},
    "lora_rank": config["lora_rank"],
    "lora_alpha": config["lora_alpha"],
    "enabled_later": {"lora_rank": later.get_config()["lora_rank"], "lora_alpha": later.get_config()["lora_alpha"],
                      "trainable_names": [w.name for w in later.trainable_weights]},
}
with open(os.path.join(HERE, "layers_lora.json"), "w") as f:
    json.dump(out, f, indent=1)
print(out["weight_names"], out["trainable_names"], out["lora_rank"], out["lora_alpha"], out["enabled_later"])
