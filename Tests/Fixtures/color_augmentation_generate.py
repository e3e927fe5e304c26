"""Writes color_augmentation.json from real Keras 3 (JAX backend) for the color augmentation
layers: RandomGrayscale, RandomHue, RandomSaturation, RandomColorDegeneration, RandomColorJitter.

Keras draws its random parameters with JAX's generator, which swift-keras does not reproduce, so
the fixture records each layer's deterministic part: a transformation (the per-image parameters,
built by hand or drawn by `get_random_transformation`) and `transform_images` applied with it.

- "configs": `get_config()` of layers built with various arguments (and the arguments).
- "transforms": images, a transformation, and `transform_images(images, transformation)`.
- "calls": layers whose training output does not depend on the draws (factor 1 grayscale, fixed
  ranges), called directly in training mode, plus inference calls (input returned as is).
- "jitter": RandomColorJitter's pipeline replayed with given parameters through its sub-layers.
- "validation": arguments Keras accepts or rejects at construction.

Run from the repository root:
KERAS_BACKEND=jax /tmp/venv-keras/bin/python Tests/Fixtures/color_augmentation_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
L = keras.layers
rng = np.random.default_rng(20261201)


def tensor(a, dtype=None):
    a = np.asarray(a)
    dtype = dtype or str(a.dtype)
    # float32 values in their shortest decimal form, to keep the file small
    return {"shape": list(a.shape), "dtype": dtype, "data": [float(str(np.float32(v))) for v in a.reshape(-1)]}


def plain(value):
    return json.loads(json.dumps(value, default=lambda o: list(o) if isinstance(o, tuple) else (o.tolist() if hasattr(o, "tolist") else str(o))))


def images_255(shape):
    x = rng.uniform(0, 255, size=shape).astype("float32")
    flat = x.reshape(-1, 3)
    # Pixels that take the rarer branches of rgb_to_hsv: gray, black, white, ties for the maximum.
    flat[0] = [0, 0, 0]
    flat[1] = [255, 255, 255]
    flat[2] = [90, 90, 90]
    flat[3] = [200, 200, 10]
    flat[4] = [30, 200, 200]
    flat[5] = [200, 10, 200]
    flat[6] = [255, 0, 0]
    flat[7] = [10, 20, 250]
    return flat.reshape(shape)


X = images_255((3, 4, 5, 3))
X_UNIT = (images_255((2, 3, 4, 3)) / 255.0).astype("float32")
X_SINGLE = images_255((4, 3, 3))
X_ONE_CHANNEL = X[..., :1].copy()
INPUTS = {"x": X, "x_unit": X_UNIT, "x_single": X_SINGLE, "x_one_channel": X_ONE_CHANNEL}


def input_name(x):
    return next(k for k, v in INPUTS.items() if v is x)

# ---------------------------------------------------------------- configs
CONFIG_CASES = [
    ("grayscale_default", L.RandomGrayscale(), {}),
    ("grayscale_factor", L.RandomGrayscale(factor=0.3, seed=4), {"factor": 0.3, "seed": 4}),
    ("hue_number", L.RandomHue(0.4, seed=1), {"factor": 0.4, "seed": 1}),
    ("hue_pair", L.RandomHue((0.1, 0.6), value_range=(0, 1)), {"factor": [0.1, 0.6], "value_range": [0, 1]}),
    ("saturation_number", L.RandomSaturation(0.5, seed=2), {"factor": 0.5, "seed": 2}),
    ("saturation_pair", L.RandomSaturation((0.6, 0.2), value_range=(1, 0)), {"factor": [0.6, 0.2], "value_range": [1, 0]}),
    ("degeneration_number", L.RandomColorDegeneration(0.3), {"factor": 0.3}),
    ("degeneration_pair", L.RandomColorDegeneration((0.2, 0.8), value_range=(0, 1), seed=9),
     {"factor": [0.2, 0.8], "value_range": [0, 1], "seed": 9}),
    ("jitter_default", L.RandomColorJitter(), {}),
    ("jitter_all", L.RandomColorJitter(value_range=(0, 1), brightness_factor=0.2, contrast_factor=(0.1, 0.4),
                                       saturation_factor=(0.3, 0.7), hue_factor=0.1, seed=5),
     {"value_range": [0, 1], "brightness_factor": 0.2, "contrast_factor": [0.1, 0.4], "saturation_factor": [0.3, 0.7],
      "hue_factor": 0.1, "seed": 5}),
]
configs = [{"name": n, "class_name": layer.__class__.__name__, "kwargs": kw, "config": plain(layer.get_config())}
           for n, layer, kw in CONFIG_CASES]

# ---------------------------------------------------------------- transforms
transforms = []


def add_transform(name, layer, x, transformation, single=False):
    recorded = transformation
    if "apply" in transformation:  # RandomGrayscale's transformation is the mask itself
        transformation = transformation["apply"]
    if single:
        y = layer.transform_single_image(x, transformation, training=True)
    else:
        y = layer.transform_images(x, transformation, training=True)
    transforms.append({"name": name, "class_name": layer.__class__.__name__, "config": plain(layer.get_config()),
                       "input": input_name(x), "transformation": {k: plain(np.asarray(v).reshape(-1)) for k, v in recorded.items()},
                       "y": tensor(np.asarray(y))})


gray = L.RandomGrayscale(factor=0.5)
add_transform("grayscale_mixed", gray, X, {"apply": np.array([True, False, True]).reshape(3, 1, 1, 1)})
add_transform("grayscale_single", gray, X_SINGLE, {"apply": np.array([True]).reshape(1, 1, 1, 1)}, single=True)
add_transform("grayscale_one_channel", gray, X_ONE_CHANNEL, {"apply": np.array([True, True, False]).reshape(3, 1, 1, 1)})

hue = L.RandomHue(0.8)
add_transform("hue_255", hue, X, {"factor": np.array([0.3, -0.45, 0.05], "float32")})
add_transform("hue_unit", L.RandomHue((0.2, 0.9), value_range=(0, 1)), X_UNIT, {"factor": np.array([-0.2, 0.4], "float32")})
add_transform("hue_single", hue, X_SINGLE, {"factor": np.array([0.25], "float32")}, single=True)
drawn = hue.get_random_transformation(X, training=True, seed=keras.random.SeedGenerator(3))
add_transform("hue_drawn", hue, X, {"factor": np.asarray(drawn["factor"])})

sat = L.RandomSaturation(0.9)
add_transform("saturation_255", sat, X, {"factor": np.array([0.25, 1.8, 0.0], "float32")})
add_transform("saturation_negative", sat, X, {"factor": np.array([-0.5, 3.0, 1e7], "float32")})
add_transform("saturation_unit", L.RandomSaturation((0.1, 0.9), value_range=(0, 1)), X_UNIT, {"factor": np.array([0.5, 4.0], "float32")})
add_transform("saturation_single", sat, X_SINGLE, {"factor": np.array([1.5], "float32")}, single=True)
drawn = sat.get_random_transformation(X, training=True, seed=keras.random.SeedGenerator(3))
add_transform("saturation_drawn", sat, X, {"factor": np.asarray(drawn["factor"])})

deg = L.RandomColorDegeneration(0.9)
add_transform("degeneration_255", deg, X, {"factor": np.array([0.3, -0.8, 1.0], "float32").reshape(3, 1, 1, 1)})
add_transform("degeneration_unit", L.RandomColorDegeneration(0.5, value_range=(0, 1)), X_UNIT,
              {"factor": np.array([0.5, -0.4], "float32").reshape(2, 1, 1, 1)})
add_transform("degeneration_single", deg, X_SINGLE, {"factor": np.array([0.7], "float32").reshape(1, 1, 1, 1)}, single=True)

# ---------------------------------------------------------------- direct calls
calls = []


def add_call(name, layer, x, training):
    y = np.asarray(layer(x, training=training))
    calls.append({"name": name, "class_name": layer.__class__.__name__, "config": plain(layer.get_config()),
                  "training": training, "input": input_name(x), "y": tensor(y), "y_dtype": str(y.dtype)})


add_call("grayscale_all", L.RandomGrayscale(factor=1.0, seed=3), X, True)
add_call("grayscale_none", L.RandomGrayscale(factor=0.0, seed=3), X, True)
add_call("grayscale_all_single", L.RandomGrayscale(factor=1.0), X_SINGLE, True)
add_call("hue_zero", L.RandomHue((0.0, 0.0), seed=3), X, True)
add_call("saturation_fixed", L.RandomSaturation((0.25, 0.25), seed=3), X, True)
add_call("saturation_half", L.RandomSaturation((0.5, 0.5), value_range=(0, 1), seed=3), X_UNIT, True)
add_call("degeneration_fixed", L.RandomColorDegeneration((0.6, 0.6), seed=3), X, True)
add_call("jitter_fixed", L.RandomColorJitter(brightness_factor=(0.1, 0.1), contrast_factor=(-0.5, 0.5),
                                             saturation_factor=(0.3, 0.3), hue_factor=(0.0, 0.0), seed=3), X, True)
add_call("jitter_none", L.RandomColorJitter(seed=3), X, True)
for name, layer in [("grayscale", L.RandomGrayscale(factor=1.0)), ("hue", L.RandomHue(0.5)), ("saturation", L.RandomSaturation(0.5)),
                    ("degeneration", L.RandomColorDegeneration(0.5)), ("jitter", L.RandomColorJitter(brightness_factor=0.5, hue_factor=0.5))]:
    add_call(name + "_inference", layer, X, False)

# ---------------------------------------------------------------- jitter replayed with given parameters
jitter = L.RandomColorJitter(value_range=(0, 255), brightness_factor=0.3, contrast_factor=0.5, saturation_factor=0.8, hue_factor=0.6)
params = {
    "brightness": np.array([0.2, -0.3, 0.05], "float32") * 255.0,
    "contrast": np.array([1.3, 0.7, 1.0], "float32"),
    "saturation": np.array([0.4, 2.5, 1.0], "float32"),
    "hue": np.array([0.2, -0.1, 0.35], "float32"),
}
y = np.asarray(X)
y = jitter.random_brightness.transform_images(y, {"rgb_delta": params["brightness"].reshape(3, 1, 1, 1)})
y = jitter.random_contrast.transform_images(y, {"contrast_factor": params["contrast"].reshape(3, 1, 1, 1)})
y = jitter.random_saturation.transform_images(y, {"factor": params["saturation"]})
y = jitter.random_hue.transform_images(y, {"factor": params["hue"]})
jitter_case = {"config": plain(jitter.get_config()), "input": "x", "params": {k: plain(v) for k, v in params.items()}, "y": tensor(np.asarray(y))}

# ---------------------------------------------------------------- validation
VALIDATION = [
    ("RandomGrayscale", {"factor": 1.5}), ("RandomGrayscale", {"factor": -0.1}), ("RandomGrayscale", {"factor": 1}),
    ("RandomGrayscale", {"factor": 0}),
    ("RandomHue", {"factor": 1.5}), ("RandomHue", {"factor": -0.5}), ("RandomHue", {"factor": [-0.5, 0.5]}),
    ("RandomHue", {"factor": [1.2, 1.5]}), ("RandomHue", {"factor": [0.1, 0.2, 0.3]}), ("RandomHue", {"factor": "big"}),
    ("RandomSaturation", {"factor": 1.5}), ("RandomSaturation", {"factor": -0.5}), ("RandomSaturation", {"factor": [-2, 0.5]}),
    ("RandomSaturation", {"factor": [-3, -2]}), ("RandomSaturation", {"factor": 0.5, "value_range": [1]}),
    ("RandomSaturation", {"factor": 0.5, "value_range": 255}),
    ("RandomColorDegeneration", {"factor": 1.01}), ("RandomColorDegeneration", {"factor": -1}),
    ("RandomColorDegeneration", {"factor": [1.5, 2]}), ("RandomColorDegeneration", {"factor": 0.5, "value_range": [0, 1, 2]}),
    ("RandomColorJitter", {"brightness_factor": 1.5}), ("RandomColorJitter", {"contrast_factor": -0.5}),
    ("RandomColorJitter", {"contrast_factor": 1.5}), ("RandomColorJitter", {"saturation_factor": [-0.5, 0.5]}),
    ("RandomColorJitter", {"hue_factor": 2}), ("RandomColorJitter", {"hue_factor": -0.1}),
    ("RandomColorJitter", {"brightness_factor": 0.2, "value_range": [0]}),
]
validation = []
for class_name, kwargs in VALIDATION:
    try:
        getattr(L, class_name)(**kwargs)
        ok, message = True, None
    except Exception as e:  # noqa: BLE001
        ok, message = False, str(e)
    validation.append({"class_name": class_name, "kwargs": kwargs, "ok": ok, "message": message})

with open(os.path.join(HERE, "color_augmentation.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "inputs": {k: tensor(v) for k, v in INPUTS.items()}, "configs": configs, "transforms": transforms, "calls": calls,
               "jitter": jitter_case, "validation": validation}, f, separators=(",", ":"))
print("wrote color_augmentation.json")
