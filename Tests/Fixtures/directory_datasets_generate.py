"""Small image and text folders for image/textDatasetFromDirectory (Tests/Fixtures/directory_datasets/),
and what Keras makes of them (directory_datasets.json): the file order, labels and class names of
`index_directory` with and without shuffling, the training/validation partitions of
`get_training_or_validation_split`, and the images as Keras's PIL loader decodes and resizes them
(`_load_image_grain`: PIL `convert`, then `keras.ops.image.resize`, bilinear by default).

Run: KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/directory_datasets_generate.py
"""
import json
import os
import shutil

import numpy as np
from PIL import Image

from keras.src.utils import dataset_utils, image_dataset_utils

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "directory_datasets")
shutil.rmtree(root, ignore_errors=True)
rng = np.random.RandomState(3)


def pixels(h, w, c):
    return rng.randint(0, 256, size=(h, w, c) if c > 1 else (h, w)).astype(np.uint8)


def save(path, image, **kwargs):
    full = os.path.join(root, "images", path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    image.save(full, **kwargs)


save("cats/a.png", Image.fromarray(pixels(5, 6, 3), "RGB"))
save("cats/b.JPG", Image.fromarray(pixels(6, 8, 3), "RGB"), format="JPEG", quality=90)
save("cats/sub/c.png", Image.fromarray(pixels(4, 4, 1), "L"))
save("cats/d.png", Image.fromarray(pixels(5, 5, 4), "RGBA"))
save("cats/.e.png", Image.fromarray(pixels(3, 3, 3), "RGB"))
palette = Image.fromarray(pixels(6, 5, 1), "L").convert("P", palette=Image.ADAPTIVE, colors=8)
save("dogs/f.png", palette)
save("dogs/g.jpeg", Image.fromarray(pixels(7, 5, 1), "L"), format="JPEG", quality=95)
save("dogs/h.png", Image.fromarray(pixels(4, 6, 3), "RGB").convert("LA"))
save("dogs/deeper/inner/i.png", Image.fromarray(pixels(2, 3, 3), "RGB"))
save("birds/j.png", Image.fromarray(pixels(3, 5, 3), "RGB"))
save("birds/k.png", Image.fromarray(pixels(9, 4, 3), "RGB"))
save(".hidden/l.png", Image.fromarray(pixels(3, 3, 3), "RGB"))
with open(os.path.join(root, "images", "cats", "notes.txt"), "w") as f:
    f.write("not an image")
with open(os.path.join(root, "images", "README"), "w") as f:
    f.write("a file at the top level is not a class")

texts = {"neg": ["bad film", "awful.", "worst ever", "no", "meh é"], "pos": ["great", "loved it", "wonderful film!"],
         "zzz": ["other class text"]}
for label, items in texts.items():
    for i, text in enumerate(items):
        path = os.path.join(root, "texts", label, f"{i}.txt")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
with open(os.path.join(root, "texts", "pos", "skip.md"), "w") as f:
    f.write("not a .txt")


def relative(paths, base):
    return [os.path.relpath(p, base) for p in paths]


def index_cases(base, formats):
    cases = []
    for kwargs in [{"shuffle": False}, {"shuffle": True, "seed": 1337}, {"shuffle": True, "seed": 7},
                   {"shuffle": True, "seed": 7, "class_names": ["dogs", "cats"]}]:
        if "class_names" in kwargs and "texts" in base:
            kwargs = dict(kwargs, class_names=["pos", "neg"])
        paths, labels, names = dataset_utils.index_directory(base, "inferred", formats=formats, verbose=False, **kwargs)
        case = {"args": kwargs, "paths": relative(paths, base), "labels": [int(x) for x in labels], "class_names": names}
        for split in [0.3, 0.5]:
            for subset in ["training", "validation"]:
                p, l = dataset_utils.get_training_or_validation_split(paths, labels, split, subset)
                case[f"{subset}_{split}"] = {"paths": relative(p, base), "labels": [int(x) for x in l]}
        cases.append(case)
    return cases


images_dir = os.path.join(root, "images")
out = {"image_index": index_cases(images_dir, image_dataset_utils.ALLOWLIST_FORMATS),
       "text_index": index_cases(os.path.join(root, "texts"), (".txt",))}

decoded = {}
paths, _, _ = dataset_utils.index_directory(images_dir, "inferred", formats=(".png", ".jpg", ".jpeg"), shuffle=False,
                                            verbose=False)
for path in paths:
    entry = {}
    for mode, channels in [("rgb", 3), ("grayscale", 1), ("rgba", 4)]:
        for size, extra in [((4, 6), {}), ((3, 3), {"crop_to_aspect_ratio": True}), ((5, 4), {"pad_to_aspect_ratio": True})]:
            image = image_dataset_utils._load_image_grain(path, size, channels, "bilinear", "channels_last", **extra)
            key = f"{mode}_{size[0]}x{size[1]}" + ("_crop" if extra.get("crop_to_aspect_ratio") else "") + (
                "_pad" if extra.get("pad_to_aspect_ratio") else "")
            entry[key] = np.asarray(image).reshape(-1).tolist()
    decoded[os.path.relpath(path, images_dir)] = entry
out["images"] = decoded
with open(os.path.join(here, "directory_datasets.json"), "w") as f:
    json.dump(out, f)
print("wrote", root, "and directory_datasets.json")
