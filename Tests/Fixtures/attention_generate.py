"""Generates attention_layers.json: MultiHeadAttention (self and cross attention, value_dim,
output_shape, no bias, value masks, explicit attention masks, causal masks, attention scores),
Attention and AdditiveAttention variants, LayerNormalization, and masks through a functional
Embedding → MultiHeadAttention model, in real Keras (JAX backend): configs, weights, outputs and
gradients of sum(outputs · probes) with respect to the inputs and weights.

Run from the repository root: KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/attention_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1)


def t(a, dtype=None):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": dtype or str(a.dtype), "data": a.tolist()}


def normal(shape, scale=0.5):
    return (rng.normal(size=shape) * scale).astype("float32")


def case(name, layer, build_shapes, tensors, kwargs=None, masks=None, as_list=False):
    """tensors: the positional inputs; kwargs: extra call arguments (arrays or flags)."""
    kwargs = kwargs or {}
    layer.build(*build_shapes)
    weights = [normal(w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    tv = [v.value for v in layer.trainable_variables]
    ntv = [v.value for v in layer.non_trainable_variables]

    def forward(tv, xs):
        call_kwargs = {k: (jnp.asarray(v) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
        if masks is not None:
            call_kwargs["mask"] = [None if m is None else jnp.asarray(m) for m in masks]
        args = [list(xs)] if as_list else list(xs)
        out, _ = layer.stateless_call(tv, ntv, *args, **call_kwargs)
        return list(out) if isinstance(out, (list, tuple)) else [out]

    xs = [jnp.asarray(a) for a in tensors]
    outs = forward(tv, xs)
    probes = [normal(o.shape, 1.0) + 1.0 for o in outs]

    def objective(tv, xs):
        return sum(jnp.sum(o * p) for o, p in zip(forward(tv, xs), probes))

    g_w, g_x = jax.grad(objective, argnums=(0, 1))(tv, xs)
    return {
        "name": name, "as_list": as_list, "class_name": layer.__class__.__name__, "config": layer.get_config(),
        "weight_names": [w.path for w in layer.weights],
        "weights": [t(w) for w in weights], "inputs": [t(a) for a in tensors],
        "kwargs": {k: (t(v, "bool" if v.dtype == bool else None) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()},
        "masks": None if masks is None else [None if m is None else t(m, "bool") for m in masks],
        "outputs": [t(o) for o in outs], "probes": [t(p) for p in probes],
        "grad_inputs": [t(g) for g in g_x], "grad_weights": [t(g) for g in g_w],
    }


B, T, S, D = 2, 4, 3, 5
q = normal((B, T, D), 1.0)
v = normal((B, S, 6), 1.0)
k = normal((B, S, 4), 1.0)
value_mask = np.array([[True, True, False], [True, False, True]])
attention_mask = np.array([[[True, False, True]] * T, [[True, True, False]] * T])
cases = [
    case("mha_self", layers.MultiHeadAttention(2, 3), [q.shape, q.shape], [q, q]),
    case("mha_cross_key_value_dim_output", layers.MultiHeadAttention(2, 3, value_dim=2, output_shape=7, use_bias=False),
         [q.shape, v.shape, k.shape], [q, v, k], {"return_attention_scores": True}),
    case("mha_value_mask_scores", layers.MultiHeadAttention(3, 2), [q.shape, v.shape], [q, v],
         {"value_mask": value_mask, "return_attention_scores": True}),
    case("mha_attention_mask", layers.MultiHeadAttention(2, 2), [q.shape, v.shape], [q, v], {"attention_mask": attention_mask}),
    case("mha_causal", layers.MultiHeadAttention(2, 3), [q.shape, q.shape], [q, q], {"use_causal_mask": True}),
    case("mha_causal_scores", layers.MultiHeadAttention(1, 4), [q.shape, q.shape], [q, q],
         {"use_causal_mask": True, "return_attention_scores": True}),
    case("gqa", layers.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2), [q.shape, v.shape], [q, v],
         {"value_mask": value_mask, "return_attention_scores": True}),
    case("gqa_causal", layers.GroupQueryAttention(head_dim=3, num_query_heads=2, num_key_value_heads=1, use_bias=False),
         [q.shape, q.shape], [q, q], {"use_causal_mask": True, "return_attention_scores": True}),
    case("layer_norm", layers.LayerNormalization(), [q.shape], [q]),
    case("layer_norm_axes_no_center", layers.LayerNormalization(axis=[1, 2], center=False, epsilon=1e-5), [q.shape], [q]),
    case("layer_norm_rms", layers.LayerNormalization(rms_scaling=True), [q.shape], [q]),
]
# Attention and AdditiveAttention: inputs [query, value] (and key), masks [query_mask, value_mask].
qa = normal((B, T, 3), 1.0)
va = normal((B, S, 3), 1.0)
ka = normal((B, S, 3), 1.0)
qmask = np.array([[True, True, True, False], [True, True, False, True]])
cases += [
    case("attention_dot", layers.Attention(), [[qa.shape, va.shape]], [qa, va], as_list=True),
    case("attention_scale_key", layers.Attention(use_scale=True), [[qa.shape, va.shape, ka.shape]], [qa, va, ka], as_list=True),
    case("attention_concat_masks", layers.Attention(score_mode="concat", use_scale=True), [[qa.shape, va.shape]], [qa, va],
         masks=[qmask, value_mask], as_list=True),
    case("attention_causal_scores", layers.Attention(), [[qa.shape, qa.shape]], [qa, qa],
         {"use_causal_mask": True, "return_attention_scores": True}, as_list=True),
    case("additive_attention", layers.AdditiveAttention(), [[qa.shape, va.shape]], [qa, va], masks=[None, value_mask], as_list=True),
    case("additive_attention_no_scale", layers.AdditiveAttention(use_scale=False), [[qa.shape, va.shape, ka.shape]], [qa, va, ka], as_list=True),
]
# Masks through a functional model: Embedding(mask_zero) → self-attention; the query and value
# masks both come from the embedding.
ids = np.array([[3, 1, 2, 0], [2, 5, 0, 0]], dtype="int32")
inp = keras.Input((4,), dtype="int32")
h = layers.Embedding(6, 4, mask_zero=True)(inp)
a = layers.MultiHeadAttention(2, 2)(h, h)
out = layers.Add()([h, a])
model = keras.Model(inp, out)
mw = [normal(w.shape) for w in model.get_weights()]
model.set_weights(mw)
functional = {"ids": t(ids), "weights": [t(w) for w in mw], "y": t(np.asarray(model(ids)))}

# The mask through a whole encoder block: Embedding(mask_zero) → MultiHeadAttention → Add →
# LayerNormalization → GlobalAveragePooling1D (averages the kept steps only) → Dense.
inp = keras.Input((4,), dtype="int32")
h = layers.Embedding(6, 4, mask_zero=True)(inp)
h = layers.LayerNormalization()(layers.Add()([h, layers.MultiHeadAttention(2, 2)(h, h)]))
model = keras.Model(inp, layers.Dense(3)(layers.GlobalAveragePooling1D()(h)))
bw = [normal(w.shape) for w in model.get_weights()]
model.set_weights(bw)
encoder_block = {"weights": [t(w) for w in bw], "y": t(np.asarray(model(ids)))}

# Concatenate's mask rule: two masked embeddings joined on the feature axis (a step is kept where
# either keeps it) and on the steps axis (the masks are joined), then a masked mean.
ids2 = np.array([[0, 4, 0, 1], [3, 0, 0, 0]], dtype="int32")
in1, in2 = keras.Input((4,), dtype="int32"), keras.Input((4,), dtype="int32")
e1, e2 = layers.Embedding(6, 2, mask_zero=True)(in1), layers.Embedding(6, 2, mask_zero=True)(in2)
features = layers.GlobalAveragePooling1D()(layers.Concatenate()([e1, e2]))
steps = layers.GlobalAveragePooling1D()(layers.Concatenate(axis=1)([e1, e2]))
added = layers.GlobalAveragePooling1D()(layers.Add()([e1, e2]))
model = keras.Model([in1, in2], [features, steps, added])
cw = [normal(w.shape) for w in model.get_weights()]
model.set_weights(cw)
concatenated = {"ids2": t(ids2), "weights": [t(w) for w in cw], "y": [t(np.asarray(y)) for y in model([ids, ids2])]}

with open(os.path.join(HERE, "attention_layers.json"), "w") as f:
    json.dump({"cases": cases, "functional_mask": functional, "encoder_block": encoder_block,
               "merged_masks": concatenated}, f, separators=(",", ":"))
print("wrote", len(cases), "cases")
for c in cases:
    print(c["name"], c["weight_names"], [o["shape"] for o in c["outputs"]])
