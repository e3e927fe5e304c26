"""Synthetic dataset files in the exact layout of the files keras.datasets downloads (small, made
up here), served to the Swift loaders by DatasetLoaderTests through the loopback server, and what
real Keras's loaders return for them: Tests/Fixtures/datasets/ and datasets_expected.json.

- mnist.npz, boston_housing.npz: plain numeric .npy members (np.savez_compressed / np.savez).
- imdb.npz: ragged object arrays pickled by NumPy itself (protocol 4, as np.savez writes today).
- reuters.npz: ragged object arrays pickled Python-2 style (protocol 2, str as BINSTRING), as the
  real file was written.
- cifar-10-python.tar.gz / cifar-100-python.tar.gz: the tar layout of the real archives, each batch
  a dict pickled Python-2 style (protocol 2, str as BINSTRING), the images an ndarray of uint8.
- *_word_index.json.

Run: KERAS_BACKEND=jax /tmp/kvenv/bin/python Tests/Fixtures/datasets_generate.py
"""
import io
import json
import os
import pickle
import struct
import tarfile
import tempfile
import zipfile
from unittest import mock

import numpy as np

from keras.src.datasets import boston_housing, cifar, cifar100, imdb, mnist, reuters

here = os.path.dirname(os.path.abspath(__file__))
out_dir = os.path.join(here, "datasets")
os.makedirs(out_dir, exist_ok=True)
rng = np.random.RandomState(7)


def path(name):
    return os.path.join(out_dir, name)


def ragged(count, vocab, low, high):
    return [rng.randint(0, vocab, size=rng.randint(low, high)).tolist() for _ in range(count)]


def object_array(lists):
    a = np.empty(len(lists), dtype=object)
    for i, x in enumerate(lists):
        a[i] = x
    return a


# --- mnist.npz (small images; the loader must not assume 28x28 x 60000).
np.savez_compressed(path("mnist.npz"),
                    x_train=rng.randint(0, 256, size=(7, 5, 4)).astype(np.uint8),
                    y_train=rng.randint(0, 10, size=7).astype(np.uint8),
                    x_test=rng.randint(0, 256, size=(3, 5, 4)).astype(np.uint8),
                    y_test=rng.randint(0, 10, size=3).astype(np.uint8))

# --- boston_housing.npz: float64 x [N, 13], y [N].
np.savez(path("boston_housing.npz"), x=rng.uniform(0, 100, size=(23, 13)), y=rng.uniform(5, 50, size=23))

# --- imdb.npz via np.savez: object arrays of lists (NumPy pickles them, protocol 4).
np.savez(path("imdb.npz"),
         x_train=object_array(ragged(17, 40, 1, 12)), y_train=rng.randint(0, 2, size=17).astype(np.int64),
         x_test=object_array(ragged(11, 40, 1, 12)), y_test=rng.randint(0, 2, size=11).astype(np.int64))


# --- Python 2 style pickles (str -> BINSTRING, as cPickle wrote the real reuters.npz and CIFAR batches).
class Py2Pickler(pickle._Pickler):
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)
        self.memoize(obj)

    def save_str_as_py2(self, obj):
        self.save_py2_str(obj.encode("latin1"))

    dispatch[bytes] = save_py2_str
    dispatch[str] = save_str_as_py2


def py2_pickle(obj):
    buf = io.BytesIO()
    Py2Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


# --- reuters.npz written member by member: object arrays pickled with protocol 2.
def npy_bytes(array):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, np.lib.format.header_data_from_array_1_0(array))
    if array.dtype == object:
        buf.write(py2_pickle(array))
    else:
        buf.write(array.tobytes())
    return buf.getvalue()


with zipfile.ZipFile(path("reuters.npz"), "w") as z:
    z.writestr("x.npy", npy_bytes(object_array(ragged(31, 60, 1, 15))))
    z.writestr("y.npy", npy_bytes(rng.randint(0, 46, size=31).astype(np.int64)))

# --- word indexes.
with open(path("imdb_word_index.json"), "w") as f:
    json.dump({"the": 1, "and": 2, "a": 3, "film": 19, "é": 4}, f)
with open(path("reuters_word_index.json"), "w") as f:
    json.dump({"the": 1, "of": 2, "said": 5}, f)


def add(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def cifar_batch(count, label_keys, label_range):
    d = {b"batch_label": b"training batch 1 of 5",
         b"data": rng.randint(0, 256, size=(count, 3072)).astype(np.uint8),
         b"filenames": [b"img_%d.png" % i for i in range(count)]}
    for key in label_keys:
        d[key] = rng.randint(0, label_range[key], size=count).tolist()
    return d


cifar10_batches = {}
with tarfile.open(path("cifar-10-python.tar.gz"), "w:gz", format=tarfile.USTAR_FORMAT) as tar:
    dirinfo = tarfile.TarInfo("cifar-10-batches-py")
    dirinfo.type = tarfile.DIRTYPE
    tar.addfile(dirinfo)
    for name, count in [("data_batch_1", 2), ("data_batch_2", 3), ("data_batch_3", 1), ("data_batch_4", 2),
                        ("data_batch_5", 2), ("test_batch", 3)]:
        cifar10_batches[name] = py2_pickle(cifar_batch(count, [b"labels"], {b"labels": 10}))
        add(tar, "cifar-10-batches-py/" + name, cifar10_batches[name])
    add(tar, "cifar-10-batches-py/batches.meta", py2_pickle({b"label_names": [b"airplane"], b"num_vis": 3072}))
    add(tar, "cifar-10-batches-py/readme.html", b"<html></html>")

with tarfile.open(path("cifar-100-python.tar.gz"), "w:gz", format=tarfile.USTAR_FORMAT) as tar:
    for name, count in [("train", 4), ("test", 2)]:
        add(tar, "cifar-100-python/" + name,
            py2_pickle(cifar_batch(count, [b"fine_labels", b"coarse_labels"], {b"fine_labels": 100, b"coarse_labels": 20})))
    add(tar, "cifar-100-python/meta", py2_pickle({b"fine_label_names": [b"apple"], b"coarse_label_names": [b"fish"]}))

# --- What Keras returns for these files.
expected = {}


def seqs(x):
    return [list(map(int, s)) for s in x]


def run(module, file, **kwargs):
    with mock.patch.object(module, "get_file", lambda *a, **k: path(file)):
        return module.load_data(**kwargs)


(xa, ya), (xb, yb) = run(mnist, "mnist.npz")
expected["mnist"] = {"x_train": xa.tolist(), "y_train": ya.tolist(), "x_test": xb.tolist(), "y_test": yb.tolist()}

expected["boston_housing"] = []
for kwargs in [{}, {"test_split": 0.3, "seed": 5}, {"test_split": 0.0}]:
    (xa, ya), (xb, yb) = run(boston_housing, "boston_housing.npz", **kwargs)
    expected["boston_housing"].append({"args": kwargs, "x_train": xa.tolist(), "y_train": ya.tolist(),
                                       "x_test": xb.tolist(), "y_test": yb.tolist()})

imdb_cases = [{}, {"num_words": 20, "skip_top": 3}, {"maxlen": 8, "seed": 1},
              {"start_char": None, "oov_char": None, "index_from": 0, "num_words": 25},
              {"start_char": None, "index_from": 2, "skip_top": 5, "oov_char": 9}]
for module, file, cases in [(imdb, "imdb.npz", imdb_cases),
                            (reuters, "reuters.npz", imdb_cases + [{"test_split": 0.5, "seed": 3}])]:
    results = []
    for kwargs in cases:
        (xa, ya), (xb, yb) = run(module, file, **kwargs)
        results.append({"args": kwargs, "x_train": seqs(xa), "y_train": ya.tolist(),
                        "x_test": seqs(xb), "y_test": yb.tolist()})
    expected[module.__name__.split(".")[-1]] = results

with tempfile.TemporaryDirectory() as tmp:
    with tarfile.open(path("cifar-10-python.tar.gz")) as tar:
        tar.extractall(tmp, filter="data")
    root = os.path.join(tmp, "cifar-10-batches-py")
    xs, ys = zip(*[cifar.load_batch(os.path.join(root, f"data_batch_{i}")) for i in range(1, 6)])
    x_train, y_train = np.concatenate(xs).transpose(0, 2, 3, 1), np.array(sum(map(list, ys), [])).reshape(-1, 1)
    x_test, y_test = cifar.load_batch(os.path.join(root, "test_batch"))
    expected["cifar10"] = {"x_train": x_train.reshape(-1).tolist(), "x_train_shape": list(x_train.shape),
                           "y_train": y_train.reshape(-1).tolist(),
                           "x_test": x_test.transpose(0, 2, 3, 1).reshape(-1).tolist(), "y_test": list(y_test)}

    with tarfile.open(path("cifar-100-python.tar.gz")) as tar:
        tar.extractall(tmp, filter="data")
    expected["cifar100"] = {}
    for mode in ["fine", "coarse"]:
        with mock.patch.object(cifar100, "get_file", lambda *a, **k: tmp):
            (xa, ya), (xb, yb) = cifar100.load_data(label_mode=mode)
        expected["cifar100"][mode] = {"y_train": ya.reshape(-1).tolist(), "y_test": yb.reshape(-1).tolist()}
        if mode == "fine":  # the images do not depend on the label mode
            expected["cifar100"].update({"x_train": xa.reshape(-1).tolist(), "x_train_shape": list(xa.shape),
                                         "x_test": xb.reshape(-1).tolist()})

# NumPy's legacy RandomState(seed).shuffle, which every loader above uses.
perms = {}
for seed, n in [(113, 10), (113, 25000), (0, 1), (4294967295, 7), (1, 300)]:
    idx = np.arange(n)
    np.random.RandomState(seed).shuffle(idx)
    perms[f"{seed}_{n}"] = idx[:50].tolist() + idx[-5:].tolist()
expected["shuffle"] = perms

# Pickles for the reader's own tests: plain values at protocols 2-4, and hostile streams it must refuse.
plain = [1, -2, 255, 256, 65535, 70000, -70000, 2**40, -2**63, 2**63 - 1, True, False, None, 1.5, -0.25, "",
         "é€", b"\x00\xff", (), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), {"a": [1, 2], "b": {}}, [[]] * 3]


def canonical(x):
    """A text form the Swift test also writes: the decoded value must match exactly."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if x is None:
        return "null"
    if isinstance(x, (int, float)):
        return repr(x)
    if isinstance(x, str):
        return "s:" + x.encode().hex()
    if isinstance(x, bytes):
        return "b:" + x.hex()
    if isinstance(x, (list, tuple)):
        return "[" + ",".join(map(canonical, x)) + "]"
    return "{" + ",".join(canonical(k) + ":" + canonical(v) for k, v in x.items()) + "}"


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


shared = [1]
expected["pickles"] = {
    "plain_canonical": canonical(plain),
    "plain": {str(p): pickle.dumps(plain, protocol=p).hex() for p in (2, 3, 4)},
    "shared_list": pickle.dumps([shared, shared], protocol=2).hex(),
    "hostile": {
        "os_system_p2": pickle.dumps(Evil(), protocol=2).hex(),
        "os_system_p4": pickle.dumps(Evil(), protocol=4).hex(),
        "builtins_eval": pickle.dumps(eval, protocol=4).hex(),
        "protocol_5": pickle.dumps([1], protocol=5).hex(),
        "protocol_0": pickle.dumps([1], protocol=0).hex(),
        "set": pickle.dumps({1, 2}, protocol=4).hex(),
        "complex": pickle.dumps(1j, protocol=2).hex(),
    },
}

hashes = {}
for name in sorted(os.listdir(out_dir)):
    import hashlib
    with open(path(name), "rb") as f:
        hashes[name] = hashlib.sha256(f.read()).hexdigest()
expected["sha256"] = hashes

with open(os.path.join(here, "datasets_expected.json"), "w") as f:
    json.dump(expected, f)
print("wrote", out_dir, "and datasets_expected.json")
