"""Writes mixing_augmentation.json and pipeline.keras: MixUp, CutMix and Pipeline from Keras 3.

Run with KERAS_BACKEND=jax. The random draws are Keras's own, so the fixture records explicit
transformations (weights, permutations, boxes) with what Keras's `transform_images` and
`transform_labels` make of them; the Swift tests feed the same transformations to the layers'
deterministic parts.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)


def arr(x):
    x = np.asarray(x)
    return {"shape": list(x.shape), "data": x.astype(np.float64).ravel().tolist()}


def config_of(layer):
    return json.loads(json.dumps(layer.get_config(), default=lambda o: list(o) if isinstance(o, tuple) else str(o)))


out = {"configs": [], "mixup": [], "cutmix": [], "inference": []}

for cls, kwargs in [
    ("MixUp", {}),
    ("MixUp", {"alpha": 0.5, "seed": 3, "name": "mix"}),
    ("CutMix", {}),
    ("CutMix", {"factor": 0.5, "seed": 1}),
    ("CutMix", {"factor": [0.8, 0.2]}),
]:
    layer = getattr(keras.layers, cls)(**kwargs)
    out["configs"].append({"class_name": cls, "config": config_of(layer)})

images = rng.uniform(0, 255, size=(4, 5, 6, 3)).astype("float32")
labels = np.eye(3, dtype="float32")[[0, 1, 2, 1]]

mixup = keras.layers.MixUp()
for weights, perm in [([0.3, 0.9, 0.5, 0.0], [2, 0, 3, 1]), ([1.0, 0.25, 0.75, 0.6], [0, 1, 2, 3])]:
    t = {"mix_weight": np.array(weights, "float32"), "permutation_order": np.array(perm, "int64")}
    y = mixup.transform_images(images, t, training=True)
    l = mixup.transform_labels(labels, t, training=True)
    out["mixup"].append({"images": arr(images), "labels": arr(labels), "mix_weight": weights, "permutation": perm,
                         "y": arr(y), "mixed_labels": arr(l)})

cutmix = keras.layers.CutMix()
for x0, x1, y0, y1, perm in [
    ([0.5, 1.2, 0.0, 2.0], [3.5, 4.0, 6.0, 2.5], [1.0, 0.3, 0.0, 4.0], [3.0, 4.9, 5.0, 5.0], [1, 3, 0, 2]),
    ([0.0, 2.0, 1.5, 5.0], [1.0, 5.5, 3.25, 6.0], [0.0, 2.0, 2.5, 0.0], [5.0, 2.5, 4.0, 1.0], [3, 2, 1, 0]),
]:
    corners = tuple(np.array(v, "float32") for v in (x0, x1, y0, y1))
    masks, weight = cutmix._generate_batch_mask(images.shape, corners)
    t = {"permutation_order": np.array(perm, "int32"), "batch_masks": masks, "mix_weight": weight}
    y = cutmix.transform_images(images, t, training=True)
    l = cutmix.transform_labels(labels, t, training=True)
    out["cutmix"].append({"images": arr(images), "labels": arr(labels), "x0": x0, "x1": x1, "y0": y0, "y1": y1,
                          "permutation": perm, "y": arr(y), "mixed_labels": arr(l),
                          "mix_weight": np.asarray(weight).ravel().astype(float).tolist()})

ints = rng.integers(0, 255, size=(2, 4, 4, 3)).astype("int32")
for layer in [keras.layers.MixUp(seed=1), keras.layers.CutMix(seed=1)]:
    y = layer(ints, training=False)
    out["inference"].append({"class_name": layer.__class__.__name__, "x": arr(ints), "y": arr(y),
                             "dtype": str(keras.ops.convert_to_numpy(y).dtype)})

# Pipeline: config, a model saved with one (weights inside it), its predictions and summary.
keras.utils.set_random_seed(5)
pipe = keras.layers.Pipeline([keras.layers.Rescaling(0.5), keras.layers.Dense(3, name="inner"),
                              keras.layers.RandomFlip(seed=2)], name="pipe")
inp = keras.Input((4, 2))
model = keras.Model(inp, keras.layers.Dense(1, name="head")(pipe(inp)))
x = rng.normal(size=(3, 4, 2)).astype("float32")
model.save(os.path.join(HERE, "pipeline.keras"))
lines = []
model.summary(print_fn=lambda s, line_break=True: lines.append(s))
out["pipeline"] = {"config": config_of(pipe), "x": arr(x), "y": arr(model.predict(x, verbose=0)),
                   "summary": "\n".join(lines), "count_params": int(pipe.count_params())}

with open(os.path.join(HERE, "mixing_augmentation.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote mixing_augmentation.json and pipeline.keras")
