// Optimizer update loops in C, compiled for the widest vectors the CPU has (AVX-512 / AVX2 /
// baseline x86-64, picked at load time), where Swift code is built for baseline x86-64 only.
//
// Each rule is written once (`RULE`) and instantiated for float and double, each with a loop
// that reads the raw gradient and weight (no clipping, scaling or decay: the common case) and
// one that clips, scales and decays them. The formulas keep the Swift code's operation order;
// `max`/`min` are Swift's (`y >= x ? y : x`, `y < x ? y : x`), so NaN propagates the same way.
#include "ckernels.h"
#include "clones.h"
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

// Same rounding as the Swift loops: no fused multiply-adds.
#pragma clang fp contract(off)

// Swift.max / Swift.min.
#define SMAX(x, y) ((y) >= (x) ? (y) : (x))
#define SMIN(x, y) ((y) < (x) ? (y) : (x))
// `vectorizableSquareRoot`: √max(x, 0).
#define ROOT(x) __builtin_elementwise_sqrt(SMAX((x), (R)0))

// Defines `name_f32` / `name_f64(const keras_optimizer_args *)`, each with a loop that writes
// new buffers and one that updates the weight and slots in place (`p_out == p`). The rule's body sees `gi` (the
// gradient), `pi` (the weight), `s0..s2` (slots in), `o0..o2` (slots out), `po` (new weight),
// the index `i` and the scalars `k0..k7`, all of the element type `R`.
#define RULE(name, ...)                                                                            \
    RULE_T(name, float, f32, __VA_ARGS__)                                                          \
    RULE_T(name, double, f64, __VA_ARGS__)

#define RULE_T(name, T, sfx, ...)                                                                  \
    INLINE void name##_loop_##sfx(size_t n, const T *restrict p, const T *restrict g,              \
                                  const T *restrict s0, const T *restrict s1, const T *restrict s2, \
                                  T *restrict po, T *restrict o0, T *restrict o1, T *restrict o2,  \
                                  T scale, T clip, T decay, const T *k, const int plain) {          \
        RULE_LOOP(T, __VA_ARGS__)                                                                  \
    }                                                                                              \
    /* In place: the outputs are the inputs (reads go through pointers based on them). */          \
    INLINE void name##_inplace_##sfx(size_t n, const T *restrict g, T *restrict po,                \
                                     T *restrict o0, T *restrict o1, T *restrict o2,               \
                                     T scale, T clip, T decay, const T *k, const int plain) {       \
        const T *p = po, *s0 = o0, *s1 = o1, *s2 = o2;                                             \
        RULE_LOOP(T, __VA_ARGS__)                                                                  \
    }                                                                                              \
    KERAS_CLONES static void name##_##sfx(const keras_optimizer_args *a) {                         \
        T k[8];                                                                                    \
        for (int j = 0; j < 8; j++) k[j] = (T)a->k[j];                                             \
        const T scale = (T)a->scale, clip = (T)a->clip, decay = (T)a->decay;                       \
        const T *p = a->p, *g = a->g, *s0 = a->slot[0], *s1 = a->slot[1], *s2 = a->slot[2];        \
        T *po = a->p_out, *o0 = a->slot_out[0], *o1 = a->slot_out[1], *o2 = a->slot_out[2];        \
        const int plain = scale == 1 && clip == (T)__builtin_inf() && decay == 0;                  \
        if (p == po && plain)                                                                      \
            name##_inplace_##sfx(a->n, g, po, o0, o1, o2, scale, clip, decay, k, 1);               \
        else if (p == po)                                                                          \
            name##_inplace_##sfx(a->n, g, po, o0, o1, o2, scale, clip, decay, k, 0);               \
        else if (plain)                                                                            \
            name##_loop_##sfx(a->n, p, g, s0, s1, s2, po, o0, o1, o2, scale, clip, decay, k, 1);   \
        else                                                                                       \
            name##_loop_##sfx(a->n, p, g, s0, s1, s2, po, o0, o1, o2, scale, clip, decay, k, 0);   \
    }

// The loop of a rule over `n` elements, with `p`, `g`, `s0..s2`, `po`, `o0..o2`, `scale`,
// `clip`, `decay`, `k` and `plain` in scope.
#define RULE_LOOP(T, ...)                                                                          \
        typedef T R;                                                                               \
        (void)(R)0;                                                                                \
        const T k0 = k[0], k1 = k[1], k2 = k[2], k3 = k[3], k4 = k[4], k5 = k[5], k6 = k[6],       \
                k7 = k[7];                                                                         \
        (void)k0; (void)k1; (void)k2; (void)k3; (void)k4; (void)k5; (void)k6; (void)k7;            \
        (void)s0; (void)s1; (void)s2; (void)o0; (void)o1; (void)o2;                                \
        for (size_t i = 0; i < n; i++) {                                                           \
            T gi, pi;                                                                              \
            if (plain) {                                                                           \
                gi = g[i];                                                                         \
                pi = p[i];                                                                         \
            } else {                                                                               \
                T scaled = g[i] * scale;                                                           \
                T low = SMAX(scaled, -clip);                                                       \
                gi = SMIN(low, clip);                                                              \
                pi = p[i] - p[i] * decay;                                                          \
            }                                                                                      \
            __VA_ARGS__                                                                            \
        }

// ---------------------------------------------------------------------------------------- SGD
// k: lr, μ
RULE(sgd, po[i] = pi - gi * k0;)

RULE(sgd_momentum,
     R mi = s0[i] * k1 - gi * k0;
     o0[i] = mi;
     po[i] = pi + mi;)

RULE(sgd_nesterov,
     R mi = s0[i] * k1 - gi * k0;
     o0[i] = mi;
     po[i] = pi + (mi * k1 - gi * k0);)

// --------------------------------------------------------------------------------------- Adam
// k: α = lr·√(1−β2ᵗ)/(1−β1ᵗ), a1 = 1−β1, a2 = 1−β2, ε
RULE(adam,
     R mi = s0[i] + (gi - s0[i]) * k1;
     R vi = s1[i] + (gi * gi - s1[i]) * k2;
     o0[i] = mi;
     o1[i] = vi;
     po[i] = pi - (mi * k0) / (ROOT(vi) + k3);)

RULE(adam_amsgrad,
     R mi = s0[i] + (gi - s0[i]) * k1;
     R vi = s1[i] + (gi * gi - s1[i]) * k2;
     o0[i] = mi;
     o1[i] = vi;
     R hat = SMAX(s2[i], vi);
     o2[i] = hat;
     po[i] = pi - (mi * k0) / (ROOT(hat) + k3);)

// ------------------------------------------------------------------------------------ RMSprop
// k: lr, ρ, ρ1 = 1−ρ, μ, ε. Slots: velocity, then momentum (if used), then average_gradient.
RULE(rmsprop,
     R vi = k1 * s0[i] + k2 * (gi * gi);
     o0[i] = vi;
     po[i] = pi - (k0 * gi) / ROOT(vi + k4);)

RULE(rmsprop_momentum,
     R vi = k1 * s0[i] + k2 * (gi * gi);
     o0[i] = vi;
     R increment = (k0 * gi) / ROOT(vi + k4);
     R mi = k3 * s1[i] + increment;
     o1[i] = mi;
     po[i] = pi - mi;)

RULE(rmsprop_centered,
     R vi = k1 * s0[i] + k2 * (gi * gi);
     o0[i] = vi;
     R ai = k1 * s1[i] + k2 * gi;
     o1[i] = ai;
     R increment = (k0 * gi) / ROOT((vi - ai * ai) + k4);
     po[i] = pi - increment;)

RULE(rmsprop_momentum_centered,
     R vi = k1 * s0[i] + k2 * (gi * gi);
     o0[i] = vi;
     R ai = k1 * s2[i] + k2 * gi;
     o2[i] = ai;
     R increment = (k0 * gi) / ROOT((vi - ai * ai) + k4);
     R mi = k3 * s1[i] + increment;
     o1[i] = mi;
     po[i] = pi - mi;)

// ------------------------------------------------------------------------------------ Adagrad
// k: lr, ε
RULE(adagrad,
     R ai = s0[i] + gi * gi;
     o0[i] = ai;
     po[i] = pi - (k0 * gi) / ROOT(ai + k1);)

// ----------------------------------------------------------------------------------- Adadelta
// k: lr, ρ, ρ1 = 1−ρ, ε. Slots: accumulated_grad, accumulated_delta_var.
RULE(adadelta,
     R agi = k1 * s0[i] + k2 * (gi * gi);
     R delta = -(ROOT(s1[i] + k3) * gi) / ROOT(agi + k3);
     o0[i] = agi;
     o1[i] = k1 * s1[i] + k2 * (delta * delta);
     po[i] = pi + k0 * delta;)

// ------------------------------------------------------------------------------------- Adamax
// k: lr, a1 = 1−β1, β2, ε, c = 1−β1ᵗ. Slots: momentum, norm.
RULE(adamax,
     R mi = s0[i] + (gi - s0[i]) * k1;
     R decayed = k2 * s1[i];
     R magnitude = __builtin_elementwise_abs(gi);
     R ui = SMAX(decayed, magnitude);
     o0[i] = mi;
     o1[i] = ui;
     po[i] = pi - (k0 * mi) / (k4 * (ui + k3));)

// -------------------------------------------------------------------------------------- Nadam
// k: lr, a1, a2, ε, cM, cG, vScale
RULE(nadam,
     R mi = s0[i] + (gi - s0[i]) * k1;
     R vi = s1[i] + (gi * gi - s1[i]) * k2;
     o0[i] = mi;
     o1[i] = vi;
     R mHat = k4 * mi + k5 * gi;
     po[i] = pi - (mHat * k0) / (ROOT(vi * k6) + k3);)

// --------------------------------------------------------------------------------------- Lion
// k: lr, β1, a1 = 1−β1, β2, a2 = 1−β2
RULE(lion,
     R c = s0[i] * k1 + gi * k2;
     R sign = c > 0 ? (R)1 : (c < 0 ? (R)-1 : (R)0);
     po[i] = pi - k0 * sign;
     o0[i] = s0[i] * k3 + gi * k4;)

// --------------------------------------------------------------------------------------- Ftrl
// k: lr, c = −learning_rate_power, s2 = 2·l2_shrinkage, l1, q = 2·(l2 + β/(2·lr)).
// Slots: accumulator, linear. `POWER(x)` is x^c.
#define FTRL_RULE(POWER)                                                                           \
     R ai = s0[i];                                                                                 \
     R na = ai + gi * gi;                                                                          \
     R pn = POWER(na);                                                                             \
     R pa = POWER(ai);                                                                             \
     R gu = gi + k2 * pi;                                                                          \
     R li = s1[i] + (gu - ((pn - pa) / k0) * pi);                                                  \
     R quadratic = pn / k0 + k4;                                                                   \
     R low = SMAX(li, -k3);                                                                        \
     R clipped = SMIN(low, k3);                                                                    \
     o0[i] = na;                                                                                   \
     o1[i] = li;                                                                                   \
     po[i] = (clipped - li) / quadratic;
#define FTRL_POW(x) __builtin_elementwise_pow((x), k1)
#define FTRL_SQRT(x) __builtin_elementwise_sqrt(x)
RULE(ftrl, FTRL_RULE(FTRL_POW))
RULE(ftrl_sqrt, FTRL_RULE(FTRL_SQRT))

#define DISPATCH(kind, name)                                                                       \
    case kind:                                                                                     \
        if (a->f64) name##_f64(a); else name##_f32(a);                                             \
        return;

static void update(keras_optimizer_kind kind, const keras_optimizer_args *a) {
    switch (kind) {
        DISPATCH(KERAS_SGD, sgd)
        DISPATCH(KERAS_SGD_MOMENTUM, sgd_momentum)
        DISPATCH(KERAS_SGD_NESTEROV, sgd_nesterov)
        DISPATCH(KERAS_ADAM, adam)
        DISPATCH(KERAS_ADAM_AMSGRAD, adam_amsgrad)
        DISPATCH(KERAS_RMSPROP, rmsprop)
        DISPATCH(KERAS_RMSPROP_MOMENTUM, rmsprop_momentum)
        DISPATCH(KERAS_RMSPROP_CENTERED, rmsprop_centered)
        DISPATCH(KERAS_RMSPROP_MOMENTUM_CENTERED, rmsprop_momentum_centered)
        DISPATCH(KERAS_ADAGRAD, adagrad)
        DISPATCH(KERAS_ADADELTA, adadelta)
        DISPATCH(KERAS_ADAMAX, adamax)
        DISPATCH(KERAS_NADAM, nadam)
        DISPATCH(KERAS_LION, lion)
        DISPATCH(KERAS_FTRL, ftrl)
        DISPATCH(KERAS_FTRL_SQRT, ftrl_sqrt)
    }
}

// Subnormal inputs and results count as zero during an update (MXCSR's DAZ and FTZ bits, set on
// the calling thread and restored after), as TensorFlow and XLA compute on CPU. A slot decaying
// toward zero (the momentum of a unit whose gradient stays 0) then becomes 0 rather than a
// subnormal, on which vector arithmetic takes microcode assists: in `keras-bench mlp` fit, 99%
// of the first kernel's momentum was subnormal after an epoch, and the Adam update ran 3× slower.
void keras_optimizer_update(keras_optimizer_kind kind, const keras_optimizer_args *a) {
#if defined(__SSE__)
    const unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u);
    update(kind, a);
    _mm_setcsr(csr);
#else
    update(kind, a);
#endif
}
