// Matrix transposes in C: 16 × 16 blocks through registers (vector16.h), scalar edges.
#include "transpose.h"
#include "vector16.h"

KERAS_CLONES
void keras_transpose_f32(size_t rows, size_t cols, const float *x, size_t ldx, float *xt, size_t ldt) {
    size_t i = 0;
    for (; i + 16 <= rows; i += 16) {
        size_t j = 0;
        for (; j + 16 <= cols; j += 16) transpose16(x + i * ldx + j, ldx, xt + j * ldt + i, ldt);
        for (; j < cols; j++)
            for (size_t r = i; r < i + 16; r++) xt[j * ldt + r] = x[r * ldx + j];
    }
    for (; i < rows; i++)
        for (size_t j = 0; j < cols; j++) xt[j * ldt + i] = x[i * ldx + j];
}
