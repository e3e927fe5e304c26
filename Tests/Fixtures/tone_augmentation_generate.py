"""Writes tone_augmentation.json from real Keras 3 (JAX backend) for ToneAugmentationTests.

- "configs": Keras's get_config() of each tone layer built with given arguments.
- "random": for RandomInvert, RandomPosterization, Solarization and RandomSharpness, the
  parameters Keras's get_random_transformation drew (flattened), an input batch (or one image)
  and Keras's transform_images (transform_single_image) output for those parameters.
- "fixed": AutoContrast, Equalization and ContrastLimitedAdaptiveHistogramEqualization, and
  random layers with degenerate factors: input, training flag and Keras's whole-layer output.
- "models": a Sequential model of the layers, its to_json() and its symbolic output shape.

Run from the repository root:
KERAS_BACKEND=jax /tmp/venv-keras/bin/python Tests/Fixtures/tone_augmentation_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
L = keras.layers
rng = np.random.default_rng(20261201)


def tensor(a, dtype="float32"):
    a = np.asarray(a)
    flat = a.astype("float64").reshape(-1)
    data = [("nan" if np.isnan(v) else ("inf" if v > 0 else "-inf")) if not np.isfinite(v) else float(f"{v:.9g}") for v in flat]
    return {"shape": list(a.shape), "dtype": dtype, "data": data}


def plain(config):
    return json.loads(json.dumps(config, default=lambda o: list(o) if isinstance(o, tuple) else str(o)))


def pixels(shape, integer=True, high=255.0):
    if integer:
        return rng.integers(0, 256, size=shape).astype("float32") * (high / 255.0)
    return rng.uniform(0, high, size=shape).astype("float32")


# ---------------------------------------------------------------- configs
CONFIGS = [
    ("invert_default", L.RandomInvert()),
    ("invert_range", L.RandomInvert(factor=(0.2, 0.7), value_range=(1, 0), seed=3)),
    ("posterization", L.RandomPosterization(4, seed=1)),
    ("posterization_pair", L.RandomPosterization((6, 2), value_range=(1, 0))),
    ("solarization_default", L.Solarization()),
    ("solarization_pair", L.Solarization(addition_factor=(0.5, 0.1), threshold_factor=0.3, value_range=(0, 1), seed=2)),
    ("sharpness", L.RandomSharpness(0.4, seed=5)),
    ("sharpness_pair", L.RandomSharpness((0.9, 0.1), value_range=(1, -1))),
    ("auto_contrast", L.AutoContrast()),
    ("auto_contrast_range", L.AutoContrast(value_range=(1, 0))),
    ("equalization", L.Equalization()),
    ("equalization_bins", L.Equalization(value_range=(0, 1), bins=64)),
    ("clahe", L.ContrastLimitedAdaptiveHistogramEqualization()),
    ("clahe_args", L.ContrastLimitedAdaptiveHistogramEqualization(value_range=(0.0, 1.0), clip_limit=2.5, tile_grid_size=(2, 3))),
]
configs = [{"name": n, "class_name": l.__class__.__name__, "config": plain(l.get_config())} for n, l in CONFIGS]

# ---------------------------------------------------------------- random layers: given parameters
RANDOM = [
    ("invert", L.RandomInvert(factor=(0.3, 0.9), value_range=(0, 1), seed=4), (4, 3, 4, 2), False, 1.0),
    ("invert_255", L.RandomInvert(seed=7), (3, 3, 3, 3), True, 255.0),
    ("posterization", L.RandomPosterization(8, seed=2), (4, 4, 3, 3), True, 255.0),
    ("posterization_unit", L.RandomPosterization((1, 5), value_range=(0, 1), seed=2), (3, 3, 4, 2), False, 1.0),
    ("posterization_rank3", L.RandomPosterization(3, seed=2), (4, 3, 2), False, 255.0),
    ("solarization", L.Solarization(addition_factor=(0.0, 0.3), threshold_factor=(0.2, 0.8), seed=6), (3, 4, 3, 2), False, 255.0),
    ("solarization_unit", L.Solarization(addition_factor=0.2, threshold_factor=0.6, value_range=(0, 1), seed=6), (3, 3, 3, 3), False, 1.0),
    ("solarization_rank3", L.Solarization(threshold_factor=(0.4, 0.6), seed=1), (3, 4, 3), False, 255.0),
    ("sharpness", L.RandomSharpness((0.0, 1.0), seed=8), (3, 5, 4, 2), False, 255.0),
    ("sharpness_unit", L.RandomSharpness(0.9, value_range=(0, 1), seed=8), (2, 4, 5, 3), False, 1.0),
    ("sharpness_rank3", L.RandomSharpness((0.8, 1.0), seed=8), (4, 4, 2), False, 255.0),
]
random_cases = []
for name, layer, shape, integer, high in RANDOM:
    x = pixels(shape, integer, high)
    batched = x if x.ndim == 4 else x[None]
    t = layer.get_random_transformation(batched, training=True, seed=None)
    if name == "invert":                     # the draws inverted none: mark two images by hand
        t = {"apply_inversion": np.array([True, False, True, False])}
    if x.ndim == 4:
        y = layer.transform_images(x, t, training=True)
    else:
        y = layer.transform_single_image(x, t, training=True)
    params = {k: np.asarray(v).astype("float64").reshape(-1).tolist() for k, v in t.items()}
    random_cases.append({"name": name, "class_name": layer.__class__.__name__, "config": plain(layer.get_config()),
                         "parameters": params, "x": tensor(x), "y": tensor(np.asarray(y))})

# ---------------------------------------------------------------- deterministic layers: whole outputs
flat = pixels((2, 4, 5, 3))
flat[1, :, :, 1] = 77.0                      # a constant channel: AutoContrast and Equalization keep it
few = np.where(pixels((2, 5, 4, 2)) > 128, 200.0, 40.0).astype("float32")
few[0, 0, 0, 0] = 90.0
FIXED = [
    ("auto_contrast", L.AutoContrast(), flat, True),
    ("auto_contrast_infer", L.AutoContrast(), pixels((2, 3, 4, 3), False), False),
    ("auto_contrast_unit", L.AutoContrast(value_range=(0, 1)), pixels((2, 4, 3, 2), False, 1.0) * 0.5 + 0.2, True),
    ("auto_contrast_rank3", L.AutoContrast(), pixels((4, 4, 3), False), False),
    ("equalization", L.Equalization(), flat, True),
    ("equalization_float", L.Equalization(), pixels((2, 6, 5, 2), False), True),
    ("equalization_unit_bins", L.Equalization(value_range=(0, 1), bins=32), pixels((2, 5, 6, 3), False, 1.0), True),
    ("equalization_few", L.Equalization(bins=16), few, True),
    ("equalization_rank3", L.Equalization(value_range=(-1, 1)), pixels((5, 5, 2), False, 2.0) - 1.0, True),
    ("equalization_infer", L.Equalization(), flat, False),
    ("clahe", L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2)), pixels((2, 8, 8, 2)), True),
    ("clahe_padded", L.ContrastLimitedAdaptiveHistogramEqualization(clip_limit=1.5, tile_grid_size=(3, 2)), pixels((1, 10, 7, 3), False), False),
    ("clahe_default_small", L.ContrastLimitedAdaptiveHistogramEqualization(), pixels((1, 5, 6, 1)), False),
    ("clahe_no_clip_unit", L.ContrastLimitedAdaptiveHistogramEqualization(value_range=(0, 1), clip_limit=0.0, tile_grid_size=(2, 3)),
     pixels((2, 6, 9, 1), False, 1.0), True),
    ("clahe_rank3", L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2)), pixels((6, 5, 2)), True),
    ("invert_degenerate", L.RandomInvert(factor=(1.0, 1.0), seed=1), pixels((2, 3, 3, 2)), True),
    ("posterization_fixed", L.RandomPosterization((3, 3), value_range=(0, 1)), pixels((2, 3, 3, 2), False, 1.0), True),
    ("solarization_fixed", L.Solarization(value_range=(0, 1)), pixels((2, 3, 3, 2), False, 1.0), True),
    ("sharpness_fixed", L.RandomSharpness((0.25, 0.25)), pixels((2, 4, 4, 3), False), True),
    ("sharpness_infer", L.RandomSharpness(0.5), pixels((1, 3, 3, 2), False), False),
]
fixed = []
for name, layer, x, training in FIXED:
    y = np.asarray(layer(x, training=training))
    fixed.append({"name": name, "class_name": layer.__class__.__name__, "config": plain(layer.get_config()),
                  "training": training, "x": tensor(x), "y": tensor(y)})

# ---------------------------------------------------------------- a model (Equalization left out: its
# compute_output_spec returns its input, which Keras 3.15.1 rejects as a cycle in a functional graph)
model = keras.Sequential([keras.Input((6, 6, 3)), L.AutoContrast(), L.RandomInvert(seed=1), L.RandomPosterization(4, seed=2),
                          L.Solarization(seed=3), L.RandomSharpness(0.5, seed=4),
                          L.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))])
models = {"json": json.loads(model.to_json()), "output_shape": list(model.compute_output_shape((None, 6, 6, 3)))}

with open(os.path.join(HERE, "tone_augmentation.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "configs": configs, "random": random_cases, "fixed": fixed, "models": models},
              f, separators=(",", ":"))
print("wrote", os.path.join(HERE, "tone_augmentation.json"))
