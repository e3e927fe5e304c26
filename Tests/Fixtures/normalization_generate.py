"""Generates the normalization, reshaping, regularization and image-preprocessing layer fixtures
for swift-keras from real Keras 3 (JAX backend).

Run from the repository root:  KERAS_BACKEND=jax python3 Tests/Fixtures/normalization_generate.py
Writes Tests/Fixtures/normalization_layers.json:
- "cases": one layer each, built on `input`, given `weights`, called once with `training`;
  `output`, the gradients of sum(output * probe) with respect to the input and the trainable
  weights (when `grads`), and every weight after the call (BatchNormalization's moving statistics).
- "shape_cases": random layers in training mode: the output shape only.
- "bn_steps": BatchNormalization called in training mode on several batches; moving statistics
  after each call.
- "fits": small models with BatchNormalization trained with `fit` from given weights: per-epoch
  losses and the final weights (moving statistics included).
- "adapt": Normalization.adapt results.
- "image_ops": keras.ops.image.affine_transform for every fill mode and interpolation.
- "summary": model.summary() of a Sequential made of these layers; "serialized_model": the same
  model as Keras serializes it, with weights, an input and its predict output.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import jax
import jax.numpy as jnp
import numpy as np
import keras
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2024)


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.tolist()}


def rand(*shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape).astype("float32")


def case(case_id, layer, x, training=False, grads=True, weights="random"):
    x = np.asarray(x, dtype="float32")
    layer.build(x.shape)
    set_weights = []
    if weights == "random":
        for w in layer.weights:
            low = 0.5 if "variance" in w.path or "stddev" in w.path else -1.0
            set_weights.append(rand(*w.shape, low=low, high=1.5))
        layer.set_weights(set_weights)
    config = layer.get_config()
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    out = np.asarray(layer(x, training=training))
    entry = {
        "id": case_id,
        "class_name": layer.__class__.__name__,
        "config": config,
        "training": training,
        "input": tensor(x),
        "weights": [tensor(w) for w in set_weights],
        "output": tensor(out),
        "weights_after": [tensor(np.asarray(w)) for w in layer.get_weights()],
    }
    if grads:
        probe = rand(*out.shape, low=0.5, high=1.5)

        def objective(tv, xv):
            kwargs = {"training": training} if layer._call_has_training_arg else {}
            y, _ = layer.stateless_call(tv, non_trainable, xv, **kwargs)
            return jnp.sum(y * probe)

        g_weights, g_input = jax.grad(objective, argnums=(0, 1))(trainable, jnp.asarray(x))
        entry["probe"] = tensor(probe)
        entry["input_grad"] = tensor(np.asarray(g_input))
        entry["weight_grads"] = [tensor(np.asarray(g)) for g in g_weights]
    return entry


def shape_case(case_id, layer, x):
    x = np.asarray(x, dtype="float32")
    out = np.asarray(layer(x, training=True))
    return {"id": case_id, "class_name": layer.__class__.__name__, "config": layer.get_config(),
            "input_shape": list(x.shape), "output_shape": list(out.shape)}


def image(*shape):
    return rng.uniform(0, 255, size=shape).astype("float32").round()


cases = [
    # normalization
    case("bn_train", layers.BatchNormalization(), rand(6, 3), training=True),
    case("bn_infer", layers.BatchNormalization(), rand(6, 3), training=False),
    case("bn_axis1_rank4_train", layers.BatchNormalization(axis=1, momentum=0.9, center=False), rand(2, 3, 4, 2), training=True),
    case("bn_axis1_rank4_infer", layers.BatchNormalization(axis=1, scale=False, epsilon=0.01), rand(2, 3, 4, 2)),
    case("bn_rank3_train", layers.BatchNormalization(momentum=0.5), rand(2, 5, 4), training=True),
    case("bn_frozen_training", layers.BatchNormalization(trainable=False), rand(4, 3), training=True),
    case("groupnorm_2", layers.GroupNormalization(groups=2), rand(2, 3, 4)),
    case("groupnorm_instance", layers.GroupNormalization(groups=-1, epsilon=0.01), rand(2, 5, 3)),
    case("groupnorm_axis1", layers.GroupNormalization(groups=3, axis=1, center=False), rand(2, 6, 2, 2)),
    case("unitnorm_last", layers.UnitNormalization(), rand(3, 4)),
    case("unitnorm_axes", layers.UnitNormalization(axis=[1, 2]), rand(2, 3, 2)),
    # reshaping
    case("zeropad1d", layers.ZeroPadding1D(padding=(1, 2)), rand(2, 3, 2)),
    case("zeropad2d", layers.ZeroPadding2D(padding=((1, 0), (2, 1))), rand(1, 2, 3, 2)),
    case("zeropad3d", layers.ZeroPadding3D(padding=1), rand(1, 2, 1, 2, 1)),
    case("crop1d", layers.Cropping1D(cropping=(1, 2)), rand(2, 5, 2)),
    case("crop2d", layers.Cropping2D(cropping=((1, 0), (0, 2))), rand(1, 3, 4, 2)),
    case("crop3d", layers.Cropping3D(cropping=((1, 1), (0, 1), (1, 0))), rand(1, 3, 3, 2, 1)),
    case("upsample1d", layers.UpSampling1D(size=3), rand(2, 2, 2)),
    case("upsample2d_nearest", layers.UpSampling2D(size=(2, 3)), rand(1, 2, 2, 2)),
    case("upsample2d_bilinear", layers.UpSampling2D(size=(2, 2), interpolation="bilinear"), rand(1, 3, 2, 2)),
    case("upsample3d", layers.UpSampling3D(size=(2, 1, 2)), rand(1, 2, 2, 1, 2)),
    # regularization (inference: identity)
    case("spatial_dropout1d_infer", layers.SpatialDropout1D(0.5), rand(2, 3, 2)),
    case("spatial_dropout2d_infer", layers.SpatialDropout2D(0.5), rand(1, 2, 2, 3)),
    case("spatial_dropout3d_infer", layers.SpatialDropout3D(0.5), rand(1, 2, 2, 1, 3)),
    case("gaussian_noise_infer", layers.GaussianNoise(0.3), rand(2, 3)),
    case("gaussian_dropout_infer", layers.GaussianDropout(0.3), rand(2, 3)),
    case("alpha_dropout_infer", layers.AlphaDropout(0.3), rand(2, 3)),
    case("activity_regularization", layers.ActivityRegularization(l1=0.1, l2=0.2), rand(2, 3)),
    # image preprocessing, inference
    case("rescaling", layers.Rescaling(scale=1 / 127.5, offset=-1), image(1, 2, 2, 3)),
    case("normalization_given", layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 0.25, 9.0]), rand(2, 2, 3), grads=False),
    case("normalization_invert", layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.25], invert=True), rand(3, 2), grads=False),
    case("resizing_bilinear_up", layers.Resizing(5, 7), rand(1, 3, 4, 2)),
    case("resizing_bilinear_down", layers.Resizing(3, 2), rand(2, 7, 5, 1)),
    case("resizing_nearest", layers.Resizing(5, 3, interpolation="nearest"), rand(1, 3, 4, 1)),
    case("resizing_crop_ratio", layers.Resizing(4, 4, crop_to_aspect_ratio=True), rand(1, 6, 9, 2)),
    case("resizing_crop_ratio_nearest", layers.Resizing(3, 6, interpolation="nearest", crop_to_aspect_ratio=True), rand(1, 5, 4, 1)),
    case("resizing_rank3", layers.Resizing(2, 3), rand(4, 5, 2)),
    case("center_crop", layers.CenterCrop(3, 2), rand(2, 5, 5, 1)),
    case("center_crop_upsize", layers.CenterCrop(4, 6), rand(1, 3, 5, 2)),
    case("random_crop_infer", layers.RandomCrop(3, 2, seed=1), rand(2, 5, 4, 1), grads=False),
    case("random_flip_infer", layers.RandomFlip(seed=1), image(1, 3, 3, 2), grads=False),
    case("random_rotation_infer", layers.RandomRotation(0.2, seed=1), image(1, 3, 3, 2), grads=False),
    case("random_zoom_infer", layers.RandomZoom(0.2, seed=1), image(1, 3, 3, 2), grads=False),
    case("random_translation_infer", layers.RandomTranslation(0.2, 0.1, seed=1), image(1, 3, 3, 2), grads=False),
    case("random_contrast_infer", layers.RandomContrast(0.3, seed=1), image(1, 3, 3, 2), grads=False),
    case("random_brightness_infer", layers.RandomBrightness(0.3, seed=1), image(1, 3, 3, 2), grads=False),
    # the kernel-based resizing methods and antialiasing
    case("resizing_bicubic_up", layers.Resizing(5, 6, interpolation="bicubic"), rand(1, 3, 4, 2)),
    case("resizing_bicubic_down", layers.Resizing(3, 2, interpolation="bicubic"), rand(1, 7, 5, 1)),
    case("resizing_lanczos3_down", layers.Resizing(4, 3, interpolation="lanczos3"), rand(1, 9, 7, 1)),
    case("resizing_lanczos5_up", layers.Resizing(7, 5, interpolation="lanczos5"), rand(1, 4, 3, 1)),
    case("resizing_bilinear_antialias", layers.Resizing(3, 2, antialias=True), rand(2, 8, 7, 1)),
    case("resizing_bicubic_antialias", layers.Resizing(4, 3, interpolation="bicubic", antialias=True), rand(1, 9, 8, 1)),
    case("upsample2d_bicubic", layers.UpSampling2D(size=(2, 3), interpolation="bicubic"), rand(1, 3, 2, 1)),
    case("bn_renorm_train", layers.BatchNormalization(renorm=True, renorm_momentum=0.9, momentum=0.8,
                                                      renorm_clipping={"rmax": 1.5, "rmin": 0.7, "dmax": 0.3}),
         rand(6, 3), training=True),
    case("bn_renorm_unclipped_train", layers.BatchNormalization(renorm=True, center=False), rand(2, 3, 2), training=True),
    case("bn_renorm_infer", layers.BatchNormalization(renorm=True), rand(4, 3)),
    case("rescaling_per_channel", layers.Rescaling(scale=[0.5, 2.0, -1.0], offset=[1.0, 0.0, 0.5]), rand(2, 2, 3)),
]

shape_cases = [
    shape_case("random_crop_train", layers.RandomCrop(3, 2, seed=1), image(2, 5, 4, 1)),
    shape_case("random_crop_train_rank3", layers.RandomCrop(2, 2, seed=1), image(4, 3, 2)),
    shape_case("random_flip_train", layers.RandomFlip("horizontal", seed=1), image(2, 3, 3, 2)),
    shape_case("random_rotation_train", layers.RandomRotation(0.2, fill_mode="constant", seed=1), image(2, 4, 3, 1)),
    shape_case("random_zoom_train", layers.RandomZoom(0.2, 0.3, fill_mode="wrap", seed=1), image(2, 4, 3, 1)),
    shape_case("random_translation_train", layers.RandomTranslation(0.2, 0.1, fill_mode="nearest", seed=1), image(2, 4, 3, 1)),
    shape_case("random_contrast_train", layers.RandomContrast(0.3, seed=1), image(2, 3, 3, 2)),
    shape_case("random_brightness_train", layers.RandomBrightness(0.3, seed=1), image(2, 3, 3, 2)),
    shape_case("spatial_dropout2d_train", layers.SpatialDropout2D(0.5, seed=1), rand(2, 3, 3, 2)),
    shape_case("gaussian_noise_train", layers.GaussianNoise(0.5, seed=1), rand(2, 3)),
]

# BatchNormalization over several training calls.
bn = layers.BatchNormalization(momentum=0.8)
batches = [rand(5, 3) * (i + 1) + i for i in range(4)]
bn.build(batches[0].shape)
steps = []
for b in batches:
    y = np.asarray(bn(b, training=True))
    steps.append({"input": tensor(b), "output": tensor(y),
                  "moving_mean": tensor(np.asarray(bn.moving_mean)),
                  "moving_variance": tensor(np.asarray(bn.moving_variance))})
inference = np.asarray(bn(batches[0], training=False))
bn_steps = {"config": bn.get_config(), "steps": steps, "inference_output": tensor(inference)}


def fit_case(case_id, model, optimizer, x, y, loss, epochs, batch_size):
    initial = [rand(*w.shape, low=0.5 if "variance" in w.path else -1.0, high=1.0) for w in model.weights]
    model.set_weights(initial)
    model.compile(optimizer=optimizer, loss=loss)
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    return {"id": case_id, "x": tensor(x), "y": tensor(y), "initial_weights": [tensor(w) for w in initial],
            "weight_names": [w.path for w in model.weights],
            "losses": history.history["loss"], "final_weights": [tensor(np.asarray(w)) for w in model.get_weights()],
            "predict": tensor(np.asarray(model.predict(x, verbose=0)))}


fits = [
    fit_case("dense_bn_sgd", keras.Sequential([keras.Input((5,)), layers.Dense(4), layers.BatchNormalization(),
                                               layers.Dense(2)]),
             keras.optimizers.SGD(0.1), rand(12, 5), rand(12, 2), "mse", epochs=3, batch_size=4),
    fit_case("image_bn_adam", keras.Sequential([keras.Input((3, 3, 2)), layers.BatchNormalization(momentum=0.9),
                                                layers.Flatten(), layers.Dense(3)]),
             keras.optimizers.Adam(0.01), rand(10, 3, 3, 2), rng.integers(0, 3, size=(10,)).astype("int32"),
             keras.losses.SparseCategoricalCrossentropy(from_logits=True), epochs=2, batch_size=4),
]

adapt_data = rand(20, 2, 3)
norm = layers.Normalization()
norm.adapt(adapt_data)
norm_axes = layers.Normalization(axis=(1, 2))
norm_axes.adapt(adapt_data)
norm_none = layers.Normalization(axis=None)
norm_none.adapt(adapt_data)
adapt = {
    "data": tensor(adapt_data),
    "last_axis": {"mean": tensor(np.asarray(norm.mean)), "variance": tensor(np.asarray(norm.variance)),
                  "output": tensor(np.asarray(norm(adapt_data[:2])))},
    "axes_1_2": {"mean": tensor(np.asarray(norm_axes.mean)), "variance": tensor(np.asarray(norm_axes.variance)),
                 "output": tensor(np.asarray(norm_axes(adapt_data[:2])))},
    "no_axis": {"mean": tensor(np.asarray(norm_none.mean)), "variance": tensor(np.asarray(norm_none.variance)),
                "output": tensor(np.asarray(norm_none(adapt_data[:2])))},
}

# keras.ops.image.affine_transform: every fill mode and interpolation on shifted, rotated and
# scaled sampling grids.
affine_images = rand(2, 4, 5, 2)
angle = 0.4
affine_transforms = np.array([
    [1.0, 0.0, -1.5, 0.0, 1.0, 2.25, 0.0, 0.0],
    [np.cos(angle) * 1.3, -np.sin(angle), 0.7, np.sin(angle), np.cos(angle) * 0.8, -0.9, 0.0, 0.0],
], dtype="float32")
affine = []
for mode in ["constant", "nearest", "wrap", "mirror", "reflect"]:
    for interpolation in ["nearest", "bilinear"]:
        out = keras.ops.image.affine_transform(affine_images, affine_transforms, interpolation=interpolation,
                                               fill_mode=mode, fill_value=0.5)
        affine.append({"fill_mode": mode, "interpolation": interpolation, "fill_value": 0.5,
                       "output": tensor(np.asarray(out))})
image_ops = {"affine_images": tensor(affine_images), "affine_transforms": tensor(affine_transforms),
             "affine": affine}

# model.summary() of a model made of these layers (fresh names: clear_session).
keras.backend.clear_session()
summary_model = keras.Sequential([
    keras.Input((8, 8, 1)), layers.RandomFlip(), layers.Rescaling(1 / 255), layers.ZeroPadding2D(1),
    layers.BatchNormalization(), layers.UpSampling2D(), layers.Cropping2D(2), layers.GaussianNoise(0.1),
    layers.SpatialDropout2D(0.1), layers.GroupNormalization(groups=1), layers.Resizing(6, 6),
    layers.RandomRotation(0.1), layers.Flatten(), layers.Dense(3), layers.UnitNormalization(),
])
summary_lines = []
summary_model.summary(print_fn=lambda line, **kw: summary_lines.append(line))
summary = "".join(summary_lines)
# The same model as Keras serializes it, with random weights and an inference output, so a
# config written by Keras can be loaded and run.
summary_weights = [rand(*w.shape, low=0.5 if "variance" in w.path else -1.0, high=1.5) for w in summary_model.weights]
summary_model.set_weights(summary_weights)
summary_input = image(2, 8, 8, 1)
serialized_model = {
    "config": keras.saving.serialize_keras_object(summary_model),
    "weights": [tensor(w) for w in summary_weights],
    "input": tensor(summary_input),
    "output": tensor(np.asarray(summary_model.predict(summary_input, verbose=0))),
}

with open(os.path.join(HERE, "normalization_layers.json"), "w") as f:
    json.dump({"cases": cases, "shape_cases": shape_cases, "bn_steps": bn_steps, "fits": fits, "adapt": adapt,
               "image_ops": image_ops, "summary": summary, "serialized_model": serialized_model}, f)
print(f"wrote {len(cases)} cases, {len(shape_cases)} shape cases, {len(fits)} fits")
