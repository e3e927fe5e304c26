// Shared by the kernel files (not part of the module's public headers): 16-float vectors in
// clang's vector extension (one zmm register in the AVX-512 clones, two ymm in the AVX2 ones),
// and the helpers written on them.
#ifndef SWIFT_KERAS_VECTOR16_H
#define SWIFT_KERAS_VECTOR16_H

#include "clones.h"
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
// Cephes expf polynomial as in sequence.c's k_exp, with fused multiply-adds and, since x ≤ 0,
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
    v16 p = splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    v16 er = p * r2 + r + 1.0f;
    return er * (v16)((n + 127) << 23);
}

#endif
