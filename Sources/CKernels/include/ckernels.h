#ifndef SWIFT_KERAS_CKERNELS_H
#define SWIFT_KERAS_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The update rules ``keras_optimizer_update`` runs, one per optimizer variant.
typedef enum keras_optimizer_kind {
    KERAS_SGD,                       ///< p' = p − g·lr                                     k: lr
    KERAS_SGD_MOMENTUM,              ///< m' = m·μ − g·lr; p' = p + m'                       k: lr, μ
    KERAS_SGD_NESTEROV,              ///< m' = m·μ − g·lr; p' = p + (m'·μ − g·lr)            k: lr, μ
    KERAS_ADAM,                      ///< m' = m + (g − m)·a1; v' = v + (g² − v)·a2; p' = p − (m'·α)/(√v' + ε)   k: α, a1, a2, ε
    KERAS_ADAM_AMSGRAD,              ///< Adam with v̂' = max(v̂, v') in place of v'          k: α, a1, a2, ε
    KERAS_RMSPROP,                   ///< v' = ρv + ρ1·g²; p' = p − (lr·g)/√(v' + ε)         k: lr, ρ, ρ1, μ, ε
    KERAS_RMSPROP_MOMENTUM,          ///< …; m' = μm + (lr·g)/√(v' + ε); p' = p − m'
    KERAS_RMSPROP_CENTERED,          ///< …; a' = ρa + ρ1·g; the root of (v' − a'² + ε)
    KERAS_RMSPROP_MOMENTUM_CENTERED, ///< both
    KERAS_ADAGRAD,                   ///< a' = a + g²; p' = p − (lr·g)/√(a' + ε)             k: lr, ε
    KERAS_ADADELTA,                  ///< Keras's Adadelta                                    k: lr, ρ, ρ1, ε
    KERAS_ADAMAX,                    ///< m' = m + (g − m)·a1; u' = max(β2·u, |g|); p' = p − (lr·m')/(c·(u' + ε))   k: lr, a1, β2, ε, c
    KERAS_NADAM,                     ///< Keras's Nadam                                       k: lr, a1, a2, ε, cM, cG, vScale
    KERAS_LION,                      ///< p' = p − lr·sign(m·β1 + g·a1); m' = m·β2 + g·a2     k: lr, β1, a1, β2, a2
    KERAS_FTRL,                      ///< Keras's Ftrl: n' = n + g²; z' = z + (g + s2·p) − ((n'^c − n^c)/lr)·p; p' = (clip(z', ±l1) − z')/(n'^c/lr + q)   k: lr, c, s2, l1, q
    KERAS_FTRL_SQRT,                 ///< KERAS_FTRL with c = ½ (the default `learning_rate_power` −0.5): √ in place of pow
} keras_optimizer_kind;

/// One update's buffers and scalars. `grad = min(max(g·scale, −clip), clip)` and the weight
/// after decoupled decay `p − p·decay` are what the rules read as `g` and `p`; with `scale` 1,
/// `clip` +∞ and `decay` 0 the raw `g` and `p` are read instead. Slots are the optimizer's slot
/// variables in its `slotGroups` order. Every pointer is to `float`, or to `double` when `f64`
/// is set; the scalars `k` are rounded to that type first (pass them already rounded). With
/// `p_out == p` the update runs in place, and then every `slot_out[k]` must equal `slot[k]`.
typedef struct keras_optimizer_args {
    size_t n;
    int f64;
    const void *p;
    const void *g;
    const void *slot[3];
    void *p_out;
    void *slot_out[3];
    double scale, clip, decay;
    double k[8];
} keras_optimizer_args;

/// Runs `kind`'s update over `args->n` elements, in Keras's operation order and without fused
/// multiply-adds (the same rounding as the Swift formulas). Compiled for AVX-512, AVX2 and
/// baseline x86-64; the loader picks the best the CPU has.
/// Subnormal values count as zero during the update (flush-to-zero and denormals-are-zero on the
/// calling thread, restored after), as TensorFlow and XLA compute on CPU.
void keras_optimizer_update(keras_optimizer_kind kind, const keras_optimizer_args *args);

/// The float32 maximum of each pooling window of one channels-last sample `x` (`channels` per
/// position) into `y`: output row `r` reads input positions `positions[starts[r] ..< starts[r + 1]]`
/// (at least one). NaN wins; among equal values the first position does. With `argmax`, also
/// the flat index into `x` (position · channels + channel) of each output's maximum.
void keras_max_pool_f32(size_t rows, size_t channels, const float *x, const ptrdiff_t *starts,
                        const ptrdiff_t *positions, float *y, int32_t *argmax);

/// ``keras_max_pool_f32`` without `argmax` for one sample `x` in a 16-channel blocked layout
/// (oneDNN's `nChw16c`: for each block of 16 channels, `input_positions` positions of 16 values),
/// written channels-last to `y`; `channels` is a multiple of 16.
void keras_max_pool_blocked_f32(size_t rows, size_t channels, size_t input_positions, const float *x,
                                const ptrdiff_t *starts, const ptrdiff_t *positions, float *y);

/// The backward pass of ``keras_max_pool_f32`` for one sample: zeroes `dx` (`inputs` elements),
/// then adds each of the `outputs` gradients `dy[i]` at `dx[argmax[i]]`.
void keras_max_pool_backward_f32(size_t outputs, size_t inputs, const int32_t *argmax, const float *dy, float *dx);

/// The float32 mean of each pooling window of one channels-last sample (windows as in
/// ``keras_max_pool_f32``): the inputs summed in window order, times the reciprocal of their count.
void keras_average_pool_f32(size_t rows, size_t channels, const float *x, const ptrdiff_t *starts,
                            const ptrdiff_t *positions, float *y);

/// The backward pass of ``keras_average_pool_f32`` for one sample: zeroes `dx` (`inputs`
/// elements), then adds each window's gradient times the reciprocal of its count to its inputs.
void keras_average_pool_backward_f32(size_t rows, size_t channels, size_t inputs, const ptrdiff_t *starts,
                                     const ptrdiff_t *positions, const float *dy, float *dx);

/// `y[i] = e^{x[i]}`, `σ(x[i])` or `tanh(x[i])` for `n` floats (`y` may equal `x`), rounding as
/// Swift's `fastExp`, `fastSigmoid` and `fastTanh` do, bit for bit.
void keras_exp_f32(size_t n, const float *x, float *y);
void keras_sigmoid_f32(size_t n, const float *x, float *y);
void keras_tanh_f32(size_t n, const float *x, float *y);

/// The binary ops ``keras_binary_f32`` computes.
typedef enum {
    KERAS_BINARY_ADD = 0,
    KERAS_BINARY_SUBTRACT = 1,
    KERAS_BINARY_MULTIPLY = 2,
} keras_binary_op;

/// `y[i] = a[i] op b[i]` for `n` floats (`y` may equal `a` or `b`), each one IEEE operation.
void keras_binary_f32(keras_binary_op op, size_t n, const float *a, const float *b, float *y);

#endif
