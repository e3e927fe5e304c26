// The GRU's per-step gate arithmetic in float32 (keras_gru_step_forward_f32 and
// keras_gru_step_backward_f32) on 16-float vectors with fused multiply-adds, σ and tanh from
// vector16.h. Only these kernels compute a GRU step in float32.
#include "sequence.h"
#include "vector16.h"

#pragma clang fp contract(fast)

// 16 units of one row. `x`, `row` and `bias` (or NULL) point at the z blocks of the projected
// input, of the recurrent product and of its bias (r and h blocks `units` further on); the row's
// blocks become z, r, ĥ.
INLINE void gru_forward16(const float *x, float *row, const float *bias, size_t units, float *recurrent_h,
                          const float *h_prev, float *h) {
    v16 xz, xr, xh, rz, rr, rh, hp;
    LOAD16(xz, x);
    LOAD16(xr, x + units);
    LOAD16(xh, x + 2 * units);
    LOAD16(rz, row);
    LOAD16(rr, row + units);
    LOAD16(rh, row + 2 * units);
    LOAD16(hp, h_prev);
    if (bias) {
        v16 bz, br, bh;
        LOAD16(bz, bias);
        LOAD16(br, bias + units);
        LOAD16(bh, bias + 2 * units);
        rz = rz + bz;
        rr = rr + br;
        rh = rh + bh;
    }
    v16 update = vsigmoid(xz + rz), reset = vsigmoid(xr + rr);
    v16 candidate = vtanh(xh + reset * rh);
    STORE16(recurrent_h, rh);
    STORE16(row, update);
    STORE16(row + units, reset);
    STORE16(row + 2 * units, candidate);
    hp = update * hp + (1.0f - update) * candidate;
    STORE16(h, hp);
}

KERAS_CLONES
void keras_gru_step_forward_f32(size_t batch, size_t units, const float *projected, const float *bias, float *z,
                                float *recurrent_h, const float *h_prev, float *h) {
    const size_t width = 3 * units;
    for (size_t b = 0; b < batch; b++) {
        float *row = z + b * width;
        const float *x = projected + b * width;
        float *rh = recurrent_h + b * units, *hb = h + b * units;
        const float *hp = h_prev + b * units;
        size_t j = 0;
        for (; j + 16 <= units; j += 16) gru_forward16(x + j, row + j, bias ? bias + j : NULL, units, rh + j, hp + j, hb + j);
        if (j < units) {   // the last units % 16 through zero-padded blocks (16 apart)
            const size_t n = (units - j) * sizeof(float);
            float xs[48] = {0}, rs[48] = {0}, bs[48] = {0}, t[3][16] = {{0}};
            for (int q = 0; q < 3; q++) {
                memcpy(xs + 16 * q, x + q * units + j, n);
                memcpy(rs + 16 * q, row + q * units + j, n);
                if (bias) memcpy(bs + 16 * q, bias + q * units + j, n);
            }
            memcpy(t[0], hp + j, n);
            gru_forward16(xs, rs, bs, 16, t[1], t[0], t[2]);
            for (int q = 0; q < 3; q++) memcpy(row + q * units + j, rs + 16 * q, n);
            memcpy(rh + j, t[1], n);
            memcpy(hb + j, t[2], n);
        }
    }
}

// 16 units of one row's gradients (see keras_gru_step_backward_f32); `gate`, `dp` and `di` point
// at z blocks, with r and h blocks `units` further on.
INLINE void gru_backward16(const float *gate, size_t units, const float *recurrent_h, const float *h_prev,
                           const float *dh_out, float *carry, float *dp, float *di) {
    v16 update, reset, candidate, rh, hp, ho, c;
    LOAD16(update, gate);
    LOAD16(reset, gate + units);
    LOAD16(candidate, gate + 2 * units);
    LOAD16(rh, recurrent_h);
    LOAD16(hp, h_prev);
    LOAD16(ho, dh_out);
    LOAD16(c, carry);
    v16 dh = ho + c;
    v16 d_update = dh * (hp - candidate) * update * (1.0f - update);
    v16 d_candidate = dh * (1.0f - update) * (1.0f - candidate * candidate);
    v16 d_reset = d_candidate * rh * reset * (1.0f - reset);
    STORE16(dp, d_update);
    STORE16(dp + units, d_reset);
    STORE16(dp + 2 * units, d_candidate);
    STORE16(di, d_update);
    STORE16(di + units, d_reset);
    d_candidate = d_candidate * reset;
    STORE16(di + 2 * units, d_candidate);
    dh = dh * update;
    STORE16(carry, dh);
}

KERAS_CLONES
void keras_gru_step_backward_f32(size_t batch, size_t units, const float *gates, const float *recurrent_h,
                                 const float *h_prev, const float *dh_out, float *carry, float *d_projected,
                                 float *d_inner) {
    const size_t width = 3 * units;
    for (size_t b = 0; b < batch; b++) {
        const float *row = gates + b * width;
        float *dp = d_projected + b * width, *di = d_inner + b * width;
        const size_t k = b * units;
        size_t j = 0;
        for (; j + 16 <= units; j += 16)
            gru_backward16(row + j, units, recurrent_h + k + j, h_prev + k + j, dh_out + k + j, carry + k + j, dp + j, di + j);
        if (j < units) {   // the last units % 16 through zero-padded blocks (16 apart)
            const size_t n = (units - j) * sizeof(float);
            float g[48] = {0}, p[48], q[48], t[4][16] = {{0}};
            for (int s = 0; s < 3; s++) memcpy(g + 16 * s, row + s * units + j, n);
            memcpy(t[0], recurrent_h + k + j, n);
            memcpy(t[1], h_prev + k + j, n);
            memcpy(t[2], dh_out + k + j, n);
            memcpy(t[3], carry + k + j, n);
            gru_backward16(g, 16, t[0], t[1], t[2], t[3], p, q);
            for (int s = 0; s < 3; s++) {
                memcpy(dp + s * units + j, p + 16 * s, n);
                memcpy(di + s * units + j, q + 16 * s, n);
            }
            memcpy(carry + k + j, t[3], n);
        }
    }
}
