// Shared by the kernel files (not part of the module's public headers): the scalar twins of
// Swift's `fastExp`, `fastSigmoid` and `fastTanh` (KerasCore/Kernels/FastMath.swift), operation
// for operation and without fused multiply-adds, so a C loop over them (vectorized by the
// compiler) gives the Swift loop's results bit for bit.
#ifndef SWIFT_KERAS_FASTMATH_H
#define SWIFT_KERAS_FASTMATH_H

#include "clones.h"
#include "expf.h"
#include <stdint.h>
#include <string.h>

INLINE int32_t float_bits(float x) { int32_t i; memcpy(&i, &x, 4); return i; }
INLINE float bits_float(int32_t i) { float x; memcpy(&x, &i, 4); return x; }

// Swift's `fastExp`: Cody–Waite reduction, the Cephes expf polynomial, 2^n in two halves.
INLINE float k_exp(float x) {
#pragma clang fp contract(off)
    float v = x < -104.0f ? -104.0f : x;
    v = v > 89.0f ? 89.0f : v;
    const float shifter = 12582912.0f;
    float t = v * 1.4426950408889634f + shifter;
    int32_t n = float_bits(t) - float_bits(shifter);
    float fn = t - shifter;
    float r = v - fn * 0.693359375f;
    r = r - fn * -2.1219444005e-4f;
    float r2 = r * r;
    float er = EXPF_POLYNOMIAL(r, r2);
    int32_t n1 = n >> 1, n2 = n - n1;
    return er * bits_float((n1 + 127) << 23) * bits_float((n2 + 127) << 23);
}

// Swift's `fastSigmoid`: 1 / (1 + e^−x).
INLINE float k_sigmoid(float x) {
#pragma clang fp contract(off)
    return 1.0f / (1.0f + k_exp(-x));
}

// Swift's `fastTanh`: the Cephes odd polynomial below 0.625, 1 − 2/(e^{2|x|}+1) with x's sign above.
INLINE float k_tanh(float x) {
#pragma clang fp contract(off)
    float ax = x < 0 ? -x : x;
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z - 5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z - 3.33332819422e-1f;
    float small = p * z * x + x;
    float large = 1.0f - 2.0f / (k_exp(2.0f * ax) + 1.0f);
    float signed_large = bits_float(float_bits(large) | (float_bits(x) & (int32_t)0x80000000));
    return ax < 0.625f ? small : signed_large;
}

#endif
