#ifndef SWIFT_KERAS_SEQUENCE_H
#define SWIFT_KERAS_SEQUENCE_H

#include <stddef.h>
#include <stdbool.h>

// float32 kernels of the sequence-model ops (LSTM recurrence, attention, layer normalization,
// GELU). Each is compiled for AVX-512, AVX2 and baseline x86-64; the loader picks the best the
// CPU has. The LSTM and GRU step kernels (lstm.c, gru.c) and GELU (gelu.c) use fused
// multiply-adds and their own exponentials; the others' exp follows Swift's `fastExp`
// (KerasCore/Kernels/FastMath.swift) operation for operation, so they match the Swift loops bit
// for bit.

/// One LSTM step over a batch. `z` holds `batch` rows of `4·units` recurrent products `h_{t−1}·R`
/// (gate blocks i, f, c, o); `projected` (same layout) and `bias` (`4·units`) are added
/// (`z + (projected + bias)`; either may be NULL: with no `projected`, `z` already holds the
/// projections and `bias` alone is added, if given), then the rows are replaced by the activated gates σ(i), σ(f),
/// tanh(c), σ(o). Then `c = f·c_prev + i·g` and `h = o·tanh(c)` (`batch × units`, rows `units` apart).
void keras_lstm_step_forward_f32(size_t batch, size_t units, const float *projected, const float *bias, float *z,
                                 const float *c_prev, float *c, float *h);

/// The gate gradients of one LSTM step. `gates` are the activated gates the forward saved, `c`
/// and `c_prev` the cell states, `dh_out` + `dh_next` the gradient of `h_t` (from the outputs and
/// from the next step), `dc` the gradient of `c_t` from the next step, replaced by that of
/// `c_{t−1}`. Writes the pre-activation gradients `dz` (`batch × 4·units`).
void keras_lstm_step_backward_f32(size_t batch, size_t units, const float *gates, const float *c,
                                  const float *c_prev, const float *dh_out, const float *dh_next, float *dc,
                                  float *dz);

/// One GRU step over a batch (Keras's `reset_after=True`). `z` holds `batch` rows of `3·units`
/// recurrent products `h_{t−1}·R` (blocks z, r, h), to which `bias` (`3·units`, or NULL) is
/// added; `projected` (same layout) is the input projection. The rows are replaced by the gates
/// z = σ(x_z + rec_z), r = σ(x_r + rec_r), ĥ = tanh(x_h + r·rec_h); `recurrent_h` gets rec_h and
/// `h` = z·h_prev + (1 − z)·ĥ (`batch × units`, rows `units` apart).
void keras_gru_step_forward_f32(size_t batch, size_t units, const float *projected, const float *bias, float *z,
                                float *recurrent_h, const float *h_prev, float *h);

/// The gradients of one GRU step. `gates` are the gates the forward saved, `recurrent_h` its
/// rec_h, `h_prev` the previous state; with `dh = dh_out + carry`, writes the pre-activation
/// gradients of the projected input (`d_projected`) and of the recurrent product (`d_inner`,
/// whose candidate block is scaled by r), and replaces `carry` by `dh·z`.
void keras_gru_step_backward_f32(size_t batch, size_t units, const float *gates, const float *recurrent_h,
                                 const float *h_prev, const float *dh_out, float *carry, float *d_projected,
                                 float *d_inner);

/// Softmax of each of `rows` rows of `n` scores in place, after multiplying by `scale`; where
/// `mask` (rows × n, row stride `n`, may be NULL) is false the score is replaced by `fill`.
void keras_masked_softmax_f32(size_t rows, size_t n, float *x, float scale, const bool *mask, float fill);

/// The backward of ``keras_masked_softmax_f32``: with `p` the probabilities and `dp` their
/// gradient, `dp` becomes the gradient of the scores before scaling:
/// `scale · p · (dp − Σ dp·p)`, and 0 where the mask is false.
void keras_masked_softmax_backward_f32(size_t rows, size_t n, const float *p, float *dp, float scale,
                                       const bool *mask);

/// Layer normalization of `rows` rows of `n`: `normalized = (x − mean)·inverse`,
/// `inverse = 1/√(var + eps)`, `out = normalized·gamma + beta` (pass ones and zeros for no
/// gamma or beta; `normalized` and `inverse`, which only the backward reads, may be NULL).
void keras_layer_norm_f32(size_t rows, size_t n, const float *x, const float *gamma, const float *beta,
                          float eps, float *out, float *normalized, float *inverse);

/// Its backward: `dx`, and `dgamma`, `dbeta` summed over the rows (overwritten).
void keras_layer_norm_backward_f32(size_t rows, size_t n, const float *g, const float *normalized,
                                   const float *inverse, const float *gamma, float *dx, float *dgamma,
                                   float *dbeta);

/// Exact GELU `0.5·x·(1 + erf(x/√2))` over `n` values.
void keras_gelu_f32(size_t n, const float *x, float *y);

/// Its backward: `dx = g · (Φ(x) + x·φ(x))`.
void keras_gelu_backward_f32(size_t n, const float *x, const float *g, float *dx);

#endif
