"""Writes chained_augmentation.json and chained_augmentation.keras: RandAugment and AugMix from
Keras 3 (JAX backend).

Keras draws the operations and their parameters from its own generators, so the fixture holds
configs, explicit choices of the operations that draw nothing (auto-contrast, equalization) with
what Keras's `transform_images` makes of them, and a model saved with both layers.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(21)


def arr(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "data": x.astype(np.float64).ravel().tolist()}


def config_of(layer):
    return json.loads(json.dumps(layer.get_config(), default=lambda o: list(o) if isinstance(o, tuple) else str(o)))


out = {"configs": [], "randaugment": [], "augmix": []}
for cls, kwargs in [
    ("RandAugment", {}),
    ("RandAugment", {"value_range": (0, 1), "num_ops": 3, "factor": (0.6, 0.2), "interpolation": "nearest", "seed": 4}),
    ("AugMix", {}),
    ("AugMix", {"value_range": (-1, 1), "num_chains": 2, "chain_depth": 4, "factor": 0.5, "alpha": 0.5, "all_ops": False, "seed": 7}),
]:
    layer = getattr(keras.layers, cls)(**kwargs)
    out["configs"].append({"class_name": cls, "config": config_of(layer),
                           "operations": [type(getattr(layer, n)).__name__ for n in
                                          (layer._AUGMENT_LAYERS if cls == "RandAugment" else layer._augment_layers)]})

images = rng.uniform(0, 255, size=(2, 6, 7, 3)).astype("float32")
images[1, :, :, 1] = 40.0   # a constant channel

ra = keras.layers.RandAugment(seed=1)
ra.build(images.shape)
names = ra._AUGMENT_LAYERS
# Equalization after AutoContrast is left out: XLA fuses AutoContrast's multiply-add, so a pixel
# at the top can land at 254.99998 instead of 255 and fall into the histogram bin below.
for choices in [[10, 9], [9, 9], [10]]:
    layer = keras.layers.RandAugment(num_ops=len(choices), seed=1)
    layer.build(images.shape)
    t = layer.get_random_transformation(images, training=True)
    t["layer_idxes"] = np.array(choices, "int32")
    y = layer.transform_images(images, t, training=True)
    out["randaugment"].append({"choices": choices, "images": arr(images), "y": arr(y)})

am = keras.layers.AugMix(seed=1)
am.build(images.shape)
for chains, weights, original in [
    ([["auto_contrast"], ["equalization"], []], [0.2, 0.5, 0.3], 0.25),
    ([["equalization", "auto_contrast"], ["equalization", "equalization"], ["auto_contrast"]], [0.6, 0.1, 0.3], 0.7),
]:
    t = {"chain_mixing_weights": np.array(weights, "float32"), "weight_sample": np.float32(original),
         "chain_transforms": [[{"layer_name": n, "transformation": None} for n in c] for c in chains]}
    y = am.transform_images(images, t, training=True)
    out["augmix"].append({"chains": [[am._augment_layers.index(n) for n in c] for c in chains], "weights": weights,
                          "original": original, "images": arr(images), "y": arr(y)})

inp = keras.Input((6, 7, 3))
h = keras.layers.RandAugment(seed=2, name="rand_augment")(inp)
h = keras.layers.AugMix(seed=3, name="aug_mix")(h)
o = keras.layers.Dense(2, name="head")(keras.layers.GlobalAveragePooling2D()(h))
model = keras.Model(inp, o)
model.save(os.path.join(HERE, "chained_augmentation.keras"))
out["model"] = {"x": arr(images), "y": arr(model.predict(images, verbose=0))}

with open(os.path.join(HERE, "chained_augmentation.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote chained_augmentation.json and chained_augmentation.keras")
