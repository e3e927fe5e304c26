"""Generates the STFTSpectrogram and MelSpectrogram fixtures for swift-keras from real Keras 3
(JAX backend).

Run from the repository root:
    KERAS_BACKEND=jax python3 Tests/Fixtures/audio_preprocessing_generate.py
Writes Tests/Fixtures/audio_preprocessing.json:
- "stft": one STFTSpectrogram per case, built from `config` on `x`: the weights Keras's STFT
  initializer made (names, values), the output `y`, and with `probe` the gradients of
  sum(y * probe) with respect to `x` (`dx`) and to the trainable kernels (`dkernels`), by
  jax.grad through `stateless_call`.
- "mel": one MelSpectrogram per case: `config`, `x`, `y`, and `dx` as above.
- "stft_shapes": Keras's compute_output_shape for symbolic inputs (batch unknown).
- "ops_stft": keras.ops.stft of one signal for three argument sets.
- "saved": a Functional model (Input (128,) -> MelSpectrogram -> Permute -> STFTSpectrogram)
  whose STFT kernels were changed, saved as audio_preprocessing.keras, with an input and
  Keras's predict output, its weights and its summary.
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import jax
import jax.numpy as jnp
import numpy as np
import keras
from keras import layers

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)


def tensor(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": np.round(a.astype("float64"), 8).tolist()}


def rand(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype("float32")


def jsonable(value):
    return json.loads(json.dumps(value, default=lambda o: None))


def grads(layer, x, probe):
    trainable = [v.value for v in layer.trainable_variables]
    non_trainable = [v.value for v in layer.non_trainable_variables]

    def objective(tv, xv):
        out, _ = layer.stateless_call(tv, non_trainable, xv)
        return jnp.sum(out * probe)

    return jax.grad(objective, argnums=(0, 1))(trainable, jnp.asarray(x))


def stft_case(name, x, **kwargs):
    layer = layers.STFTSpectrogram(**kwargs)
    x = np.asarray(x, dtype="float32")
    y = np.asarray(layer(x))
    probe = rand(*y.shape, low=0.5, high=1.5)
    dk, dx = grads(layer, x, probe)
    return {
        "name": name,
        "config": jsonable(layer.get_config()),
        "x": tensor(x),
        "weights": [{"name": w.name, "value": tensor(np.asarray(w.value))} for w in layer.weights],
        "y": tensor(y),
        "probe": tensor(probe),
        "dx": tensor(dx),
        "dkernels": [tensor(g) for g in dk],
    }


def mel_case(name, x, **kwargs):
    layer = layers.MelSpectrogram(**kwargs)
    x = np.asarray(x, dtype="float32")
    y = np.asarray(layer(x))
    probe = rand(*y.shape, low=0.5, high=1.5)
    _, dx = grads(layer, x, probe)
    return {
        "name": name,
        "config": jsonable(layer.get_config()),
        "x": tensor(x),
        "y": tensor(y),
        "probe": tensor(probe),
        "dx": tensor(dx),
    }


def main():
    x_cl = rand(2, 40, 2)
    x_cf = np.transpose(x_cl, (0, 2, 1))
    stft = [
        stft_case("log_valid", x_cl, mode="log", frame_length=8, frame_step=4, fft_length=16),
        stft_case("magnitude_same_spectrum", x_cl, mode="magnitude", frame_length=8, frame_step=3, fft_length=8,
                  window="hamming", periodic=True, scaling="spectrum", padding="same"),
        stft_case("psd_no_scaling", x_cl, mode="psd", frame_length=8, frame_step=4, fft_length=16, scaling=None),
        stft_case("real_expand", x_cl, mode="real", frame_length=8, frame_step=4, fft_length=8, expand_dims=True),
        stft_case("imag_channels_first", x_cf, mode="imag", frame_length=8, frame_step=4, fft_length=8,
                  data_format="channels_first"),
        stft_case("angle_cf_expand_same", x_cf, mode="angle", frame_length=8, frame_step=5, fft_length=8,
                  padding="same", expand_dims=True, data_format="channels_first"),
        stft_case("stft_custom_window", x_cl, mode="stft", frame_length=7, frame_step=3, fft_length=10,
                  window=[0.1, 0.5, 0.9, 1.0, 0.8, 0.4, 0.2]),
        stft_case("log_defaults", x_cl[:, :, :1], frame_length=6),
        stft_case("magnitude_odd_fft", x_cl, mode="magnitude", frame_length=6, frame_step=2, fft_length=9,
                  window="blackman", padding="same"),
        stft_case("psd_no_window_cf", x_cf, mode="psd", frame_length=5, frame_step=5, fft_length=8, window=None,
                  data_format="channels_first", padding="same"),
        stft_case("stft_bartlett_expand", x_cl, mode="stft", frame_length=8, frame_step=4, fft_length=8,
                  window="bartlett", expand_dims=True, scaling="spectrum"),
        stft_case("log_triang_boxcar_periodic", x_cl, mode="log", frame_length=6, frame_step=2, fft_length=8,
                  window="triang", periodic=True),
        stft_case("real_boxcar", x_cl, mode="real", frame_length=4, frame_step=2, fft_length=4, window="boxcar"),
    ]

    x_mel = rand(2, 100)
    mel = [
        mel_case("db_hann", x_mel, fft_length=32, sequence_stride=8, sampling_rate=8000, num_mel_bins=8),
        mel_case("power_hamming_short_window", x_mel, fft_length=32, sequence_stride=6, sequence_length=24,
                 window="hamming", sampling_rate=8000, num_mel_bins=6, power_to_db=False, mag_exp=1.0),
        mel_case("db_no_window_top_db", x_mel, fft_length=16, sequence_stride=4, window=None, sampling_rate=16000,
                 num_mel_bins=5, top_db=20.0, ref_power=2.0, min_power=1e-6),
        mel_case("unbatched_band", x_mel[0], fft_length=32, sequence_stride=8, sampling_rate=8000, num_mel_bins=6,
                 min_freq=100.0, max_freq=3000.0),
        mel_case("odd_fft", x_mel, fft_length=15, sequence_stride=5, sequence_length=10, sampling_rate=8000,
                 num_mel_bins=4, mag_exp=1.5),
    ]

    shapes = []
    for kwargs, shape in [
        ({"mode": "log", "frame_length": 8, "frame_step": 4, "fft_length": 16}, (None, 40, 2)),
        ({"mode": "stft", "frame_length": 8, "frame_step": 3, "padding": "same"}, (None, 40, 3)),
        ({"mode": "real", "frame_length": 8, "expand_dims": True}, (None, 40, 2)),
        ({"mode": "angle", "frame_length": 8, "data_format": "channels_first"}, (None, 2, 40)),
        ({"mode": "stft", "frame_length": 8, "data_format": "channels_first", "expand_dims": True}, (None, 3, 41)),
        ({"mode": "psd", "frame_length": 8, "padding": "same"}, (None, None, 2)),
    ]:
        layer = layers.STFTSpectrogram(**kwargs)
        shapes.append({"config": jsonable(layer.get_config()), "input": list(shape),
                       "output": list(layer.compute_output_shape(shape))})

    # A saved model with both layers and changed STFT kernels.
    inp = keras.Input((128,))
    mel_out = layers.MelSpectrogram(fft_length=32, sequence_stride=8, sampling_rate=8000, num_mel_bins=6,
                                    name="mel")(inp)
    perm = layers.Permute((2, 1))(mel_out)
    out = layers.STFTSpectrogram(mode="magnitude", frame_length=8, frame_step=4, name="stft")(perm)
    model = keras.Model(inp, out)
    stft_layer = model.get_layer("stft")
    stft_layer.set_weights([w * 0.5 + rand(*w.shape, low=-0.1, high=0.1) for w in stft_layer.get_weights()])
    path = os.path.join(HERE, "audio_preprocessing.keras")
    model.save(path)
    x_saved = rand(2, 128)
    lines = []
    model.summary(print_fn=lambda line, **_: lines.append(line))
    saved = {"x": tensor(x_saved), "y": tensor(model.predict(x_saved, verbose=0)),
             "weights": [tensor(w) for w in model.get_weights()], "summary": "\n".join(lines)}

    # keras.ops.stft itself (centred and not, windowed and not).
    x_ops = rand(2, 50)
    ops_cases = []
    for kwargs in [dict(sequence_length=16, sequence_stride=4, fft_length=16, window="hann", center=True),
                   dict(sequence_length=12, sequence_stride=5, fft_length=16, window=None, center=False),
                   dict(sequence_length=9, sequence_stride=3, fft_length=13, window="hamming", center=True)]:
        re, im = keras.ops.stft(x_ops, **kwargs)
        ops_cases.append({"kwargs": kwargs, "real": tensor(re), "imag": tensor(im)})

    with open(os.path.join(HERE, "audio_preprocessing.json"), "w") as f:
        json.dump({"keras_version": keras.__version__, "stft": stft, "mel": mel, "stft_shapes": shapes,
                   "saved": saved, "ops_stft": {"x": tensor(x_ops), "cases": ops_cases}}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
