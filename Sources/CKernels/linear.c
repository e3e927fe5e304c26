// Epilogues of the fused dense product `x·W + b` followed by an activation (see linear.h).
#include "linear.h"
#include "sequence.h"
#include "clones.h"

// Same rounding as the composed Swift ops: no fused multiply-adds.
#pragma clang fp contract(off)

KERAS_CLONES
void keras_linear_epilogue_f32(size_t rows, size_t n, float *z, const float *bias,
                               keras_linear_activation activation, float *y) {
    for (size_t r = 0; r < rows; r++) {
        float *restrict zr = z + r * n;
        if (bias) {
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < n; j++) zr[j] += bias[j];
        }
        if (!y) continue;
        float *restrict yr = y + r * n;
        switch (activation) {
        case KERAS_LINEAR_RELU:
            // `x < 0 ? 0 : x`, as the relu op: NaN passes and -0 stays -0.
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < n; j++) yr[j] = zr[j] < 0 ? 0.0f : zr[j];
            break;
        case KERAS_LINEAR_GELU:
            // One row at a time, while it is still in cache.
            keras_gelu_f32(n, zr, yr);
            break;
        case KERAS_LINEAR_NONE:
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < n; j++) yr[j] = zr[j];
            break;
        }
    }
}

KERAS_CLONES
void keras_linear_activation_backward_f32(size_t count, keras_linear_activation activation, const float *z,
                                          const float *g, float *dz) {
    switch (activation) {
    case KERAS_LINEAR_RELU:
#pragma clang loop vectorize(assume_safety)
        for (size_t i = 0; i < count; i++) dz[i] = z[i] > 0 ? g[i] : 0.0f;
        break;
    case KERAS_LINEAR_GELU:
        keras_gelu_backward_f32(count, z, g, dz);
        break;
    case KERAS_LINEAR_NONE:
#pragma clang loop vectorize(assume_safety)
        for (size_t i = 0; i < count; i++) dz[i] = g[i];
        break;
    }
}

KERAS_CLONES
void keras_column_sum_f32(size_t rows, size_t n, const float *x, float *out) {
    for (size_t j = 0; j < n; j++) out[j] = 0;
    for (size_t r = 0; r < rows; r++) {
        const float *restrict xr = x + r * n;
#pragma clang loop vectorize(assume_safety)
        for (size_t j = 0; j < n; j++) out[j] += xr[j];
    }
}
