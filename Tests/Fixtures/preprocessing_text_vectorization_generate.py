"""Writes text_vectorization.json from Keras 3 (TensorFlow backend): TextVectorization outputs after
`adapt` for each output mode, standardize and split option, n-grams, max_tokens,
output_sequence_length and pad_to_max_tokens, with the learned vocabularies.

Run: KERAS_BACKEND=tensorflow /tmp/tfvenv/bin/python Tests/Fixtures/preprocessing_text_vectorization_generate.py
(TextVectorization needs TensorFlow.)
"""
import json
import os

os.environ["KERAS_BACKEND"] = "tensorflow"

import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
corpus = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; and THE bird?",
          "dog eat dog", "  spaces   between\twords  ", "Zebra zebra ZEBRA apple Apple"]
queries = ["the cat and the bird", "an unknown zebra!", "dog dog dog cat", ""]
settings = [
    ("int_default", {}),
    ("int_sequence_length", {"output_sequence_length": 4}),
    ("int_max_tokens", {"max_tokens": 6}),
    ("int_bigrams", {"ngrams": 2, "output_sequence_length": 12}),
    ("int_lower_only", {"standardize": "lower"}),
    ("int_strip_only", {"standardize": "strip_punctuation"}),
    ("int_no_standardize", {"standardize": None}),
    ("int_characters", {"split": "character", "max_tokens": 12}),
    ("int_no_split", {"split": None}),
    ("multi_hot", {"output_mode": "multi_hot"}),
    ("multi_hot_padded", {"output_mode": "multi_hot", "max_tokens": 30, "pad_to_max_tokens": True}),
    ("count", {"output_mode": "count", "max_tokens": 8}),
    ("count_trigrams", {"output_mode": "count", "ngrams": 3}),
    ("tf_idf", {"output_mode": "tf_idf"}),
    ("tf_idf_max_tokens", {"output_mode": "tf_idf", "max_tokens": 7}),
]
cases = []
for name, kwargs in settings:
    layer = layers.TextVectorization(**kwargs)
    layer.adapt(corpus)
    data = queries if kwargs.get("split", "whitespace") is not None else ["the cat sat on the mat.", "nothing", "dog eat dog"]
    y = np.asarray(layer(np.array(data)))
    cases.append({"name": name, "kwargs": kwargs, "queries": data, "vocabulary": [str(v) for v in layer.get_vocabulary()],
                  "shape": list(y.shape), "y": y.astype("float64").ravel().tolist()})

with open(os.path.join(HERE, "text_vectorization.json"), "w") as f:
    json.dump({"corpus": corpus, "cases": cases}, f, indent=None, separators=(",", ":"))
print("wrote", len(cases), "cases")
