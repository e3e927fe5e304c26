// The exact GELU, x·Φ(x), and its gradient in float32 (only these kernels compute it, so they
// are free to use fused multiply-adds). Φ(x) = ½(1 + erf(x/√2)) with erf from Abramowitz &
// Stegun 7.1.26 (absolute error ≤ 1.5e-7); the density's exponential e^{−x²/2}, which the
// backward reuses, has a non-positive argument, so one power of two serves (vexp_nonpositive).
#include "sequence.h"
#include "vector16.h"

#pragma clang fp contract(fast)

// Φ(x), and e^{−x²/2} in `density_exp`.
INLINE v16 normal_cdf(v16 x, v16 *density_exp) {
    v16 u = x * 0.70710678118654752f;
    v16 au = select(u < 0, -u, u);
    v16 t = 1.0f / (1.0f + 0.3275911f * au);
    v16 poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
    v16 e = vexp_nonpositive(-u * u);
    v16 erf_abs = 1.0f - poly * e;
    *density_exp = e;
    return 0.5f * (1.0f + select(u < 0, -erf_abs, erf_abs));
}

// 16 values of y = x·Φ(x) (helpers take pointers: a vector argument of a non-inlined call
// would change the ABI between clones).
INLINE void gelu16(const float *x, float *y) {
    v16 a, e;
    LOAD16(a, x);
    a = a * normal_cdf(a, &e);
    STORE16(y, a);
}

// 16 values of dx = g·(Φ(x) + x·φ(x)), φ(x) = e^{−x²/2}/√(2π).
INLINE void gelu_gradient16(const float *x, const float *g, float *dx) {
    v16 a, b, e;
    LOAD16(a, x);
    LOAD16(b, g);
    v16 cdf = normal_cdf(a, &e);
    b = b * (cdf + a * e * 0.39894228040143268f);
    STORE16(dx, b);
}

KERAS_CLONES
void keras_gelu_f32(size_t n, const float *x, float *y) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) gelu16(x + i, y + i);
    if (i < n) {   // the last n % 16 through zero-padded blocks
        float a[16] = {0}, b[16];
        memcpy(a, x + i, (n - i) * sizeof(float));
        gelu16(a, b);
        memcpy(y + i, b, (n - i) * sizeof(float));
    }
}

KERAS_CLONES
void keras_gelu_backward_f32(size_t n, const float *x, const float *g, float *dx) {
    size_t i = 0;
    for (; i + 16 <= n; i += 16) gelu_gradient16(x + i, g + i, dx + i);
    if (i < n) {
        float a[16] = {0}, b[16] = {0}, c[16];
        memcpy(a, x + i, (n - i) * sizeof(float));
        memcpy(b, g + i, (n - i) * sizeof(float));
        gelu_gradient16(a, b, c);
        memcpy(dx + i, c, (n - i) * sizeof(float));
    }
}
