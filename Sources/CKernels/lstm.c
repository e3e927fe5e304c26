// The LSTM's per-step gate arithmetic in float32 (keras_lstm_step_forward_f32 and
// keras_lstm_step_backward_f32) on 16-float vectors with fused multiply-adds. Only these
// kernels compute an LSTM step in float32, so they need not round as Swift's `fastSigmoid` /
// `fastTanh` do (vsigmoid and vtanh in vector16.h).
#include "sequence.h"
#include "vector16.h"

#pragma clang fp contract(fast)

// 16 units of one row: the gates (i, f, g, o, in place) activated, c = f·c_prev + i·g, h = o·tanh(c).
INLINE void forward16(float *i, float *f, float *g, float *o, const float *c_prev, float *c, float *h) {
    v16 vi, vf, vg, vo, vc;
    LOAD16(vi, i);
    LOAD16(vf, f);
    LOAD16(vg, g);
    LOAD16(vo, o);
    LOAD16(vc, c_prev);
    vi = vsigmoid(vi);
    vf = vsigmoid(vf);
    vg = vtanh(vg);
    vo = vsigmoid(vo);
    STORE16(i, vi);
    STORE16(f, vf);
    STORE16(g, vg);
    STORE16(o, vo);
    vc = vf * vc + vi * vg;
    STORE16(c, vc);
    vc = vo * vtanh(vc);
    STORE16(h, vc);
}

KERAS_CLONES
void keras_lstm_step_forward_f32(size_t batch, size_t units, const float *projected, const float *bias, float *z,
                                 const float *c_prev, float *c, float *h) {
    for (size_t b = 0; b < batch; b++) {
        float *restrict row = z + b * 4 * units;
        const float *restrict x = projected ? projected + b * 4 * units : NULL;
        if (projected && bias) {
            const float *restrict bb = bias;
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < 4 * units; j++) row[j] = row[j] + (x[j] + bb[j]);
        } else if (projected) {
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < 4 * units; j++) row[j] = row[j] + x[j];
        } else if (bias) {
            const float *restrict bb = bias;
#pragma clang loop vectorize(assume_safety)
            for (size_t j = 0; j < 4 * units; j++) row[j] = row[j] + bb[j];
        }
        const float *cp = c_prev + b * units;
        float *cb = c + b * units, *hb = h + b * units;
        size_t j = 0;
        for (; j + 16 <= units; j += 16)
            forward16(row + j, row + units + j, row + 2 * units + j, row + 3 * units + j, cp + j, cb + j, hb + j);
        if (j < units) {   // the last units % 16 through zero-padded blocks
            const size_t n = (units - j) * sizeof(float);
            float t[7][16] = {{0}};
            for (int k = 0; k < 4; k++) memcpy(t[k], row + k * units + j, n);
            memcpy(t[4], cp + j, n);
            forward16(t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
            for (int k = 0; k < 4; k++) memcpy(row + k * units + j, t[k], n);
            memcpy(cb + j, t[5], n);
            memcpy(hb + j, t[6], n);
        }
    }
}

// 16 units of one row's gate gradients (see keras_lstm_step_backward_f32): `gate` points at the
// activated gates i, f, g, o (`units` apart), `dz` likewise at their gradients.
INLINE void backward16(const float *gate, size_t units, const float *c, const float *c_prev, const float *dh_out,
                       const float *dh_next, float *dc, float *dz) {
    v16 i, f, g, o, vc, cp, ho, hn, dcn;
    LOAD16(i, gate);
    LOAD16(f, gate + units);
    LOAD16(g, gate + 2 * units);
    LOAD16(o, gate + 3 * units);
    LOAD16(vc, c);
    LOAD16(cp, c_prev);
    LOAD16(ho, dh_out);
    LOAD16(hn, dh_next);
    LOAD16(dcn, dc);
    v16 dh = ho + hn, tc = vtanh(vc);
    v16 dcell = dcn + dh * o * (1.0f - tc * tc);
    v16 di = dcell * g * i * (1.0f - i), df = dcell * cp * f * (1.0f - f);
    v16 dg = dcell * i * (1.0f - g * g), dout = dh * tc * o * (1.0f - o);
    STORE16(dz, di);
    STORE16(dz + units, df);
    STORE16(dz + 2 * units, dg);
    STORE16(dz + 3 * units, dout);
    dcell = dcell * f;
    STORE16(dc, dcell);
}

KERAS_CLONES
void keras_lstm_step_backward_f32(size_t batch, size_t units, const float *gates, const float *c,
                                  const float *c_prev, const float *dh_out, const float *dh_next, float *dc,
                                  float *dz) {
    for (size_t b = 0; b < batch; b++) {
        const float *row = gates + b * 4 * units;
        float *drow = dz + b * 4 * units;
        const size_t k = b * units;
        size_t j = 0;
        for (; j + 16 <= units; j += 16)
            backward16(row + j, units, c + k + j, c_prev + k + j, dh_out + k + j, dh_next + k + j, dc + k + j, drow + j);
        if (j < units) {   // the last units % 16 through zero-padded blocks (gates 16 apart)
            const size_t n = (units - j) * sizeof(float);
            float g[64] = {0}, d[64], t[5][16] = {{0}};
            for (int q = 0; q < 4; q++) memcpy(g + 16 * q, row + q * units + j, n);
            memcpy(t[0], c + k + j, n);
            memcpy(t[1], c_prev + k + j, n);
            memcpy(t[2], dh_out + k + j, n);
            memcpy(t[3], dh_next + k + j, n);
            memcpy(t[4], dc + k + j, n);
            backward16(g, 16, t[0], t[1], t[2], t[3], t[4], d);
            for (int q = 0; q < 4; q++) memcpy(drow + q * units + j, d + 16 * q, n);
            memcpy(dc + k + j, t[4], n);
        }
    }
}
