"""Writes lookup_layers.json from Keras 3: StringLookup, IntegerLookup and Hashing outputs (each
output mode, num_oov_indices, mask/oov tokens, invert, max_tokens, pad_to_max_tokens, idf weights,
oov_method, salt), vocabularies after `adapt` (and `lookup_adapted.keras`, a model whose adapted
vocabularies Keras saved as assets), TextVectorization with lists of ngram widths,
Maximum/Minimum with masks and StackedRNNCells' nested states.

Run: KERAS_BACKEND=tensorflow /tmp/tfvenv/bin/python Tests/Fixtures/preprocessing_lookup_generate.py
(the lookup and hashing layers need TensorFlow; the merge and RNN cases use the same backend).
"""
import json
import os

os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def plain(v):
    v = np.asarray(v)
    if v.dtype.kind in "SUO":
        return [x.decode() if isinstance(x, bytes) else str(x) for x in v.ravel().tolist()]
    return v.astype("float64").ravel().tolist()


def vocab(layer):
    return [x if isinstance(x, str) else (x.decode() if isinstance(x, bytes) else int(x) if not isinstance(x, str) else x)
            for x in layer.get_vocabulary()]


corpus = np.array(["cat", "dog", "cat", "bird", "fish", "dog", "cat", "ant", "bee", "[UNK]", "", "Zoo", "zoo"])
doc_corpus = np.array([["cat", "dog", "cat"], ["bird", "cat", ""], ["ant", "ant", "dog"]])
queries = np.array([["cat", "emu", ""], ["zoo", "dog", "yak"]])
string_settings = [
    ("int", {}),
    ("int_mask", {"mask_token": ""}),
    ("int_no_oov", {"num_oov_indices": 0, "mask_token": ""}),
    ("int_three_oov", {"num_oov_indices": 3}),
    ("int_three_oov_salt", {"num_oov_indices": 3, "salt": [7, 11]}),
    ("int_three_oov_salt_int", {"num_oov_indices": 5, "salt": 1234}),
    ("int_max_tokens", {"max_tokens": 4, "mask_token": "", "oov_token": "?"}),
    ("one_hot", {"output_mode": "one_hot"}),
    ("multi_hot", {"output_mode": "multi_hot", "mask_token": ""}),
    ("multi_hot_padded", {"output_mode": "multi_hot", "max_tokens": 12, "pad_to_max_tokens": True}),
    ("count", {"output_mode": "count", "num_oov_indices": 2}),
    ("tf_idf", {"output_mode": "tf_idf"}),
    ("tf_idf_padded", {"output_mode": "tf_idf", "max_tokens": 10, "pad_to_max_tokens": True, "mask_token": ""}),
]
string_cases = []
for name, kwargs in string_settings:
    layer = layers.StringLookup(**kwargs)
    data = doc_corpus if kwargs.get("output_mode") == "tf_idf" else corpus
    layer.adapt(data)
    q = queries if name != "int_no_oov" else np.array([["cat", "dog", ""], ["zoo", "ant", "bird"]])
    y = np.asarray(layer(q))
    y1 = np.asarray(layer(q[0]))
    string_cases.append({"name": name, "kwargs": kwargs, "adapt": data.tolist(), "queries": q.tolist(),
                         "vocabulary": vocab(layer), "vocabulary_size": int(layer.vocabulary_size()),
                         "shape": list(y.shape), "y": plain(y), "shape1": list(y1.shape), "y1": plain(y1)})

# Given vocabularies (with and without the special tokens) and inversion.
given = []
for name, kwargs, ids in [
    ("given", {"vocabulary": ["a", "b", "c"]}, None),
    ("given_with_specials", {"vocabulary": ["", "[UNK]", "a", "b", "c"], "mask_token": ""}, None),
    ("given_tf_idf", {"vocabulary": ["a", "b", "c"], "idf_weights": [0.5, 1.5, 2.0], "output_mode": "tf_idf"}, None),
    ("invert", {"vocabulary": ["a", "b", "c"], "invert": True}, [[0, 1, 2], [3, 4, 9]]),
    ("invert_mask", {"vocabulary": ["a", "b", "c"], "invert": True, "mask_token": ""}, [[0, 1, 2], [3, 4, 9]]),
]:
    layer = layers.StringLookup(**kwargs)
    q = np.array(ids) if ids is not None else np.array([["a", "c", "x"], ["b", "", "a"]])
    y = np.asarray(layer(q))
    given.append({"name": name, "kwargs": kwargs, "queries": q.tolist(), "vocabulary": vocab(layer),
                  "shape": list(y.shape), "y": plain(y), "config_vocabulary": layer.get_config()["vocabulary"]})

int_corpus = np.array([5, 5, 7, 8, 9, 0, -1, 12, 12, 12, 3])
int_queries = np.array([[5, 12, 4, 0], [-7, 3, 100, 9]])
integer_settings = [
    ("int", {}),
    ("int_mask", {"mask_token": 0}),
    ("int_three_oov", {"num_oov_indices": 3, "mask_token": 0}),
    ("int_three_oov_farmhash", {"num_oov_indices": 3, "oov_method": "farmhash"}),
    ("int_three_oov_salt", {"num_oov_indices": 4, "oov_method": "farmhash", "salt": [3, 5]}),
    ("one_hot", {"output_mode": "one_hot", "max_tokens": 5}),
    ("multi_hot", {"output_mode": "multi_hot", "mask_token": 0}),
    ("count", {"output_mode": "count"}),
    ("tf_idf", {"output_mode": "tf_idf"}),
]
integer_cases = []
for name, kwargs in integer_settings:
    layer = layers.IntegerLookup(**kwargs)
    layer.adapt(int_corpus)
    y = np.asarray(layer(int_queries))
    integer_cases.append({"name": name, "kwargs": kwargs, "adapt": int_corpus.tolist(), "queries": int_queries.tolist(),
                          "vocabulary": vocab(layer), "vocabulary_size": int(layer.vocabulary_size()),
                          "shape": list(y.shape), "y": plain(y)})
inv = layers.IntegerLookup(vocabulary=[12, 5, 7], invert=True, mask_token=0)
integer_cases.append({"name": "invert_given", "kwargs": {"vocabulary": [12, 5, 7], "invert": True, "mask_token": 0},
                      "adapt": None, "queries": [[0, 1, 2], [3, 4, 8]], "vocabulary": vocab(inv),
                      "vocabulary_size": int(inv.vocabulary_size()), "shape": [2, 3],
                      "y": plain(inv(np.array([[0, 1, 2], [3, 4, 8]])))})

# Hashing: strings of every length class FarmHash distinguishes, integers, floats, masks, salts, modes.
strings = ["", "a", "ab", "abc", "abcd", "hello", "abcdefg", "abcdefgh", "sixteen chars!!!", "seventeen chars!!",
           "a string of thirty-two bytes!!!!", "thirty-three bytes make this one.",
           "sixty-four bytes: the quick brown fox jumps over the lazy dog ok",
           "sixty-five bytes: the quick brown fox jumps over the lazy dog ok!",
           "a much longer string that spans well beyond one hundred and twenty-eight bytes, so the main "
           "loop of the hash runs more than once: 0123456789", "ünïcödé ✓"]
ints = [0, 1, -1, 7, 42, 123456789, -98765, 2 ** 40]
hashing_cases = []
for name, kwargs in [("fast", {"num_bins": 1000003}), ("fast_small", {"num_bins": 7}),
                     ("strong", {"num_bins": 1000003, "salt": [133, 137]}), ("strong_int_salt", {"num_bins": 97, "salt": 42}),
                     ("mask", {"num_bins": 5, "mask_value": ""})]:
    layer = layers.Hashing(**kwargs)
    hashing_cases.append({"name": name, "kwargs": kwargs, "strings": strings,
                          "y": plain(layer(np.array(strings)))})
for name, kwargs in [("int_fast", {"num_bins": 1000003}), ("int_strong", {"num_bins": 1000003, "salt": [1, 2]}),
                     ("int_mask", {"num_bins": 6, "mask_value": 0})]:
    layer = layers.Hashing(**kwargs)
    hashing_cases.append({"name": name, "kwargs": kwargs, "ints": ints, "y": plain(layer(np.array(ints)))})
floats = [0.5, 1.9, -1.2, 7.0]
hashing_cases.append({"name": "float", "kwargs": {"num_bins": 11}, "floats": floats,
                      "y": plain(layers.Hashing(num_bins=11)(np.array(floats, dtype="float32")))})
hash_modes = []
hq = np.array([["a", "b", "c"], ["d", "a", "a"]])
for mode in ["one_hot", "multi_hot", "count"]:
    layer = layers.Hashing(num_bins=4, output_mode=mode)
    y = np.asarray(layer(hq))
    y1 = np.asarray(layer(hq[1]))
    hash_modes.append({"mode": mode, "queries": hq.tolist(), "shape": list(y.shape), "y": plain(y),
                       "shape1": list(y1.shape), "y1": plain(y1)})

# TextVectorization with lists of ngram widths.
tv_corpus = ["the cat sat on the mat", "the dog ate", "a cat and a dog"]
tv_cases = []
for name, kwargs in [("widths_1_3", {"ngrams": (1, 3), "output_sequence_length": 10}),
                     ("widths_2", {"ngrams": (2,), "output_mode": "count"}),
                     ("widths_3_1", {"ngrams": (3, 1)})]:
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(tv_corpus)
    q = ["the cat ate the dog", "a mat"]
    y = np.asarray(layer(np.array(q)))
    tv_cases.append({"name": name, "kwargs": {**kwargs, "ngrams": list(kwargs["ngrams"])}, "corpus": tv_corpus,
                     "queries": q, "vocabulary": layer.get_vocabulary(), "shape": list(y.shape), "y": plain(y),
                     "config_ngrams": list(layer.get_config()["ngrams"])})

# Maximum / Minimum with masks (Keras replaces masked values before merging).
rng = np.random.default_rng(3)
a = rng.normal(size=(2, 4, 3)).astype("float32")
b = rng.normal(size=(2, 4, 3)).astype("float32")
c = rng.normal(size=(2, 4, 3)).astype("float32")
ma = np.array([[1, 1, 0, 0], [1, 0, 1, 0]], bool)
mb = np.array([[1, 0, 1, 0], [0, 0, 1, 1]], bool)
mc = np.array([[0, 1, 1, 0], [1, 0, 0, 1]], bool)
merge_cases = []
from keras.src import backend as kb  # noqa: E402
for cls in ["Maximum", "Minimum"]:
    for masks in [("a", "b"), ("a", None), (None, "b"), ("a", "b", "c")]:
        xs = [a, b, c][: len(masks)]
        ms = {"a": ma, "b": mb, "c": mc}
        tensors = []
        for x, m, key in zip(xs, masks, "abc"):
            t = keras.ops.convert_to_tensor(x)
            if m is not None:
                kb.set_keras_mask(t, keras.ops.convert_to_tensor(ms[key]))
            tensors.append(t)
        layer = getattr(layers, cls)()
        y = layer(tensors)
        out_mask = kb.get_keras_mask(y)
        merge_cases.append({"layer": cls, "masks": [None if m is None else plain(ms[k]) for m, k in zip(masks, "abc")],
                            "inputs": [plain(x) for x in xs], "shape": list(a.shape), "y": plain(y),
                            "mask": None if out_mask is None else plain(out_mask)})

# StackedRNNCells: the nested per-cell states an RNN returns.
keras.utils.set_random_seed(5)
cells = [layers.LSTMCell(3), layers.GRUCell(2), layers.SimpleRNNCell(4)]
rnn = layers.RNN(layers.StackedRNNCells(cells), return_state=True)
x = rng.normal(size=(2, 5, 3)).astype("float32")
out = rnn(x)
weights = [w.numpy().tolist() for w in rnn.weights]
stacked = {"x": plain(x), "x_shape": list(x.shape), "weights": weights,
           "weight_shapes": [list(w.shape) for w in rnn.weights],
           "output": plain(out[0]), "states": [[plain(s) for s in (st if isinstance(st, (list, tuple)) else [st])]
                                               for st in out[1:]],
           "state_is_list": [isinstance(st, (list, tuple)) for st in out[1:]],
           "state_size": rnn.cell.state_size}

# Keras's own configs of layers with given vocabularies: rebuilt in Swift, they must write the same config.
configs = [keras.saving.serialize_keras_object(layer) for layer in [
    layers.StringLookup(vocabulary=["a", "b", "c"], mask_token="", num_oov_indices=2, salt=5, name="words"),
    layers.StringLookup(vocabulary=["x", "y"], output_mode="multi_hot", max_tokens=6, pad_to_max_tokens=True, name="bag"),
    layers.IntegerLookup(vocabulary=[4, 8, 15], num_oov_indices=3, oov_method="farmhash", salt=[1, 2], name="ids"),
    layers.IntegerLookup(vocabulary=[3, 5], invert=True, mask_token=0, name="back"),
    layers.Hashing(num_bins=5, salt=3, mask_value="x", output_mode="count", name="hashed"),
    layers.Hashing(num_bins=9, name="hashed_int"),
    layers.TextVectorization(ngrams=(1, 2), vocabulary=["the", "cat"], output_sequence_length=4, name="text"),
]]

# A Keras-saved model whose adapted vocabularies live in the archive's assets (config vocabulary null).
keras.utils.set_random_seed(1)
bag = layers.IntegerLookup(mask_token=0, output_mode="multi_hot", name="bag")
bag.adapt(np.array([3, 3, 8, 9, 0, 12, 12, 12]))
ids = layers.IntegerLookup(num_oov_indices=2, name="ids")
ids.adapt(np.array([[5, 5, 6], [7, 5, 6]]))
inp = keras.Input(shape=(3,), dtype="int64")
embedded = layers.Flatten()(layers.Embedding(ids.vocabulary_size(), 2)(ids(inp)))
out = layers.Dense(2)(layers.Concatenate()([bag(inp), embedded]))
model = keras.Model(inp, out)
model.save(os.path.join(HERE, "lookup_adapted.keras"))
x_saved = np.array([[3, 9, 0], [7, 8, 5], [1, 6, 12]])
saved_model = {"file": "lookup_adapted.keras", "x": x_saved.tolist(), "y": plain(model.predict(x_saved, verbose=0)),
               "vocabularies": {"bag": vocab(bag), "ids": vocab(ids)}}

with open(os.path.join(HERE, "lookup_layers.json"), "w") as f:
    json.dump({"string": string_cases, "string_given": given, "integer": integer_cases, "hashing": hashing_cases,
               "hashing_modes": hash_modes, "text_vectorization_ngrams": tv_cases, "merge_masks": merge_cases,
               "stacked_cells": stacked, "configs": configs,
               "saved_model": saved_model}, f, indent=None, separators=(",", ":"))
print("wrote", len(string_cases), len(given), len(integer_cases), len(hashing_cases), len(tv_cases), len(merge_cases))
