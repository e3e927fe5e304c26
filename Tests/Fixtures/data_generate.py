"""Reference values for the bundled digits set, parsed the way keras.datasets.fashion_mnist does
(gzip, np.frombuffer with offset 16 for images and 8 for labels). Writes data_digits.json."""
import gzip
import json
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.join(here, "..", "..", "Sources", "Keras", "Resources", "digits")
out = {}
for split, prefix in [("train", "train"), ("test", "t10k")]:
    with gzip.open(os.path.join(src, f"{prefix}-labels-idx1-ubyte.gz"), "rb") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open(os.path.join(src, f"{prefix}-images-idx3-ubyte.gz"), "rb") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y), 8, 8)
    out[split] = {
        "shape": list(x.shape),
        "pixel_sum": int(x.astype(np.int64).sum()),
        "first_image": x[0].reshape(-1).tolist(),
        "last_image": x[-1].reshape(-1).tolist(),
        "first_labels": y[:20].tolist(),
        "label_counts": np.bincount(y, minlength=10).tolist(),
    }
with open(os.path.join(here, "data_digits.json"), "w") as f:
    json.dump(out, f, indent=1)
print("wrote data_digits.json")
