"""Writes summary_options.json: model.summary(expand_nested=..., show_trainable=...) text from
Keras 3 for the models SummaryOptionsTests builds (same names, after clear_session()).

Run: KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/summary_options_generate.py
"""
import json
import os

os.environ["COLUMNS"] = "80"  # as printed into a log file / pipe

import keras
from keras import layers


def capture(model, **kwargs):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s), **kwargs)
    return "".join(lines)


def models():
    keras.backend.clear_session()
    inner = keras.Sequential([keras.Input((4,)), layers.Dense(3, name="inner_dense"),
                              layers.Dropout(0.1, name="inner_drop")], name="inner")
    frozen = layers.Dense(2, name="frozen")
    frozen.trainable = False
    sequential = keras.Sequential([keras.Input((4,)), inner, frozen], name="outer_seq")
    x = keras.Input((4,), name="x")
    y = keras.Input((3,), name="y")
    h = layers.Concatenate(name="cat")([inner(x), y])
    functional = keras.Model([x, y], layers.Dense(1, name="head")(h), name="outer_fn")
    return sequential, functional


sequential, functional = models()
goldens = {
    "sequential_expanded": capture(sequential, expand_nested=True),
    "sequential_trainable": capture(sequential, show_trainable=True),
    "sequential_both": capture(sequential, expand_nested=True, show_trainable=True),
    "functional_both": capture(functional, expand_nested=True, show_trainable=True),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "summary_options.json"), "w") as f:
    json.dump(goldens, f, indent=1, ensure_ascii=False)
