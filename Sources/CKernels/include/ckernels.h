#ifndef SWIFT_KERAS_CKERNELS_H
#define SWIFT_KERAS_CKERNELS_H

#include <stddef.h>

/// Adam's float32 update over `n` elements (no clipping, no weight decay):
///   m' = m + (g − m)·a1;  v' = v + (g² − v)·a2;  p' = p − (m'·alpha) / (√v' + eps)
/// Compiled for AVX-512, AVX2 and baseline x86-64; the loader picks the best the CPU has.
void keras_adam_f32(size_t n, const float *p, const float *g, const float *m, const float *v,
                    float *p_out, float *m_out, float *v_out,
                    float alpha, float a1, float a2, float eps);

/// RMSprop's float32 update over `n` elements (no momentum, not centered, no clipping or decay):
///   v' = rho·v + rho1·g²;  p' = p − (lr·g) / √(v' + eps)
void keras_rmsprop_f32(size_t n, const float *p, const float *g, const float *v,
                       float *p_out, float *v_out, float lr, float rho, float rho1, float eps);

#endif
