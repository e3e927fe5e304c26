"""Writes geometric_augmentation.json from real Keras 3 (JAX backend) for
Tests/KerasTests/GeometricAugmentationTests.swift.

- "ops": keras.ops.image.perspective_transform (and compute_homography_matrix),
  gaussian_blur, map_coordinates and elastic_transform (with the normal noise it draws for its
  seed) on small inputs.
- "layers": RandomShear, RandomPerspective, RandomGaussianBlur, RandomErasing and
  RandomElasticTransform: Keras's config, an input, a transformation (the parameters drawn by
  `get_random_transformation`, written out), `transform_images` with it, and whether the
  inference output is the input.
- "defaults": the config of each layer built with no arguments.

Run from the repository root:
KERAS_BACKEND=jax /tmp/venv-keras/bin/python Tests/Fixtures/geometric_augmentation_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras.src.backend.jax import image as jax_image  # noqa: E402
from keras.src.random.seed_generator import draw_seed  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
L = keras.layers
rng = np.random.default_rng(20261201)


def tensor(a, dtype="float32"):
    a = np.asarray(a)
    if a.dtype == bool:
        a = a.astype("float64")
    data = [round(float(v), 7) for v in a.astype("float64").reshape(-1)]
    return {"shape": list(a.shape), "dtype": dtype, "data": data}


def plain_config(config):
    return json.loads(json.dumps(config, default=lambda o: list(o) if isinstance(o, tuple) else str(o)))


def images(shape, high=1.0):
    return rng.uniform(0, high, size=shape).astype("float32")


ops = {}

# ---------------------------------------------------------------- perspective_transform
persp = []
for name, shape, interp, fill in [("bilinear", (2, 5, 6, 2), "bilinear", 0.5), ("nearest", (2, 5, 6, 2), "nearest", 0.0),
                                  ("rank3", (4, 5, 3), "bilinear", 0.0)]:
    x = images(shape)
    h, w = shape[-3], shape[-2]
    base = np.array([[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1]], dtype="float32")
    n = 1 if len(shape) == 3 else shape[0]
    start = np.repeat(base[None], n, axis=0)
    end = (start + start * rng.uniform(-0.3, 0.3, size=start.shape)).astype("float32")
    if len(shape) == 3:
        start, end = start[0], end[0]
    y = keras.ops.image.perspective_transform(x, start, end, interpolation=interp, fill_value=fill, data_format="channels_last")
    hom = jax_image.compute_homography_matrix(np.asarray(start, "float32").reshape(-1, 4, 2), np.asarray(end, "float32").reshape(-1, 4, 2))
    persp.append({"name": name, "x": tensor(x), "start": tensor(start), "end": tensor(end), "interpolation": interp,
                  "fill_value": fill, "y": tensor(y), "homography": tensor(hom)})
ops["perspective"] = persp

# ---------------------------------------------------------------- gaussian_blur
blur = []
for name, shape, ks, sigma in [("asym", (2, 6, 7, 2), (3, 5), (0.8, 1.7)), ("rank3", (5, 4, 3), (5, 5), (1.0, 1.0)),
                               ("even", (1, 5, 6, 1), (4, 2), (1.3, 0.6)), ("big_kernel", (1, 3, 4, 2), (7, 9), (2.0, 3.0))]:
    x = images(shape)
    y = keras.ops.image.gaussian_blur(x, kernel_size=ks, sigma=sigma, data_format="channels_last")
    blur.append({"name": name, "x": tensor(x), "kernel_size": list(ks), "sigma": list(sigma), "y": tensor(y)})
ops["gaussian_blur"] = blur

# ---------------------------------------------------------------- map_coordinates
mapc = []
for mode in ["constant", "nearest", "wrap", "mirror", "reflect"]:
    for order in [0, 1]:
        for name, shape in [("2d", (4, 5)), ("3d", (3, 4, 2))]:
            x = images(shape)
            coords = np.stack([rng.uniform(-2.5, s + 1.5, size=(3, 4)) for s in shape]).astype("float32")
            # Some exact integer and half-integer coordinates too.
            coords[:, 0, 0] = 1.0
            coords[:, 0, 1] = 0.5
            coords[:, 0, 2] = -0.5
            y = keras.ops.image.map_coordinates(x, coords, order=order, fill_mode=mode, fill_value=0.25)
            mapc.append({"name": f"{name}_{mode}_{order}", "x": tensor(x), "coordinates": tensor(coords), "order": order,
                         "fill_mode": mode, "y": tensor(y)})
ops["map_coordinates"] = mapc

# ---------------------------------------------------------------- elastic_transform
elastic = []
for name, shape, alpha, sigma, interp, mode, fill in [("bilinear_reflect", (2, 8, 9, 2), 3.0, 1.2, "bilinear", "reflect", 0.0),
                                                      ("nearest_constant", (2, 8, 9, 2), 4.0, 0.9, "nearest", "constant", 0.3),
                                                      ("rank3_wrap", (7, 6, 1), 2.5, 1.0, "bilinear", "wrap", 0.0)]:
    x = images(shape)
    seed = 1234
    y = keras.ops.image.elastic_transform(x, alpha=alpha, sigma=sigma, interpolation=interp, fill_mode=mode,
                                          fill_value=fill, seed=seed, data_format="channels_last")
    b = 1 if len(shape) == 3 else shape[0]
    noise = jax.random.normal(draw_seed(seed), shape=(b, shape[-3], shape[-2]), dtype="float32")
    elastic.append({"name": name, "x": tensor(x), "alpha": alpha, "sigma": sigma, "interpolation": interp, "fill_mode": mode,
                    "fill_value": fill, "noise": tensor(noise), "y": tensor(y)})
ops["elastic_transform"] = elastic

# ---------------------------------------------------------------- layers
layers = []


def record(name, layer, x, transformation, extra):
    y = layer.transform_images(x, transformation, training=True)
    infer = layer(x, training=False)
    case = {"name": name, "class_name": layer.__class__.__name__, "config": plain_config(layer.get_config()),
            "x": tensor(x), "y": tensor(y),
            "inference_is_input": bool(np.array_equal(np.asarray(infer), x)) and np.asarray(infer).dtype == np.float32}
    case.update(extra)
    layers.append(case)


for name, kwargs, shape in [("shear", dict(x_factor=0.3, y_factor=(0.1, 0.4), seed=3), (3, 6, 5, 2)),
                            ("shear_constant_nearest", dict(x_factor=(0.2, 0.5), y_factor=0.2, fill_mode="constant",
                                                            fill_value=0.7, interpolation="nearest", seed=4), (2, 5, 6, 1)),
                            ("shear_rank3_wrap", dict(x_factor=0.4, fill_mode="wrap"), (5, 4, 3))]:
    layer = L.RandomShear(**kwargs)
    x = images(shape)
    t = layer.get_random_transformation(x, training=True, seed=keras.random.SeedGenerator(7))
    record(name, layer, x, t, {"shear_factor": tensor(t["shear_factor"])})

for name, kwargs, shape in [("perspective", dict(factor=0.8, scale=0.6, fill_value=0.25, seed=3), (4, 5, 6, 2)),
                            ("perspective_nearest_rank3", dict(scale=0.4, interpolation="nearest"), (5, 4, 3))]:
    layer = L.RandomPerspective(**kwargs)
    x = images(shape)
    t = layer.get_random_transformation(x, training=True, seed=keras.random.SeedGenerator(5))
    record(name, layer, x, t, {"apply": tensor(t["apply_perspective"]), "start_points": tensor(t["start_points"]),
                               "end_points": tensor(t["end_points"])})

for name, kwargs, shape in [("blur", dict(factor=0.7, kernel_size=5, sigma=(0.3, 0.9), value_range=(0, 1), seed=3), (4, 6, 5, 2)),
                            ("blur_pair_kernel", dict(kernel_size=(3, 5), sigma=0.8, value_range=(0.2, 0.8)), (2, 5, 6, 3))]:
    layer = L.RandomGaussianBlur(**kwargs)
    x = images(shape)
    t = layer.get_random_transformation(x, training=True, seed=keras.random.SeedGenerator(9))
    if name == "blur_pair_kernel":
        t["should_apply_blur"] = np.array([True, False])   # the draw skipped both images
    record(name, layer, x, t, {"apply": tensor(t["should_apply_blur"]), "sigma": tensor(t["blur_factor"])})

for name, kwargs, shape in [("erasing_noise", dict(factor=0.8, scale=(0.1, 0.5), value_range=(0, 1), seed=3), (4, 7, 8, 2)),
                            ("erasing_constant", dict(fill_value=0.5, value_range=(0, 1)), (3, 6, 5, 1)),
                            ("erasing_per_channel", dict(factor=(0.5, 1.0), fill_value=(10, 300, -4), scale=0.6), (2, 6, 6, 3))]:
    layer = L.RandomErasing(**kwargs)
    x = images(shape, high=1.0 if "value_range" in kwargs else 255.0)
    boxes = {}
    original = layer._generate_batch_mask

    def capture(images_shape, box_corners, original=original):
        boxes["corners"] = [np.asarray(c) for c in box_corners]
        return original(images_shape, box_corners)

    layer._generate_batch_mask = capture
    config = plain_config(layer.get_config())
    per_channel = layer.fill_value if isinstance(layer.fill_value, tuple) else None
    if per_channel is not None:
        layer.fill_value = 0.0
    t = layer.get_random_transformation(x, training=True, seed=keras.random.SeedGenerator(11))
    if per_channel is not None:
        # Keras's JAX backend rejects a tuple in `full_like`; this is the per-channel fill it means.
        layer.fill_value = per_channel
        t["fill_value"] = np.clip(np.broadcast_to(np.asarray(per_channel, "float32"), x.shape), *layer.value_range)
    del layer._generate_batch_mask
    x0, x1, y0, y1 = boxes["corners"]
    record(name, layer, x, t, {"apply": tensor(t["apply_erasing"]), "fill": tensor(t["fill_value"]),
                               "boxes": tensor(np.stack([x0, x1, y0, y1], axis=1)), "config": config})

for name, kwargs, shape in [("elastic", dict(factor=0.8, scale=(0.5, 1.0), value_range=(0, 1), seed=3), (2, 20, 18, 2)),
                            ("elastic_nearest_mirror", dict(interpolation="nearest", fill_mode="mirror", value_range=(0.1, 0.9)),
                             (2, 16, 20, 1))]:
    layer = L.RandomElasticTransform(**kwargs)
    x = images(shape)
    t = layer.get_random_transformation(x, training=True, seed=keras.random.SeedGenerator(13))
    # The transform draws its noise from `seed`; use a fixed int seed so the noise can be recorded.
    t["seed"] = 4321
    noise = jax.random.normal(draw_seed(4321), shape=(shape[0], shape[1], shape[2]), dtype="float32")
    record(name, layer, x, t, {"apply": tensor(t["apply_transform"]), "distortion": float(t["distortion_factor"]),
                               "noise": tensor(noise)})

defaults = {cls.__name__: plain_config(cls().get_config()) for cls in
            [L.RandomShear, L.RandomPerspective, L.RandomGaussianBlur, L.RandomErasing, L.RandomElasticTransform]}

with open(os.path.join(HERE, "geometric_augmentation.json"), "w") as f:
    json.dump({"ops": ops, "layers": layers, "defaults": defaults}, f, separators=(",", ":"))
