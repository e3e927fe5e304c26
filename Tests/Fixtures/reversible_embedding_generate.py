"""Generates reversible_embedding.json: `keras.layers.ReversibleEmbedding` in real Keras (JAX
backend): weight names and shapes in order, forward and reverse outputs from fixed weights (tied
and untied, with and without `logit_soft_cap`), gradients of `sum(reverse(x) * probe)` with
respect to the trainable weights (`jax.grad` through `stateless_call`), and `get_config()`.

Run from the repository root: python3 Tests/Fixtures/reversible_embedding_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)


def tensor(a, dtype=None):
    a = np.asarray(a)
    out = {"shape": list(a.shape), "data": a.tolist()}
    if dtype:
        out["dtype"] = dtype
    return out


CASES = [
    dict(name="rev_tied", input_dim=7, output_dim=4),
    dict(name="rev_tied_cap", input_dim=7, output_dim=4, logit_soft_cap=1.5, mask_zero=True),
    dict(name="rev_untied_cap", input_dim=7, output_dim=4, tie_weights=False, logit_soft_cap=2.0),
    dict(name="rev_untied", input_dim=5, output_dim=3, tie_weights=False, reverse_dtype="float32"),
]

cases = []
for kwargs in CASES:
    layer = keras.layers.ReversibleEmbedding(**kwargs)
    layer.build((None, 3))
    weights = [rng.normal(size=w.shape).astype("float32") for w in layer.get_weights()]
    layer.set_weights(weights)
    ids = rng.integers(0, kwargs["input_dim"], size=(2, 3)).astype("int32")
    ids[0, -1] = 0
    forward = np.asarray(layer(ids))
    x = rng.normal(size=(2, 3, kwargs["output_dim"])).astype("float32")
    reverse = np.asarray(layer(x, reverse=True))
    probe = rng.normal(size=reverse.shape).astype("float32")

    def loss(trainable):
        out, _ = layer.stateless_call(trainable, [v.value for v in layer.non_trainable_variables], x, reverse=True)
        return jnp.sum(out * probe)

    grads = jax.grad(loss)([v.value for v in layer.trainable_variables])
    cases.append({
        "kwargs": kwargs,
        "weight_names": [w.name for w in layer.weights],
        "weight_shapes": [list(w.shape) for w in layer.weights],
        "trainable_names": [w.name for w in layer.trainable_weights],
        "weights": [tensor(w) for w in weights],
        "ids": tensor(ids, "int32"),
        "forward": tensor(forward),
        "x": tensor(x),
        "reverse": tensor(reverse),
        "probe": tensor(probe),
        "grads": [tensor(np.asarray(g)) for g in grads],
        "forward_output_shape": list(layer.compute_output_shape((None, 3))),
        "reverse_output_shape": list(layer.compute_output_shape((None, 3, kwargs["output_dim"]), reverse=True)),
        "config": layer.get_config(),
    })

with open(os.path.join(HERE, "reversible_embedding.json"), "w") as f:
    json.dump({"cases": cases}, f, indent=1)
for c in cases:
    print(c["kwargs"], c["weight_names"], c["weight_shapes"])
print(json.dumps(cases[2]["config"]))
