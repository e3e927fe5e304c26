// Scaled dot-product attention of one (batch, head) pair in C: every product is
// C = A·B with B's rows contiguous and A read through strides (so Aᵀ costs nothing), computed in
// tiles of up to 16 vector accumulators held in registers.
#include "attention.h"
#include "sequence.h"
#include "transpose.h"
#include "clones.h"
#include "vector16.h"
#include <stdint.h>
#include <string.h>

// Products accumulate with fused multiply-adds, as oneDNN's do.
#pragma clang fp contract(fast)

// C[R × 16·NV] = Σ_k A(r, k) · B[k, 0 ..< 16·NV], with A(r, k) = a[r·ars + k·aks]. R and NV are
// constants at every call, so the accumulators live in registers.
INLINE void tile(const int R, const int NV, size_t K, const float *a, size_t ars, size_t aks,
                 const float *b, size_t ldb, float *c, size_t ldc) {
    v16 acc[8][4];
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) acc[r][v] = (v16){0};
    for (size_t k = 0; k < K; k++) {
        v16 bv[4];
        for (int v = 0; v < NV; v++) LOAD16(bv[v], b + k * ldb + 16 * v);
        for (int r = 0; r < R; r++) {
            float ar = a[r * ars + k * aks];
            for (int v = 0; v < NV; v++) acc[r][v] += ar * bv[v];
        }
    }
    for (int r = 0; r < R; r++)
        for (int v = 0; v < NV; v++) STORE16(c + r * ldc + 16 * v, acc[r][v]);
}

// All rows of one column block of 16·NV: tiles of R rows, then single rows.
INLINE void column_block(const int R, const int NV, size_t M, size_t K, const float *a, size_t ars, size_t aks,
                         const float *b, size_t ldb, float *c, size_t ldc) {
    size_t m = 0;
    for (; m + R <= M; m += R) tile(R, NV, K, a + m * ars, ars, aks, b, ldb, c + m * ldc, ldc);
    for (; m < M; m++) tile(1, NV, K, a + m * ars, ars, aks, b, ldb, c + m * ldc, ldc);
}

// C[M × N] = A·B (N a multiple of 16): column blocks of 64, then one of 48, 32 or 16.
INLINE void small_gemm(size_t M, size_t N, size_t K, const float *a, size_t ars, size_t aks,
                       const float *b, size_t ldb, float *c, size_t ldc) {
    size_t n = 0;
    for (; n + 64 <= N; n += 64) column_block(4, 4, M, K, a, ars, aks, b + n, ldb, c + n, ldc);
    switch ((N - n) / 16) {
    case 3: column_block(4, 3, M, K, a, ars, aks, b + n, ldb, c + n, ldc); break;
    case 2: column_block(8, 2, M, K, a, ars, aks, b + n, ldb, c + n, ldc); break;
    case 1: column_block(8, 1, M, K, a, ars, aks, b + n, ldb, c + n, ldc); break;
    default: break;
    }
}

// Lane l combined with lane l + 8, then l + 4, l + 2, l + 1.
INLINE float fold_max(v16 a) {
    v16 h;
    h = __builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15); a = select(h > a, h, a);
    h = __builtin_shufflevector(a, a, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7); a = select(h > a, h, a);
    h = __builtin_shufflevector(a, a, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3); a = select(h > a, h, a);
    h = __builtin_shufflevector(a, a, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1); a = select(h > a, h, a);
    return a[0];
}
INLINE float fold_sum(v16 a) {
    a = a + __builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
    a = a + __builtin_shufflevector(a, a, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7);
    a = a + __builtin_shufflevector(a, a, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
    a = a + __builtin_shufflevector(a, a, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
    return a[0];
}

// One row of s = 16·NV ≤ 64 scores, replaced by softmax(scale · row), in registers.
INLINE void softmax_row(const int NV, float *row, const bool *mask, float scale, float fill) {
    v16 x[4], peak = splat(-__builtin_inff()), sum = (v16){0};
    for (int v = 0; v < NV; v++) {
        LOAD16(x[v], row + 16 * v);
        x[v] = x[v] * scale;
        if (mask) {
            v16b bytes;
            memcpy(&bytes, mask + 16 * v, sizeof bytes);
            x[v] = select(__builtin_convertvector(bytes, v16i) != 0, x[v], splat(fill));
        }
        peak = select(x[v] > peak, x[v], peak);
    }
    float top = fold_max(peak);
    for (int v = 0; v < NV; v++) {
        x[v] = vexp_nonpositive(x[v] - top);
        sum = sum + x[v];
    }
    float inv = 1.0f / fold_sum(sum);
    for (int v = 0; v < NV; v++) {
        x[v] = x[v] * inv;
        STORE16(row + 16 * v, x[v]);
    }
}

// p = softmax(scale · q·kᵀ) for s = 16·NV ≤ 64: each tile of 4 rows of scores is turned into
// probabilities while it is still in the first-level cache.
INLINE void score_softmax(const int NV, size_t t, size_t d, const float *q, size_t ldq, const float *kt,
                          const bool *mask, float scale, float fill, float *p) {
    const size_t s = 16 * NV;
    size_t i = 0;
    for (; i < t; i += 4) {
        size_t rows = t - i < 4 ? t - i : 4;
        if (rows == 4) tile(4, NV, d, q + i * ldq, ldq, 1, kt, s, p + i * s, s);
        else for (size_t r = 0; r < rows; r++) tile(1, NV, d, q + (i + r) * ldq, ldq, 1, kt, s, p + (i + r) * s, s);
        for (size_t r = 0; r < rows; r++)
            softmax_row(NV, p + (i + r) * s, mask ? mask + (i + r) * s : NULL, scale, fill);
    }
}

// xᵀ (cols × rows, dense) of the rows × cols block x (row stride ldx).
INLINE void transpose(size_t rows, size_t cols, const float *x, size_t ldx, float *xt) {
    keras_transpose_f32(rows, cols, x, ldx, xt, rows);
}

KERAS_CLONES
void keras_attention_forward_f32(size_t t, size_t s, size_t d, size_t dv, const float *q, size_t ldq,
                                 const float *k, size_t ldk, const float *v, size_t ldv, const bool *mask,
                                 float scale, float fill, float *p, float *out, size_t ldo, float *scratch) {
    transpose(s, d, k, ldk, scratch);                               // kᵀ: d × s
    switch (s) {                                                    // p = softmax(scale · q·kᵀ)
    case 16: score_softmax(1, t, d, q, ldq, scratch, mask, scale, fill, p); break;
    case 32: score_softmax(2, t, d, q, ldq, scratch, mask, scale, fill, p); break;
    case 48: score_softmax(3, t, d, q, ldq, scratch, mask, scale, fill, p); break;
    case 64: score_softmax(4, t, d, q, ldq, scratch, mask, scale, fill, p); break;
    default:
        small_gemm(t, s, d, q, ldq, 1, scratch, s, p, s);
        keras_masked_softmax_f32(t, s, p, scale, mask, fill);
    }
    small_gemm(t, dv, s, p, s, 1, v, ldv, out, ldo);               // out = p·v
}

KERAS_CLONES
void keras_attention_backward_f32(size_t t, size_t s, size_t d, size_t dv, const float *q, size_t ldq,
                                  const float *k, size_t ldk, const float *v, size_t ldv, const bool *mask,
                                  float scale, const float *p, const float *g, size_t ldo, float *dq,
                                  float *dk, float *dv_out, float *scratch) {
    float *ds = scratch, *vt = scratch + t * s;
    transpose(s, dv, v, ldv, vt);                                   // vᵀ: dv × s
    small_gemm(t, s, dv, g, ldo, 1, vt, s, ds, s);                 // dP = g·vᵀ
    small_gemm(s, dv, t, p, 1, s, g, ldo, dv_out, ldv);            // dv = pᵀ·g
    keras_masked_softmax_backward_f32(t, s, p, ds, scale, mask);   // dScores
    small_gemm(t, d, s, ds, s, 1, k, ldk, dq, ldq);                // dq = dScores·k
    small_gemm(s, d, t, ds, 1, s, q, ldq, dk, ldk);                // dk = dScoresᵀ·q
}

// Inference without a mask, for t a multiple of 16: the scores are computed transposed,
// sᵀ = k·qᵀ (s × t), so each key's scores for 16 queries are one vector. The softmax then runs
// down the columns with whole-vector maxima and sums (no folds across lanes), and the
// normalization is applied to the t × dv output rows instead of the t × s probabilities.
// `scratch`: sᵀ (s · t), qᵀ (d · t), the sums' inverses (t).
INLINE void attention_output_by_columns(size_t t, size_t s, size_t d, size_t dv, const float *q, size_t ldq,
                                        const float *k, size_t ldk, const float *v, size_t ldv, float scale,
                                        float *out, size_t ldo, float *scratch) {
    float *st = scratch, *qt = scratch + s * t, *inverse = qt + d * t;
    transpose(t, d, q, ldq, qt);                                    // qᵀ: d × t
    small_gemm(s, t, d, k, ldk, 1, qt, t, st, t);                  // sᵀ = k·qᵀ
    for (size_t i = 0; i < t; i += 16) {                            // e = exp(scale · sᵀ − max), per column
        v16 peak = splat(-__builtin_inff()), sum = (v16){0}, x;
        for (size_t j = 0; j < s; j++) {
            LOAD16(x, st + j * t + i);
            x = x * scale;
            peak = select(x > peak, x, peak);
        }
        for (size_t j = 0; j < s; j++) {
            LOAD16(x, st + j * t + i);
            x = vexp_nonpositive(x * scale - peak);
            sum = sum + x;
            STORE16(st + j * t + i, x);
        }
        x = splat(1.0f) / sum;
        STORE16(inverse + i, x);
    }
    small_gemm(t, dv, s, st, 1, t, v, ldv, out, ldo);              // out = eᵀ·v, then each row / its sum
    for (size_t i = 0; i < t; i++)
        for (size_t c = 0; c < dv; c += 16) {
            v16 row;
            LOAD16(row, out + i * ldo + c);
            row = row * inverse[i];
            STORE16(out + i * ldo + c, row);
        }
}

KERAS_CLONES
void keras_attention_output_f32(size_t t, size_t s, size_t d, size_t dv, const float *q, size_t ldq,
                                const float *k, size_t ldk, const float *v, size_t ldv, const bool *mask,
                                float scale, float fill, float *out, size_t ldo, float *scratch) {
    if (mask == NULL && t % 16 == 0) {
        attention_output_by_columns(t, s, d, dv, q, ldq, k, ldk, v, ldv, scale, out, ldo, scratch);
    } else {
        keras_attention_forward_f32(t, s, d, dv, q, ldq, k, ldk, v, ldv, mask, scale, fill, scratch, out, ldo,
                                    scratch + t * s);
    }
}
