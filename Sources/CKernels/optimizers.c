// Optimizer update loops in C, compiled for the widest vectors the CPU has (AVX-512 / AVX2 /
// baseline x86-64, picked at load time), where Swift code is built for baseline x86-64 only.
#include "ckernels.h"

// Same rounding as the Swift loops: no fused multiply-adds.
#pragma clang fp contract(off)

#if defined(__x86_64__)
#define KERAS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KERAS_CLONES
#endif

KERAS_CLONES
void keras_adam_f32(size_t n, const float *restrict p, const float *restrict g, const float *restrict m,
                    const float *restrict v, float *restrict p_out, float *restrict m_out, float *restrict v_out,
                    float alpha, float a1, float a2, float eps) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float mi = m[i] + (gi - m[i]) * a1;
        float vi = v[i] + (gi * gi - v[i]) * a2;
        m_out[i] = mi;
        v_out[i] = vi;
        p_out[i] = p[i] - (mi * alpha) / (__builtin_elementwise_sqrt(vi) + eps);
    }
}

KERAS_CLONES
void keras_rmsprop_f32(size_t n, const float *restrict p, const float *restrict g, const float *restrict v,
                       float *restrict p_out, float *restrict v_out, float lr, float rho, float rho1, float eps) {
    for (size_t i = 0; i < n; i++) {
        float gi = g[i];
        float vi = rho * v[i] + rho1 * (gi * gi);
        v_out[i] = vi;
        p_out[i] = p[i] - (lr * gi) / __builtin_elementwise_sqrt(vi + eps);
    }
}
