#ifndef SWIFT_KERAS_LINEAR_H
#define SWIFT_KERAS_LINEAR_H

#include <stddef.h>

// float32 epilogues of the fused dense product (`Tensor.linear`): the bias and activation applied
// to the product's rows in one pass, and the backward's activation derivative and bias gradient.
// Each is compiled for AVX-512, AVX2 and baseline x86-64; the loader picks the best the CPU has.

/// Activations the fused product applies after its bias.
typedef enum {
    KERAS_LINEAR_NONE = 0,
    KERAS_LINEAR_RELU = 1,
    KERAS_LINEAR_GELU = 2,
} keras_linear_activation;

/// `z[r, j] += bias[j]` (when `bias` is not NULL) for `rows` rows of `n`, then
/// `y = activation(z)` (`y` may be NULL for no activation: the result is `z`).
void keras_linear_epilogue_f32(size_t rows, size_t n, float *z, const float *bias,
                               keras_linear_activation activation, float *y);

/// The gradient of the pre-activation: `dz = g · activation′(z)` for `count` elements.
void keras_linear_activation_backward_f32(size_t count, keras_linear_activation activation, const float *z,
                                          const float *g, float *dz);

/// Column sums of a `rows × n` matrix: `out[j] = Σ_r x[r, j]` (the bias gradient).
void keras_column_sum_f32(size_t rows, size_t n, const float *x, float *out);

#endif
