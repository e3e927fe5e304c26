"""Generates the EinsumDense, RMSNormalization and SpectralNormalization fixtures for
swift-keras from real Keras 3 (JAX backend).

Run from the repository root:  KERAS_BACKEND=jax python3 Tests/Fixtures/layers_more_generate.py
Writes Tests/Fixtures/layers_more.json:
- "cases": one layer each (EinsumDense, RMSNormalization), built on `input`, given random
  `weights` (Keras's order), called once: `output`, the gradients of sum(output * probe) with
  respect to the input and the trainable weights, the weight names and shapes, `get_config()`.
- "spectral": SpectralNormalization around Dense and Conv2D: the initial weights by name, then
  several training calls (`layer(x, training=True)`, eager, so the normalized kernel and
  `vector_u` are written back) with each output, `vector_u` and kernel, then an inference
  output. `grads`: after the first training call, the gradients of sum(output * probe) with
  respect to the input and the wrapped layer's weights as they now are (the normalized kernel:
  the kernel is overwritten before the wrapped layer runs).
- "summary": model.summary() of a Sequential with the three layers; "serialized_model": that
  model as Keras serializes it, its weights per layer by name, an input and its predict output;
  the model saved as layers_more.keras after a training call, with its predict output and
  `get_weights()` then; "attention_kernel_max": the largest initial kernel value of each
  attention projection (MultiHeadAttention and GroupQueryAttention).
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
rng = np.random.default_rng(7)


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": a.tolist()}


def rand(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype("float32")


def jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: None))


def case(case_id, layer, x):
    x = np.asarray(x, dtype="float32")
    layer.build(x.shape)
    weights = [rand(*w.shape, low=0.5 if w.name == "scale" else -1.0, high=1.5) for w in layer.weights]
    layer.set_weights(weights)
    config = layer.get_config()
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]
    out = np.asarray(layer(x))
    probe = rand(*out.shape, low=0.5, high=1.5)

    def objective(tv, xv):
        y, _ = layer.stateless_call(tv, non_trainable, xv)
        return jnp.sum(y * probe)

    g_weights, g_input = jax.grad(objective, argnums=(0, 1))(trainable, jnp.asarray(x))
    return {
        "id": case_id, "class_name": layer.__class__.__name__, "config": jsonable(config),
        "input": tensor(x), "weights": [tensor(w) for w in weights],
        "weight_names": [w.name for w in layer.weights], "weight_shapes": [list(w.shape) for w in layer.weights],
        "output_shape": list(layer.compute_output_shape((None,) + x.shape[1:])),
        "output": tensor(out), "probe": tensor(probe),
        "input_grad": tensor(np.asarray(g_input)), "weight_grads": [tensor(np.asarray(g)) for g in g_weights],
    }


cases = [
    case("einsum_ab_bc", layers.EinsumDense("ab,bc->ac", 4, bias_axes="c"), rand(3, 5)),
    case("einsum_abc_cd_relu", layers.EinsumDense("abc,cd->abd", (None, 4), bias_axes="d", activation="relu"), rand(2, 3, 5)),
    case("einsum_ellipsis_left", layers.EinsumDense("...b,bc->...c", 4, bias_axes="c"), rand(2, 3, 5)),
    case("einsum_abc_cde", layers.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de"), rand(2, 3, 4)),
    case("einsum_abc_cde_bias_d", layers.EinsumDense("abc,cde->abde", (3, 2, 3), bias_axes="d"), rand(2, 3, 4)),
    case("einsum_ellipsis_right", layers.EinsumDense("ab...,bc->ac...", (4,), bias_axes="c"), rand(2, 3, 5)),
    case("einsum_permuted_kernel", layers.EinsumDense("abc,cbd->ad", (4,), bias_axes="d", activation="tanh"), rand(2, 3, 5)),
    case("einsum_abcd_cde_no_bias", layers.EinsumDense("abcd,cde->abe", (None, 5)), rand(2, 3, 2, 4)),
    case("rms_last_axis", layers.RMSNormalization(), rand(2, 3, 4)),
    case("rms_axes_1_2", layers.RMSNormalization(axis=[1, 2], epsilon=1e-3), rand(2, 3, 4)),
]


def spectral(case_id, inner, power_iterations, x, steps=3, with_grads=True):
    x = np.asarray(x, dtype="float32")
    layer = layers.SpectralNormalization(inner, power_iterations=power_iterations)
    layer.build(x.shape)
    initial = {}
    for w in layer.weights:
        if w.name not in initial:
            initial[w.name] = rand(*w.shape, low=-1.0, high=1.0)
    layer.set_weights([initial[w.name] for w in layer.weights])
    config = layer.get_config()
    kernel = layer.kernel
    records = []
    grads = None
    for step in range(steps):
        y = np.asarray(layer(x, training=True))
        records.append({"output": tensor(y), "vector_u": tensor(np.asarray(layer.vector_u.value)),
                        "kernel": tensor(np.asarray(kernel.value))})
        if step == 0 and with_grads:
            probe = rand(*y.shape, low=0.5, high=1.5)
            inner_trainable = [v.value for v in layer.layer.trainable_variables]
            inner_non_trainable = [v.value for v in layer.layer.non_trainable_variables]

            def objective(tv, xv):
                out, _ = layer.layer.stateless_call(tv, inner_non_trainable, xv)
                return jnp.sum(out * probe)

            g_weights, g_input = jax.grad(objective, argnums=(0, 1))(inner_trainable, jnp.asarray(x))
            grads = {"probe": tensor(probe), "input_grad": tensor(np.asarray(g_input)),
                     "weight_names": [v.name for v in layer.layer.trainable_variables],
                     "weight_grads": [tensor(np.asarray(g)) for g in g_weights]}
    inference = np.asarray(layer(x, training=False))
    return {"id": case_id, "config": jsonable(config), "power_iterations": power_iterations, "input": tensor(x),
            "initial": {k: tensor(v) for k, v in initial.items()},
            "weight_names": [w.name for w in layer.weights], "weight_shapes": [list(w.shape) for w in layer.weights],
            "steps": records, "grads": grads, "inference_output": tensor(inference)}


spectral_cases = [
    spectral("dense_p1", layers.Dense(3), 1, rand(4, 5)),
    spectral("dense_p2", layers.Dense(4, activation="relu"), 2, rand(3, 2, 5)),
    spectral("conv2d_p1", layers.Conv2D(2, 2), 1, rand(2, 4, 4, 3)),
    spectral("conv2d_p2", layers.Conv2D(3, 2, padding="same"), 2, rand(1, 3, 3, 2)),
    spectral("embedding_p1", layers.Embedding(6, 3), 1, np.array([[0, 2, 5], [1, 1, 3]], dtype="float32"),
             with_grads=False),
]

# model.summary() and the serialized form of a model with the three layers (fresh names).
keras.backend.clear_session()
model = keras.Sequential([
    keras.Input((6,)),
    layers.EinsumDense("ab,bc->ac", 8, bias_axes="c", activation="relu"),
    layers.RMSNormalization(),
    layers.SpectralNormalization(layers.Dense(3)),
    layers.EinsumDense("...b,bc->...c", 2),
])
summary_lines = []
model.summary(print_fn=lambda line, **kw: summary_lines.append(line))
per_layer = []
for layer in model.layers:
    entries, seen = [], set()
    for w in layer.weights:
        if id(w) in seen:
            continue
        seen.add(id(w))
        value = rand(*w.shape, low=0.5 if w.name == "scale" else -1.0, high=1.0)
        w.assign(value)
        entries.append({"name": w.name, "value": tensor(value)})
    per_layer.append({"layer": layer.name, "weights": entries})
model_input = rand(3, 6)
serialized_model = {
    "config": jsonable(keras.saving.serialize_keras_object(model)),
    "weights": per_layer,
    "input": tensor(model_input),
    "output": tensor(np.asarray(model.predict(model_input, verbose=0))),
    "training_output": tensor(np.asarray(model(model_input, training=True))),
}
# The model as Keras saves it (after that training call moved the spectral kernel and vector_u),
# and its predict output then: swift-keras loads the file.
model.save(os.path.join(HERE, "layers_more.keras"))
serialized_model["saved_output"] = tensor(np.asarray(model.predict(model_input, verbose=0)))
serialized_model["saved_weights"] = [tensor(np.asarray(w)) for w in model.get_weights()]

# The largest initial kernel value of each projection of MultiHeadAttention(4, 16) and
# GroupQueryAttention(16, 4, 2) on 64 features: Keras's EinsumDense gives the Glorot limit of the
# equation's fans, √(6 / (fan_in + fan_out)).
attention_kernel_max = {}
for attention in [layers.MultiHeadAttention(4, 16), layers.GroupQueryAttention(16, 4, 2)]:
    features = np.zeros((1, 10, 64), "float32")
    attention(features, features)
    for w in attention.weights:
        if w.name == "kernel":
            attention_kernel_max[w.path] = float(np.abs(np.asarray(w)).max())

with open(os.path.join(HERE, "layers_more.json"), "w") as f:
    json.dump({"keras_version": keras.__version__, "cases": cases, "spectral": spectral_cases,
               "summary": "".join(summary_lines), "serialized_model": serialized_model,
               "attention_kernel_max": attention_kernel_max}, f)
print(f"wrote {len(cases)} cases, {len(spectral_cases)} spectral cases")
