#ifndef SWIFT_KERAS_TRANSPOSE_H
#define SWIFT_KERAS_TRANSPOSE_H

#include <stddef.h>

/// `xt[j·ldt + i] = x[i·ldx + j]` for the `rows × cols` matrix `x`: 16 × 16 blocks through
/// vector registers, scalar loops at the edges.
void keras_transpose_f32(size_t rows, size_t cols, const float *x, size_t ldx, float *xt, size_t ldt);

#endif
