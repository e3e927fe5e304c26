"""Writes config_order.json from Keras 3 (JAX backend): serialized models and objects exactly as
Keras orders their keys (json.dump keeps dict order), so the Swift tests can check that
`getConfig()` / `serializeLayer` list keys in Keras's order.

Run: KERAS_BACKEND=jax python3 Tests/Fixtures/config_order_generate.py
"""
import json
import os

os.environ["KERAS_BACKEND"] = "jax"

import keras
from keras import layers
from keras.src.saving import serialization_lib

HERE = os.path.dirname(os.path.abspath(__file__))


def serialize(obj):
    return serialization_lib.serialize_keras_object(obj)


sequential = keras.Sequential(
    [keras.Input((3,)), layers.Dense(2, activation="relu", name="d1"), layers.Dropout(0.5, name="dr")],
    name="seq",
)
compiled = keras.Sequential([keras.Input((3,)), layers.Dense(2)], name="compiled")
compiled.compile(optimizer="adam", loss="mse", metrics=["mae"])
x = keras.Input((3,), name="x")
functional = keras.Model(x, layers.Dense(2, name="d")(x), name="f")

out = {
    "sequential": serialize(sequential),
    "functional_config": functional.get_config(),
    "dense": serialize(layers.Dense(4, use_bias=False, name="dense")),
    "max_norm": serialize(keras.constraints.MaxNorm(2.0, axis=1)),
    "adam": serialize(keras.optimizers.Adam()),
    "compile_config": compiled.get_compile_config(),
}
# Every object family with default arguments (layers built, so their build_config is written):
# the Swift test recreates each from Keras's config and checks that its own config lists the keys
# in the same order. Add new classes here as they are ported.
out["layers"] = [
    serialize(layer) for layer in [
        layers.Dense(3, name="dense"), layers.Activation("relu", name="activation"), layers.ReLU(name="relu"),
        layers.LeakyReLU(name="leaky_re_lu"), layers.PReLU(name="p_re_lu"), layers.ELU(name="elu"),
        layers.Softmax(name="softmax"), layers.Flatten(name="flatten"), layers.Reshape((2, 2), name="reshape"),
        layers.Permute((2, 1), name="permute"), layers.RepeatVector(2, name="repeat_vector"),
        layers.Dropout(0.5, name="dropout"), layers.Identity(name="identity"),
        layers.Add(name="add"), layers.Subtract(name="subtract"), layers.Multiply(name="multiply"),
        layers.Average(name="average"), layers.Maximum(name="maximum"), layers.Minimum(name="minimum"),
        layers.Concatenate(name="concatenate"), layers.Dot(axes=1, name="dot"),
        # Convolutional
        layers.Conv1D(2, 3), layers.Conv2D(2, 3), layers.Conv3D(2, 3), layers.Conv1DTranspose(2, 3),
        layers.Conv2DTranspose(2, 3), layers.Conv3DTranspose(2, 3), layers.DepthwiseConv1D(3),
        layers.DepthwiseConv2D(3), layers.SeparableConv1D(2, 3), layers.SeparableConv2D(2, 3),
        # Pooling
        layers.MaxPooling1D(), layers.MaxPooling2D(), layers.MaxPooling3D(), layers.AveragePooling1D(2),
        layers.AveragePooling2D(2), layers.AveragePooling3D(2), layers.GlobalMaxPooling1D(), layers.GlobalMaxPooling2D(),
        layers.GlobalMaxPooling3D(), layers.GlobalAveragePooling1D(), layers.GlobalAveragePooling2D(),
        layers.GlobalAveragePooling3D(),
        # Normalization
        layers.BatchNormalization(), layers.GroupNormalization(groups=2), layers.UnitNormalization(),
        # Regularization
        layers.SpatialDropout1D(0.1), layers.SpatialDropout2D(0.1), layers.SpatialDropout3D(0.1),
        layers.GaussianNoise(0.1), layers.GaussianDropout(0.1), layers.AlphaDropout(0.1),
        layers.ActivityRegularization(),
        # Reshaping
        layers.ZeroPadding1D(), layers.ZeroPadding2D(), layers.ZeroPadding3D(), layers.Cropping1D(),
        layers.Cropping2D(), layers.Cropping3D(), layers.UpSampling1D(), layers.UpSampling2D(), layers.UpSampling3D(),
        # Preprocessing
        layers.Rescaling(1 / 255), layers.Normalization(), layers.Resizing(4, 4), layers.CenterCrop(4, 4),
        layers.RandomCrop(4, 4), layers.RandomFlip(), layers.RandomRotation(0.1), layers.RandomZoom(0.1),
        layers.RandomTranslation(0.1, 0.1), layers.RandomContrast(0.1), layers.RandomBrightness(0.1),
        layers.CategoryEncoding(4),
        # Sequence: recurrent layers and cells, wrappers, embedding, masking, attention
        layers.SimpleRNN(2), layers.LSTM(2), layers.GRU(2), layers.GRU(2, reset_after=False),
        layers.SimpleRNNCell(2), layers.LSTMCell(2), layers.GRUCell(2),
        layers.RNN(layers.LSTMCell(2)), layers.RNN(layers.StackedRNNCells([layers.GRUCell(2), layers.SimpleRNNCell(2)])),
        layers.Bidirectional(layers.LSTM(2)), layers.TimeDistributed(layers.Dense(2)),
        layers.Embedding(10, 3), layers.Masking(), layers.LayerNormalization(),
        layers.Attention(), layers.AdditiveAttention(), layers.MultiHeadAttention(2, 4),
        layers.GroupQueryAttention(4, 2, 1),
    ]
]
out["initializers"] = [serialize(i) for i in [
    keras.initializers.Zeros(), keras.initializers.Ones(), keras.initializers.Constant(2.0),
    keras.initializers.RandomNormal(), keras.initializers.RandomUniform(), keras.initializers.TruncatedNormal(),
    keras.initializers.VarianceScaling(), keras.initializers.GlorotUniform(), keras.initializers.GlorotNormal(),
    keras.initializers.HeUniform(), keras.initializers.HeNormal(), keras.initializers.LecunUniform(),
    keras.initializers.LecunNormal(), keras.initializers.Orthogonal(),
]]
out["regularizers"] = [serialize(r) for r in [
    keras.regularizers.L1(), keras.regularizers.L2(), keras.regularizers.L1L2(l1=0.1, l2=0.2),
]]
out["constraints"] = [serialize(c) for c in [
    keras.constraints.MaxNorm(), keras.constraints.MinMaxNorm(), keras.constraints.UnitNorm(), keras.constraints.NonNeg(),
]]
out["optimizers"] = [serialize(o) for o in [
    keras.optimizers.SGD(), keras.optimizers.RMSprop(), keras.optimizers.Adam(), keras.optimizers.AdamW(),
    keras.optimizers.Adagrad(), keras.optimizers.Adadelta(), keras.optimizers.Adamax(), keras.optimizers.Nadam(),
    keras.optimizers.Lion(),
]]
out["losses"] = [serialize(l) for l in [
    keras.losses.MeanSquaredError(), keras.losses.MeanAbsoluteError(), keras.losses.BinaryCrossentropy(),
    keras.losses.CategoricalCrossentropy(), keras.losses.SparseCategoricalCrossentropy(), keras.losses.Huber(),
    keras.losses.Hinge(), keras.losses.KLDivergence(), keras.losses.BinaryFocalCrossentropy(),
]]
out["metrics"] = [serialize(m) for m in [
    keras.metrics.Mean(), keras.metrics.Accuracy(), keras.metrics.BinaryAccuracy(), keras.metrics.CategoricalAccuracy(),
    keras.metrics.SparseCategoricalAccuracy(), keras.metrics.TopKCategoricalAccuracy(), keras.metrics.AUC(),
    keras.metrics.Precision(), keras.metrics.Recall(), keras.metrics.MeanSquaredError(), keras.metrics.R2Score(),
    keras.metrics.F1Score(),
]]

with open(os.path.join(HERE, "config_order.json"), "w") as f:
    json.dump(out, f, indent=1)
