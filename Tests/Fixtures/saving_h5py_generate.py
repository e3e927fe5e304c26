"""Writes HDF5 files with h5py in the layouts HDF5Reader must read (HDF5ReaderTests loads them):

    KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/saving_h5py_generate.py

- h5py_earliest.h5 / h5py_latest.h5: the same content written with libver "earliest"
  (superblock v0, v1 object headers, symbol-table groups) and "latest" (superblock v3, v2 object
  headers, link messages, dense links and attributes past 8 members, fractal heaps with a huge
  object, v2 B-trees):
  string attributes (variable-length, fixed-length lists, a 10 kB one), numeric datasets of every
  width and both byte orders, chunked datasets with gzip, shuffle and Fletcher-32, edge chunks,
  single-chunk and fixed-array chunk indexes, a compact dataset, a scalar.
- keras_deep_latest.h5 / keras_deep_gzip.h5: a 10-layer Keras model saved by Keras's legacy
  writer, copied into libver "latest" (dense links: more than 8 layers; `layer_names` split into
  `layer_names0`, `layer_names1` as Keras splits large lists) and into chunked, gzip-compressed,
  shuffled datasets.
- h5py_expected.json: every dataset's values and every attribute's strings, and the Keras
  model's input and predictions.
"""
import json
import os

import h5py
import keras
import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "saving")
expected = {"datasets": {}, "attributes": {}}


def dataset(f, name, data, record=True, **options):
    f.create_dataset(name, data=data, **options)
    if record:
        expected["datasets"][name] = {"dtype": np.asarray(data).dtype.name, "shape": list(np.shape(data)),
                                      "values": np.asarray(data, dtype=np.float64).ravel().tolist()}


def write(path, libver):
    global rng
    rng = np.random.default_rng(7)   # the same values in each file
    with h5py.File(path, "w", libver=libver) as f:
        f.attrs["model_config"] = '{"class_name": "Sequential", "note": "caf\u00e9 \u2713"}'
        f.attrs["layer_names"] = np.array([b"dense", b"dense_1", b"batch_normalization"])
        f.attrs["empty_list"] = np.array([], dtype=np.float64)
        f.attrs["big"] = "x" * 10000
        f.attrs["count"] = np.int64(3)
        g = f.create_group("weights/dense")
        dataset(g.file, "weights/dense/kernel", rng.normal(size=(3, 4)).astype("<f4"))
        dataset(f, "weights/dense/bias_be", rng.normal(size=(4,)).astype(">f4"))
        dataset(f, "weights/f64", rng.normal(size=(2, 3)).astype("<f8"))
        dataset(f, "weights/f64_be", rng.normal(size=(2, 3)).astype(">f8"))
        dataset(f, "weights/f16", rng.normal(size=(5,)).astype("<f2"))
        dataset(f, "weights/i8", np.array([-128, -1, 0, 127], dtype="i1"))
        dataset(f, "weights/u16", np.array([0, 1, 65535], dtype="<u2"))
        dataset(f, "weights/i32_be", np.array([-5, 2**31 - 1, -2**31], dtype=">i4"))
        dataset(f, "weights/i64", np.array([-(2**40), 2**40], dtype="<i8"))
        dataset(f, "weights/bool", np.array([True, False, True]))
        dataset(f, "weights/scalar", np.float32(2.5))
        dataset(f, "weights/empty", np.zeros((0, 3), dtype="f4"))
        dataset(f, "chunked/gzip_shuffle", rng.normal(size=(5, 7)).astype("f4"), chunks=(2, 3), compression="gzip", shuffle=True)
        dataset(f, "chunked/fletcher", rng.normal(size=(6,)).astype("f8"), chunks=(4,), fletcher32=True)
        dataset(f, "chunked/single", rng.normal(size=(3, 3)).astype("f4"), chunks=(3, 3), compression="gzip")
        dataset(f, "chunked/plain", np.arange(24, dtype="i4").reshape(2, 3, 4), chunks=(1, 2, 3))
        # A compact dataset (data inside its object header), through the low-level API.
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        compact = np.array([1.5, -2.0, 3.25], dtype="<f4")
        space = h5py.h5s.create_simple(compact.shape)
        dsid = h5py.h5d.create(f.id, b"weights/compact", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, compact)
        expected["datasets"]["weights/compact"] = {"dtype": "float32", "shape": [3], "values": compact.astype(float).tolist()}
        many = f.create_group("many")
        for i in range(20):
            many.create_group(f"member_{i:02d}")
            many.attrs[f"attr_{i:02d}"] = f"value {i}"
        many.attrs["long_in_dense"] = "y" * 9000
        if libver == "latest":
            # 80 kB: more than a dense attribute heap's objects may hold, a "huge" object.
            many.attrs["huge_list"] = np.array([b"w" * 100] * 800)
    expected["attributes"] = {
        "/model_config": ['{"class_name": "Sequential", "note": "caf\u00e9 \u2713"}'],
        "/layer_names": ["dense", "dense_1", "batch_normalization"],
        "/empty_list": [],
        "/big": ["x" * 10000],
        "many/attr_13": ["value 13"],
        "many/long_in_dense": ["y" * 9000],
    }


write(os.path.join(here, "h5py_earliest.h5"), "earliest")
write(os.path.join(here, "h5py_latest.h5"), "latest")

rng = np.random.default_rng(8)
# A deep Keras model through Keras's legacy writer, then re-laid out by h5py.
keras.utils.set_random_seed(3)
model = keras.Sequential([keras.Input((4,))] + [keras.layers.Dense(5, activation="tanh") for _ in range(9)]
                         + [keras.layers.Dense(2)], name="deep")
x = rng.normal(size=(3, 4)).astype("float32")
expected["deep"] = {"x": x.tolist(), "y": np.asarray(model(x)).tolist()}
source = os.path.join(here, "keras_deep_source.h5")
model.save(source)


def copy_attrs(src, dst):
    for k, v in src.attrs.items():
        dst.attrs[k] = v


def copy(src, dst, **options):
    copy_attrs(src, dst)
    for name, item in src.items():
        if isinstance(item, h5py.Group):
            copy(item, dst.create_group(name), **options)
        else:
            d = dst.create_dataset(name, data=item[()], **(options if item.ndim > 0 else {}))
            copy_attrs(item, d)


for name, libver, options in [("keras_deep_latest.h5", "latest", {}),
                              ("keras_deep_gzip.h5", "earliest", {"chunks": True, "compression": "gzip", "shuffle": True})]:
    with h5py.File(source, "r") as src, h5py.File(os.path.join(here, name), "w", libver=libver) as dst:
        copy(src, dst, **options)
        if libver == "latest":
            # Split as Keras's legacy writer splits lists too large for one attribute.
            weights = dst["model_weights"]
            names = weights.attrs["layer_names"]
            del weights.attrs["layer_names"]
            weights.attrs["layer_names0"] = names[:4]
            weights.attrs["layer_names1"] = names[4:]
os.remove(source)

with open(os.path.join(here, "h5py_expected.json"), "w") as f:
    json.dump(expected, f)
