#ifndef SWIFT_KERAS_ATTENTION_H
#define SWIFT_KERAS_ATTENTION_H

#include <stddef.h>
#include <stdbool.h>

// float32 scaled dot-product attention of one (batch, head) pair, with the small matrix products
// as register-blocked loops instead of oneDNN calls (whose per-call cost dominates at sizes such
// as 64 steps × 16 features). `s`, `d` and `dv` must be multiples of 16. Rows of `q`, `k`, `v`,
// the output and their gradients are `ld*` floats apart (the heads interleave in one tensor);
// `p` and `mask` are dense `t × s`.

/// `p = softmax(scale · q·kᵀ)` (masked: where `mask` is false the score is `fill`) and
/// `out = p·v`. `scratch` holds `d · s` floats.
void keras_attention_forward_f32(size_t t, size_t s, size_t d, size_t dv, const float *q, size_t ldq,
                                 const float *k, size_t ldk, const float *v, size_t ldv, const bool *mask,
                                 float scale, float fill, float *p, float *out, size_t ldo, float *scratch);

/// `out = softmax(scale · q·kᵀ)·v` alone, for inference (the probabilities are not kept).
/// Without a mask and for `t` a multiple of 16 it runs by columns of transposed scores (the
/// same values within float rounding). `scratch` holds `t · s + d · max(s, t) + t` floats.
void keras_attention_output_f32(size_t t, size_t s, size_t d, size_t dv, const float *q, size_t ldq,
                                const float *k, size_t ldk, const float *v, size_t ldv, const bool *mask,
                                float scale, float fill, float *out, size_t ldo, float *scratch);

/// The gradients `dq`, `dk`, `dv_out` (written, with the strides of `q`, `k`, `v`) from the
/// output gradient `g` (row stride `ldo`) and the forward's probabilities `p`. `scratch` holds
/// `t · s + dv · s` floats.
void keras_attention_backward_f32(size_t t, size_t s, size_t d, size_t dv, const float *q, size_t ldq,
                                  const float *k, size_t ldk, const float *v, size_t ldv, const bool *mask,
                                  float scale, const float *p, const float *g, size_t ldo, float *dq,
                                  float *dk, float *dv_out, float *scratch);

#endif
