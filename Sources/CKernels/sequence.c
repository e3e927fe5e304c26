// Kernels of the sequence-model ops in C, compiled for the widest vectors the CPU has (AVX-512 /
// AVX2 / baseline x86-64, picked at load time), where Swift code is built for baseline x86-64.
#include "sequence.h"
#include "clones.h"
#include "fastmath.h"
#include <stdint.h>
#include <string.h>

// Same rounding as the Swift loops: no fused multiply-adds.
#pragma clang fp contract(off)

// Sums and maxima over 16 lanes, so the loops vectorize without reassociation flags; the lanes
// are then folded pairwise (lane l with l + 8, then l + 4, ...): four dependent vector steps
// instead of fifteen dependent scalar ones, which dominated rows as short as attention's 64.
INLINE float fold_sum16(float acc[16]) {
    for (int w = 8; w > 0; w /= 2)
        for (int l = 0; l < w; l++) acc[l] += acc[l + w];
    return acc[0];
}

INLINE float fold_max16(float acc[16]) {
    for (int w = 8; w > 0; w /= 2)
        for (int l = 0; l < w; l++) acc[l] = acc[l + w] > acc[l] ? acc[l + w] : acc[l];
    return acc[0];
}

INLINE float lane_sum(const float *x, size_t n) {
    float acc[16] = {0};
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int l = 0; l < 16; l++) acc[l] += x[j + l];
    float s = fold_sum16(acc);
    for (; j < n; j++) s += x[j];
    return s;
}

INLINE float lane_dot(const float *x, const float *y, size_t n) {
    float acc[16] = {0};
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int l = 0; l < 16; l++) acc[l] += x[j + l] * y[j + l];
    float s = fold_sum16(acc);
    for (; j < n; j++) s += x[j] * y[j];
    return s;
}

INLINE float lane_max(const float *x, size_t n) {
    float acc[16];
    for (int l = 0; l < 16; l++) acc[l] = -__builtin_inff();
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int l = 0; l < 16; l++) acc[l] = x[j + l] > acc[l] ? x[j + l] : acc[l];
    float m = fold_max16(acc);
    for (; j < n; j++) m = x[j] > m ? x[j] : m;
    return m;
}

// One row of keras_masked_softmax_f32. Inlined with a constant `n` for the common short rows,
// so the row stays in registers and the loops have no remainders.
INLINE void softmax_row(size_t n, float *restrict row, float scale, const bool *m, float fill) {
    // Pass 1: scale (or fill) and the maximum over 16 lanes, in lane_max's order.
    float acc[16];
    for (int l = 0; l < 16; l++) acc[l] = -__builtin_inff();
    size_t j = 0;
    if (m) {
        for (; j + 16 <= n; j += 16)
            for (int l = 0; l < 16; l++) {
                float v = m[j + l] ? row[j + l] * scale : fill;
                row[j + l] = v;
                acc[l] = v > acc[l] ? v : acc[l];
            }
    } else {
        for (; j + 16 <= n; j += 16)
            for (int l = 0; l < 16; l++) {
                float v = row[j + l] * scale;
                row[j + l] = v;
                acc[l] = v > acc[l] ? v : acc[l];
            }
    }
    float peak = fold_max16(acc);
    for (; j < n; j++) {
        float v = m && !m[j] ? fill : row[j] * scale;
        row[j] = v;
        peak = v > peak ? v : peak;
    }
    // Pass 2: exponentials, four vectors in flight (a row is often only four vectors long);
    // pass 3: their sum (lane_sum) and the normalization.
#pragma clang loop vectorize(assume_safety) interleave_count(4)
    for (size_t j = 0; j < n; j++) row[j] = k_exp(row[j] - peak);
    float inv = 1.0f / lane_sum(row, n);
#pragma clang loop vectorize(assume_safety)
    for (size_t j = 0; j < n; j++) row[j] *= inv;
}

KERAS_CLONES
void keras_masked_softmax_f32(size_t rows, size_t n, float *x, float scale, const bool *mask, float fill) {
#define SOFTMAX_ROWS(N) \
    for (size_t r = 0; r < rows; r++) softmax_row(N, x + r * (N), scale, mask ? mask + r * (N) : NULL, fill)
    switch (n) {
    case 16: SOFTMAX_ROWS(16); break;
    case 32: SOFTMAX_ROWS(32); break;
    case 64: SOFTMAX_ROWS(64); break;
    case 128: SOFTMAX_ROWS(128); break;
    default: SOFTMAX_ROWS(n); break;
    }
#undef SOFTMAX_ROWS
}

KERAS_CLONES
void keras_masked_softmax_backward_f32(size_t rows, size_t n, const float *p, float *dp, float scale, const bool *mask) {
    for (size_t r = 0; r < rows; r++) {
        const float *restrict pr = p + r * n;
        float *restrict dr = dp + r * n;
        float dot = lane_dot(dr, pr, n);
        if (mask) {
            const bool *m = mask + r * n;
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < n; j++) dr[j] = m[j] ? scale * (pr[j] * (dr[j] - dot)) : 0.0f;
        } else {
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < n; j++) dr[j] = scale * (pr[j] * (dr[j] - dot));
        }
    }
}

// One row: (x − mean)·inv is computed once for the variance and once for the output (the same
// rounding as storing it), so inference need not write `normalized` (NULL) or `inverse` (NULL).
// gamma and beta are never NULL here: a branch on them in the loops would make every load a
// masked one.
INLINE void layer_norm_row(size_t n, const float *restrict row, const float *gamma, const float *beta, float eps,
                           float *restrict orow, float *restrict nrow, float *inverse) {
    float count = (float)n;
    float mean = lane_sum(row, n) / count;
    float acc[16] = {0};
    size_t j = 0;
    for (; j + 16 <= n; j += 16)
        for (int l = 0; l < 16; l++) { float d = row[j + l] - mean; acc[l] += d * d; }
    float squares = fold_sum16(acc);
    for (; j < n; j++) { float d = row[j] - mean; squares += d * d; }
    float inv = 1.0f / __builtin_elementwise_sqrt(squares / count + eps);
    if (inverse) *inverse = inv;
    // Separate loops with and without `nrow` (a store under a condition would be a masked one).
    if (nrow) {
#pragma clang loop vectorize(assume_safety)
        for (size_t j = 0; j < n; j++) {
            float v = (row[j] - mean) * inv;
            nrow[j] = v;
            orow[j] = v * gamma[j] + beta[j];
        }
    } else {
#pragma clang loop vectorize(assume_safety)
        for (size_t j = 0; j < n; j++) orow[j] = (row[j] - mean) * inv * gamma[j] + beta[j];
    }
}

KERAS_CLONES
void keras_layer_norm_f32(size_t rows, size_t n, const float *x, const float *gamma, const float *beta,
                          float eps, float *out, float *normalized, float *inverse) {
    // Rows of the widths attention models use get a body with n known, held in registers.
#define LAYER_NORM_ROWS(N) \
    for (size_t r = 0; r < rows; r++) \
        layer_norm_row(N, x + r * (N), gamma, beta, eps, out + r * (N), normalized ? normalized + r * (N) : NULL, \
                       inverse ? inverse + r : NULL)
    switch (n) {
    case 32: LAYER_NORM_ROWS(32); break;
    case 64: LAYER_NORM_ROWS(64); break;
    case 128: LAYER_NORM_ROWS(128); break;
    case 256: LAYER_NORM_ROWS(256); break;
    default: LAYER_NORM_ROWS(n); break;
    }
#undef LAYER_NORM_ROWS
}

KERAS_CLONES
void keras_layer_norm_backward_f32(size_t rows, size_t n, const float *g, const float *normalized,
                                   const float *inverse, const float *gamma, float *dx, float *dgamma,
                                   float *dbeta) {
    for (size_t j = 0; j < n; j++) { dgamma[j] = 0; dbeta[j] = 0; }
    float count = (float)n;
    for (size_t r = 0; r < rows; r++) {
        const float *restrict grow = g + r * n, *restrict nrow = normalized + r * n;
        float *restrict drow = dx + r * n;
#pragma clang loop vectorize(assume_safety)
        for (size_t j = 0; j < n; j++) {
            dgamma[j] += grow[j] * nrow[j];
            dbeta[j] += grow[j];
            drow[j] = gamma ? grow[j] * gamma[j] : grow[j];
        }
        float sum_d = lane_sum(drow, n), sum_dn = lane_dot(drow, nrow, n);
        float scale = inverse[r] / count;
#pragma clang loop vectorize(assume_safety)
        for (size_t j = 0; j < n; j++) drow[j] = scale * (count * drow[j] - sum_d - nrow[j] * sum_dn);
    }
}

