"""Generates the seeds of the hostile-config tests for swift-keras from real Keras 3 (JAX backend):
layers and models as Keras serializes them once built, each with the input shapes it was built
for. `HostileConfigTests` replaces every key (and every nested value) of these configs with
hostile values (negative, zero, huge, NaN, wrong types, wrong shapes) and calls what loads on
edge inputs: every outcome must be a result or a thrown `KerasError`, never a stop.

Run from the repository root:  python3 Tests/Fixtures/hostile_configs_generate.py
Writes Tests/Fixtures/hostile_configs.json: {"layers", "models", "text", "objects"}, each
entry a serialized layer or model (`class_name`, `config`, `build_config`), the layers and models
with `input_shapes`, `input_dtypes` and the shapes of their weights in Keras's order
(`weight_shapes`); the text and lookup layers take strings (or integers); "objects" holds
optimizers, losses, metrics, initializers, regularizers, constraints and schedules by kind.
"""
import inspect
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras
from keras import layers as L

HERE = os.path.dirname(os.path.abspath(__file__))


def serialized(obj, shapes, dtypes):
    s = keras.saving.serialize_keras_object(obj)
    s = json.loads(json.dumps(s, default=lambda o: None))
    s["input_shapes"] = shapes
    s["input_dtypes"] = dtypes
    s["weight_shapes"] = [list(w.shape) for w in obj.weights]
    return s


specs = [
 (L.Dense(3), (None, 4)),
 (L.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de"), (None, 5, 4)), (L.EinsumDense("...b,bc->...c", 4, bias_axes="c"), (None, 3, 5)), (L.RMSNormalization(axis=[1, 2]), (None, 3, 4)),
 (L.SpectralNormalization(L.Dense(3)), (None, 4)), (L.SpectralNormalization(L.Conv2D(2, 2), power_iterations=2), (None, 5, 5, 3)),
 (L.AdaptiveAveragePooling1D(3), (None, 8, 3)), (L.AdaptiveAveragePooling2D((3, 2)), (None, 8, 8, 3)), (L.AdaptiveAveragePooling3D(2, data_format="channels_first"), (None, 2, 4, 4, 4)),
 (L.AdaptiveMaxPooling1D(4), (None, 8, 3)), (L.AdaptiveMaxPooling2D(2), (None, 7, 5, 3)), (L.AdaptiveMaxPooling3D((2, 1, 2)), (None, 4, 4, 4, 2)),
 (L.Discretization(bin_boundaries=[0.0, 1.0, 2.0]), (None, 4)), (L.Discretization(bin_boundaries=[-1.0, 0.5], output_mode="one_hot"), (None, 4)),
 (L.HashedCrossing(num_bins=5), [(None, 1), (None, 1)]),
 (L.ReversibleEmbedding(10, 4), (None, 5)), (L.ReversibleEmbedding(10, 4, tie_weights=False, logit_soft_cap=30.0, mask_zero=True), (None, 5)),
 (L.Activation("relu"), (None, 4)), (L.ReLU(), (None, 4)), (L.LeakyReLU(), (None, 4)), (L.PReLU(), (None, 4)), (L.ELU(), (None, 4)), (L.Softmax(), (None, 4)),
 (L.Flatten(), (None, 2, 3)), (L.Reshape((3, 2)), (None, 6)), (L.Permute((2, 1)), (None, 2, 3)), (L.RepeatVector(3), (None, 4)),
 (L.Dropout(0.2), (None, 4)), (L.SpatialDropout1D(0.2), (None, 5, 4)), (L.SpatialDropout2D(0.2), (None, 5, 5, 4)), (L.SpatialDropout3D(0.2), (None, 3, 3, 3, 2)),
 (L.GaussianNoise(0.1), (None, 4)), (L.GaussianDropout(0.1), (None, 4)), (L.AlphaDropout(0.1), (None, 4)), (L.ActivityRegularization(l1=0.1), (None, 4)),
 (L.Conv1D(2, 3), (None, 8, 3)), (L.Conv2D(2, 3, strides=2, padding="same"), (None, 8, 8, 3)), (L.Conv3D(2, 2), (None, 4, 4, 4, 2)),
 (L.Conv1DTranspose(2, 3), (None, 8, 3)), (L.Conv2DTranspose(2, 3, strides=2, output_padding=1), (None, 5, 5, 3)), (L.Conv3DTranspose(2, 2), (None, 3, 3, 3, 2)),
 (L.DepthwiseConv1D(3), (None, 8, 3)), (L.DepthwiseConv2D(3), (None, 8, 8, 3)), (L.SeparableConv1D(2, 3), (None, 8, 3)), (L.SeparableConv2D(2, 3), (None, 8, 8, 3)),
 (L.Conv2D(4, 3, groups=2, dilation_rate=2), (None, 9, 9, 4)),
 (L.MaxPooling1D(2), (None, 8, 3)), (L.MaxPooling2D(2), (None, 8, 8, 3)), (L.MaxPooling3D(2), (None, 4, 4, 4, 2)),
 (L.AveragePooling1D(2), (None, 8, 3)), (L.AveragePooling2D(2, padding="same"), (None, 7, 7, 3)), (L.AveragePooling3D(2), (None, 4, 4, 4, 2)),
 (L.GlobalMaxPooling1D(), (None, 8, 3)), (L.GlobalMaxPooling2D(), (None, 8, 8, 3)), (L.GlobalMaxPooling3D(), (None, 4, 4, 4, 2)),
 (L.GlobalAveragePooling1D(), (None, 8, 3)), (L.GlobalAveragePooling2D(keepdims=True), (None, 8, 8, 3)), (L.GlobalAveragePooling3D(), (None, 4, 4, 4, 2)),
 (L.BatchNormalization(), (None, 4)), (L.LayerNormalization(), (None, 5, 4)), (L.GroupNormalization(groups=2), (None, 5, 4)), (L.UnitNormalization(), (None, 4)),
 (L.ZeroPadding1D(1), (None, 8, 3)), (L.ZeroPadding2D(1), (None, 8, 8, 3)), (L.ZeroPadding3D(1), (None, 4, 4, 4, 2)),
 (L.Cropping1D(1), (None, 8, 3)), (L.Cropping2D(1), (None, 8, 8, 3)), (L.Cropping3D(1), (None, 4, 4, 4, 2)),
 (L.UpSampling1D(2), (None, 8, 3)), (L.UpSampling2D(2, interpolation="bilinear"), (None, 8, 8, 3)), (L.UpSampling3D(2), (None, 4, 4, 4, 2)),
 (L.Rescaling(1/255.), (None, 8, 8, 3)), (L.Normalization(mean=0.5, variance=2.0), (None, 4)), (L.Resizing(4, 4), (None, 8, 8, 3)),
 (L.CenterCrop(4, 4), (None, 8, 8, 3)), (L.RandomCrop(4, 4), (None, 8, 8, 3)), (L.RandomFlip(), (None, 8, 8, 3)), (L.RandomRotation(0.1), (None, 8, 8, 3)),
 (L.RandomZoom(0.1), (None, 8, 8, 3)), (L.RandomTranslation(0.1, 0.1), (None, 8, 8, 3)), (L.RandomContrast(0.1), (None, 8, 8, 3)), (L.RandomBrightness(0.1), (None, 8, 8, 3)),
 (L.Embedding(10, 4), (None, 5)), (L.Masking(), (None, 5, 4)),
 (L.SimpleRNN(3), (None, 5, 4)), (L.LSTM(3, return_sequences=True), (None, 5, 4)), (L.GRU(3, reset_after=False), (None, 5, 4)), (L.GRU(3, return_state=True), (None, 5, 4)),
 (L.Bidirectional(L.LSTM(3)), (None, 5, 4)), (L.TimeDistributed(L.Dense(2)), (None, 5, 4)),
 (L.RNN(L.LSTMCell(3)), (None, 5, 4)), (L.RNN(L.StackedRNNCells([L.SimpleRNNCell(3), L.GRUCell(2)])), (None, 5, 4)),
 (L.CategoryEncoding(num_tokens=5), (None, 3)), (L.Hashing(num_bins=5), (None, 3)),
 (L.RandomGrayscale(0.5), (None, 8, 8, 3)), (L.RandomHue(0.2), (None, 8, 8, 3)), (L.RandomSaturation(0.3), (None, 8, 8, 3)),
 (L.RandomColorDegeneration(0.3), (None, 8, 8, 3)), (L.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.2, saturation_factor=0.2, hue_factor=0.1), (None, 8, 8, 3)),
 (L.RandomInvert(), (None, 8, 8, 3)), (L.RandomPosterization(4), (None, 8, 8, 3)), (L.Solarization(0.2, 0.3), (None, 8, 8, 3)),
 (L.RandomSharpness(0.3), (None, 8, 8, 3)), (L.AutoContrast(), (None, 8, 8, 3)), (L.Equalization(), (None, 8, 8, 3)),
 (L.ContrastLimitedAdaptiveHistogramEqualization(value_range=(0, 255), tile_grid_size=(2, 2)), (None, 8, 8, 3)),
 (L.RandomShear(0.2, 0.1), (None, 8, 8, 3)), (L.RandomPerspective(0.5, 0.3), (None, 8, 8, 3)), (L.RandomGaussianBlur(0.5, kernel_size=3), (None, 8, 8, 3)),
 (L.RandomErasing(0.5, scale=(0.1, 0.3)), (None, 8, 8, 3)), (L.RandomElasticTransform(0.5, scale=0.5), (None, 8, 8, 3)),
 (L.MixUp(), (None, 8, 8, 3)), (L.CutMix(), (None, 8, 8, 3)), (L.RandAugment(num_ops=2), (None, 8, 8, 3)), (L.AugMix(chain_depth=2), (None, 8, 8, 3)),
 (L.Pipeline([L.Rescaling(0.5), L.RandomFlip()]), (None, 8, 8, 3)),
 (L.STFTSpectrogram(frame_length=8, frame_step=4, fft_length=8), (None, 32, 1)), (L.STFTSpectrogram(mode="log", frame_length=8, frame_step=4, expand_dims=True), (None, 32, 1)),
 (L.MelSpectrogram(fft_length=16, sequence_stride=8, num_mel_bins=8, sampling_rate=8000), (None, 64)),
 (L.ConvLSTM1D(2, 3), (None, 3, 8, 2)), (L.ConvLSTM2D(2, 3, return_sequences=True, padding="same"), (None, 3, 6, 6, 2)), (L.ConvLSTM3D(2, 2), (None, 2, 4, 4, 4, 1)),
 (L.Identity(), (None, 4)),
]
multi = [
 (L.MultiHeadAttention(num_heads=2, key_dim=3), [(None, 5, 4), (None, 6, 4)]),
 (L.GroupQueryAttention(head_dim=2, num_query_heads=4, num_key_value_heads=2), [(None, 5, 4), (None, 6, 4)]),
 (L.Attention(), [(None, 5, 4), (None, 6, 4)]), (L.AdditiveAttention(), [(None, 5, 4), (None, 6, 4)]),
 (L.Add(), [(None, 4), (None, 4)]), (L.Concatenate(), [(None, 4), (None, 3)]), (L.Multiply(), [(None, 4), (None, 4)]),
 (L.Dot(axes=1), [(None, 4), (None, 4)]), (L.Subtract(), [(None, 4), (None, 4)]), (L.Average(), [(None, 4), (None, 4)]), (L.Maximum(), [(None, 4), (None, 4)]), (L.Minimum(), [(None, 4), (None, 4)]),
]
layer_seeds = []
for layer, shape in specs + multi:
    try:
        if isinstance(shape, list):
            if isinstance(layer, (L.MultiHeadAttention, L.GroupQueryAttention)):
                layer.build(shape[0], shape[1])
            else:
                layer.build(shape)
        else:
            layer.build(shape)
    except Exception as e:
        raise SystemExit(f"build failed: {layer.__class__.__name__}: {e}")
    shapes = shape if isinstance(shape, list) else [shape]
    takes_ids = isinstance(layer, (L.Embedding, L.ReversibleEmbedding, L.CategoryEncoding, L.Hashing, L.HashedCrossing))
    layer_seeds.append(serialized(layer, shapes, ["int32" if takes_ids else "float32"] * len(shapes)))

model_seeds = []
def add(model, shapes):
    model_seeds.append(serialized(model, shapes, [str(i.dtype) for i in model.inputs]))


m = keras.Sequential([keras.Input((8, 8, 1)), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(), L.MaxPooling2D(), L.Flatten(), L.Dropout(0.2), L.Dense(3)])
add(m, [[None, 8, 8, 1]])
a = keras.Input((5, 4)); b = keras.Input((3,))
x = L.LSTM(3)(a); y = L.Dense(3)(b); z = L.Concatenate()([x, y]); o = L.Dense(2, activation="softmax")(z)
add(keras.Model([a, b], o), [[None, 5, 4], [None, 3]])
t = keras.Input((6,), dtype="int32"); e = L.Embedding(20, 8)(t)
h = L.MultiHeadAttention(2, 4)(e, e); h = L.LayerNormalization()(L.Add()([e, h])); h = L.GlobalAveragePooling1D()(h); o = L.Dense(2)(h)
add(keras.Model(t, o), [[None, 6]])
c = keras.Input((9, 3)); d = L.Conv1DTranspose(2, 3, strides=2)(c); d = L.UpSampling1D(2)(d); d = L.GRU(2, return_sequences=True)(d); d = L.TimeDistributed(L.Dense(1))(d)
add(keras.Model(c, d), [[None, 9, 3]])

# Text and lookup layers, called on lists of strings (IntegerLookup and Hashing on integers too).
vocab = ["the", "cat", "sat", "on", "mat"]
text_layers = [
    L.TextVectorization(max_tokens=10, vocabulary=vocab, output_sequence_length=4),
    L.TextVectorization(vocabulary=vocab, output_mode="multi_hot", ngrams=2),
    L.TextVectorization(vocabulary=vocab, output_mode="tf_idf", idf_weights=[0.5, 1, 1.5, 2, 2.5]),
    L.TextVectorization(vocabulary=vocab, output_mode="count", split="character", standardize="lower"),
    L.StringLookup(vocabulary=vocab),
    L.StringLookup(vocabulary=vocab, output_mode="one_hot", num_oov_indices=2, mask_token=""),
    L.StringLookup(vocabulary=vocab, invert=True),
    L.IntegerLookup(vocabulary=[3, 5, 7]),
    L.IntegerLookup(vocabulary=[3, 5, 7], output_mode="count", mask_token=0),
    L.Hashing(num_bins=5),
    L.Hashing(num_bins=5, salt=3, output_mode="multi_hot"),
    L.HashedCrossing(num_bins=5),
    L.HashedCrossing(num_bins=4, output_mode="one_hot"),
    L.Discretization(num_bins=4, epsilon=0.05, output_mode="count"),
]
text_seeds = [json.loads(json.dumps(keras.saving.serialize_keras_object(layer),
                                    default=lambda o: o.tolist() if hasattr(o, "tolist") else None))
              for layer in text_layers]

# Optimizers, losses, metrics, initializers, regularizers, constraints and learning-rate
# schedules, each as Keras serializes it (defaults, unless noted).
def plain(obj):
    return json.loads(json.dumps(keras.saving.serialize_keras_object(obj),
                                 default=lambda o: o.tolist() if hasattr(o, "tolist") else None))


def classes(module, base):
    """Every class of `module` below `base` that builds without arguments."""
    found = []
    for name in sorted(dir(module)):
        c = getattr(module, name)
        if inspect.isclass(c) and issubclass(c, base) and c is not base and name != "LossFunctionWrapper":
            try:
                found.append(plain(c()))
            except TypeError:
                pass  # needs arguments (PrecisionAtRecall and the like)
    return found


S = keras.optimizers.schedules
objects = {
    "optimizers": [plain(getattr(keras.optimizers, name)()) for name in
                   ["SGD", "RMSprop", "Adam", "AdamW", "Adadelta", "Adagrad", "Adamax", "Adafactor", "Nadam", "Ftrl", "Lion", "Lamb"]]
                  + [plain(keras.optimizers.Adam(learning_rate=S.ExponentialDecay(0.1, 10, 0.9), clipnorm=1.0,
                                                  use_ema=True, ema_momentum=0.9))],
    "losses": classes(keras.losses, keras.losses.Loss),
    "metrics": classes(keras.metrics, keras.metrics.Metric)
               + [plain(keras.metrics.IoU(3, [0, 2])), plain(keras.metrics.MeanIoU(3)),
                  plain(keras.metrics.OneHotIoU(3, [1])), plain(keras.metrics.OneHotMeanIoU(3))],
    "initializers": [plain(getattr(keras.initializers, name)()) for name in
                     ["Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal", "GlorotUniform",
                      "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal", "Identity",
                      "VarianceScaling"]],
    "regularizers": [plain(keras.regularizers.L1(0.1)), plain(keras.regularizers.L2(0.1)),
                     plain(keras.regularizers.L1L2(0.1, 0.2)), plain(keras.regularizers.OrthogonalRegularizer(0.1))],
    "constraints": [plain(keras.constraints.MaxNorm(2)), plain(keras.constraints.MinMaxNorm()),
                    plain(keras.constraints.NonNeg()), plain(keras.constraints.UnitNorm())],
    "schedules": [plain(S.ExponentialDecay(0.1, 10, 0.9)), plain(S.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001])),
                  plain(S.PolynomialDecay(0.1, 100)), plain(S.InverseTimeDecay(0.1, 10, 0.5)),
                  plain(S.CosineDecay(0.1, 100, warmup_target=0.2, warmup_steps=10)), plain(S.CosineDecayRestarts(0.1, 10))],
}

with open(os.path.join(HERE, "hostile_configs.json"), "w") as f:
    json.dump({"layers": layer_seeds, "models": model_seeds, "text": text_seeds, "objects": objects}, f)
print(len(layer_seeds), "layers,", len(model_seeds), "models,", len(text_seeds), "text layers,",
      {k: len(v) for k, v in objects.items()})
