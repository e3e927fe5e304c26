"""Writes lookup_tf_idf.keras and lookup_tf_idf.json from Keras 3: `.keras` files holding lookup
layers in `output_mode="tf_idf"`, whose idf weights Keras keeps in the weights file
(`<layer path>/vars/idf_weights`, one per output index) and, after `adapt`, whose vocabulary it
keeps in the archive's assets.

- lookup_tf_idf.keras: a functional model on int64 ids through three IntegerLookup layers
  (adapted; adapted with max_tokens and pad_to_max_tokens; given vocabulary and idf_weights).
- lookup_tf_idf_words.keras / lookup_tf_idf_text.keras: a Sequential of an adapted StringLookup,
  and of an adapted TextVectorization (max_tokens, pad_to_max_tokens); string models are not
  built, the tests call their layers directly.

Run: KERAS_BACKEND=tensorflow /tmp/tfvenv/bin/python Tests/Fixtures/lookup_tf_idf_generate.py
(the lookup layers need TensorFlow). Keras 3.15 itself cannot load the `padded` layer back: its
load_assets passes all `max_tokens` stored weights with the shorter vocabulary; the Swift loader
takes one weight per vocabulary line and pads again.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def plain(v):
    return np.asarray(v).astype("float64").ravel().tolist()


keras.utils.set_random_seed(1)
id_docs = np.array([[3, 3, 8, 9], [12, 12, 3, 0], [9, 5, 5, 5]])
adapted = layers.IntegerLookup(output_mode="tf_idf", name="adapted")
adapted.adapt(id_docs)
padded = layers.IntegerLookup(output_mode="tf_idf", max_tokens=8, pad_to_max_tokens=True, mask_token=0, name="padded")
padded.adapt(id_docs)
given = layers.IntegerLookup(vocabulary=[4, 8, 15], idf_weights=[0.5, 1.5, 2.0], output_mode="tf_idf", name="given")
inp = keras.Input(shape=(4,), dtype="int64")
out = layers.Concatenate()([adapted(inp), padded(inp), given(inp)])
model = keras.Model(inp, out)
model.save(os.path.join(HERE, "lookup_tf_idf.keras"))
x = np.array([[3, 9, 0, 3], [7, 8, 5, 12], [15, 4, 4, 1]])
y = model.predict(x, verbose=0)

words = layers.StringLookup(output_mode="tf_idf", name="words")
words.adapt(np.array([["cat", "dog", "cat"], ["bird", "cat", "emu"], ["ant", "ant", "dog"]]))
text = layers.TextVectorization(output_mode="tf_idf", max_tokens=9, pad_to_max_tokens=True, name="text")
text.adapt(np.array(["the cat sat", "the dog", "a cat and a dog"]))
word_queries = np.array([["cat", "yak", ""], ["ant", "dog", "emu"]])
text_queries = np.array(["the cat and the dog", "a yak"])
keras.Sequential([words]).save(os.path.join(HERE, "lookup_tf_idf_words.keras"))
keras.Sequential([text]).save(os.path.join(HERE, "lookup_tf_idf_text.keras"))

with open(os.path.join(HERE, "lookup_tf_idf.json"), "w") as f:
    json.dump({
        "ids": {"file": "lookup_tf_idf.keras", "x": x.tolist(), "shape": list(y.shape), "y": plain(y),
                "idf_weights": {l.name: plain(l.idf_weights) for l in (adapted, padded, given)}},
        "words": {"file": "lookup_tf_idf_words.keras", "queries": word_queries.tolist(),
                  "vocabulary": words.get_vocabulary(), "y": plain(words(word_queries)),
                  "shape": list(np.asarray(words(word_queries)).shape)},
        "text": {"file": "lookup_tf_idf_text.keras", "queries": text_queries.tolist(),
                 "vocabulary": text.get_vocabulary(), "y": plain(text(text_queries)),
                 "shape": list(np.asarray(text(text_queries)).shape)},
    }, f, indent=None, separators=(",", ":"))
print("wrote lookup_tf_idf.json", y.shape)

