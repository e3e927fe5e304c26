// Shared by the kernel files (not part of the module's public headers): 16-float vectors in
// clang's vector extension (one zmm register in the AVX-512 clones, two ymm in the AVX2 ones),
// and the helpers written on them.
#ifndef SWIFT_KERAS_VECTOR16_H
#define SWIFT_KERAS_VECTOR16_H

#include "clones.h"
#include "expf.h"
#include <stdint.h>
#include <string.h>

// Every vector helper is inlined, so the ABI of vector arguments in the non-AVX-512 clones is moot.
#pragma clang diagnostic ignored "-Wpsabi"

typedef float v16 __attribute__((vector_size(64), aligned(4)));
typedef int32_t v16i __attribute__((vector_size(64), aligned(4)));
typedef unsigned char v16b __attribute__((vector_size(16), aligned(1)));

// Unaligned vector load and store (macros: vector arguments of non-AVX-512 clones warn).
#define LOAD16(x, p) memcpy(&(x), (p), sizeof(v16))
#define STORE16(p, x) memcpy((p), &(x), sizeof(v16))

INLINE v16 splat(float x) { return (v16){0} + x; }
INLINE v16 select(v16i m, v16 a, v16 b) { return (v16)(((v16i)a & m) | ((v16i)b & ~m)); }

// exp(x) for x ≤ 0, such as the softmax's x − max (or NaN, which stays NaN): Cody–Waite reduction and the
// Cephes expf polynomial as in fastmath.h's k_exp, with fused multiply-adds and, since x ≤ 0,
// one power of two instead of two halves. Below −87 (where e^x < 2⁻¹²⁵, nothing beside the
// row's maximum term of 1 in a softmax) it returns e^−87 rather than a subnormal.
INLINE v16 vexp_nonpositive(v16 x) {
#pragma clang fp contract(fast)
    v16 v = select(x < splat(-87.0f), splat(-87.0f), x);
    const v16 shifter = splat(12582912.0f);
    v16 t = v * 1.4426950408889634f + shifter;
    v16i n = (v16i)t - (v16i)shifter;
    v16 fn = t - shifter;
    v16 r = v - fn * 0.693359375f;
    r = r - fn * -2.1219444005e-4f;
    v16 r2 = r * r;
    v16 er = EXPF_POLYNOMIAL(r, r2);
    return er * (v16)((n + 127) << 23);
}

// σ(a) from e = e^{−|a|} (one exponential of a non-positive argument, one division): 1/(1 + e)
// for a ≥ 0, e/(1 + e) below (NaN stays NaN); within 3 ulp of σ.
INLINE v16 vsigmoid(v16 a) {
#pragma clang fp contract(fast)
    v16 e = vexp_nonpositive(select(a < 0, a, -a));
    v16 r = 1.0f / (1.0f + e);
    return select(a < 0, e * r, r);
}

// tanh(x): the Cephes tanhf odd polynomial below |x| = 0.625 (where the quotient would cancel),
// (1 − e)/(1 + e) with e = e^{−2|x|} and x's sign above; within 2 ulp of tanh.
INLINE v16 vtanh(v16 x) {
#pragma clang fp contract(fast)
    v16 ax = select(x < 0, -x, x);
    v16 z = x * x;
    v16 p = (((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z
            - 3.33332819422e-1f;
    v16 small = p * z * x + x;
    v16 e = vexp_nonpositive(-2.0f * ax);
    v16 large = (1.0f - e) / (1.0f + e);
    large = (v16)((v16i)large | ((v16i)x & ((v16i){0} + INT32_MIN)));
    return select(ax < 0.625f, small, large);
}

// 32-bit interleave of a and b within each 128-bit block: the low or the high pair of each.
INLINE v16 interleave_low32(v16 a, v16 b) { return __builtin_shufflevector(a, b, 0, 16, 1, 17, 4, 20, 5, 21, 8, 24, 9, 25, 12, 28, 13, 29); }
INLINE v16 interleave_high32(v16 a, v16 b) { return __builtin_shufflevector(a, b, 2, 18, 3, 19, 6, 22, 7, 23, 10, 26, 11, 27, 14, 30, 15, 31); }
// The same for 64-bit pairs.
INLINE v16 interleave_low64(v16 a, v16 b) { return __builtin_shufflevector(a, b, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29); }
INLINE v16 interleave_high64(v16 a, v16 b) { return __builtin_shufflevector(a, b, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31); }
// 128-bit blocks 0 and 2 of a, then 0 and 2 of b (even), or blocks 1 and 3 (odd).
INLINE v16 even_blocks(v16 a, v16 b) { return __builtin_shufflevector(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27); }
INLINE v16 odd_blocks(v16 a, v16 b) { return __builtin_shufflevector(a, b, 4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31); }

// The 16 × 16 block x (row stride ldx) transposed into xt (row stride ldt), in registers:
// interleaving rows pairwise (32, then 64 bits) transposes each 4 × 4 group within a 128-bit
// block; two rounds of block shuffles then gather each column's four groups.
INLINE void transpose16(const float *x, size_t ldx, float *xt, size_t ldt) {
    v16 r[16], a[16], b[16];
    for (int i = 0; i < 16; i++) LOAD16(r[i], x + i * ldx);
    for (int i = 0; i < 16; i += 2) {
        a[i] = interleave_low32(r[i], r[i + 1]);
        a[i + 1] = interleave_high32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {     // b[i + c]: column 4L + c of rows i ..< i + 4 in block L
        b[i] = interleave_low64(a[i], a[i + 2]);
        b[i + 1] = interleave_high64(a[i], a[i + 2]);
        b[i + 2] = interleave_low64(a[i + 1], a[i + 3]);
        b[i + 3] = interleave_high64(a[i + 1], a[i + 3]);
    }
    for (int c = 0; c < 4; c++) {         // column 4L + c is block L of b[c], b[4 + c], b[8 + c], b[12 + c]
        v16 u0 = even_blocks(b[c], b[4 + c]), u1 = odd_blocks(b[c], b[4 + c]);
        v16 u2 = even_blocks(b[8 + c], b[12 + c]), u3 = odd_blocks(b[8 + c], b[12 + c]);
        v16 column0 = even_blocks(u0, u2), column1 = even_blocks(u1, u3);
        v16 column2 = odd_blocks(u0, u2), column3 = odd_blocks(u1, u3);
        STORE16(xt + c * ldt, column0);
        STORE16(xt + (4 + c) * ldt, column1);
        STORE16(xt + (8 + c) * ldt, column2);
        STORE16(xt + (12 + c) * ldt, column3);
    }
}

#endif
