// Max and average pooling over channels-last float32 buffers, compiled for the widest vectors the CPU has
// (AVX-512 / AVX2 / baseline x86-64, picked at load time). Swift's SIMD code for the same loop
// is built for baseline x86-64 and spends most of its time converting comparison masks.
#include "ckernels.h"
#include "clones.h"
#include <string.h>

// No fused multiply-adds: the results round exactly as the Swift loops (and the float64 path).
#pragma clang fp contract(off)

// `v` replaces the running maximum `b` when larger, or when it is NaN and `b` is not: NaN wins,
// and among equal values the first position keeps its place.
#define TAKES(v, b) ((v) > (b) || ((v) != (v) && (b) == (b)))

// The maximum of each window for `blocks` blocks of 16 channels, into channels-last `y`
// (`blocks · 16` per row): block `b` of input position `p` starts at
// `x + b · block_stride + p · position_stride`. The running maximum stays in registers across the
// window. It is first taken with a plain comparison (one `max` a vector, the same result as
// TAKES when there is no NaN) while the window's values are summed; a NaN sum (a NaN in the
// window, or infinities of both signs) sends the block to the NaN-aware loop, which decides.
INLINE void max_pool_blocks(size_t rows, size_t blocks, const float *restrict x, size_t block_stride,
                            size_t position_stride, const ptrdiff_t *restrict starts,
                            const ptrdiff_t *restrict positions, float *restrict y) {
    const size_t C = blocks * 16;
    for (size_t row = 0; row < rows; row++) {
        const ptrdiff_t k0 = starts[row], k1 = starts[row + 1];
        for (size_t b = 0; b < blocks; b++) {
            float best[16], sum[16];
            const float *restrict block = x + b * block_stride;
            const float *restrict src0 = block + positions[k0] * position_stride;
            for (size_t c = 0; c < 16; c++) best[c] = sum[c] = src0[c];
            for (ptrdiff_t k = k0 + 1; k < k1; k++) {
                const float *restrict src = block + positions[k] * position_stride;
                for (size_t c = 0; c < 16; c++) {
                    const float v = src[c], m = best[c];
                    best[c] = v > m ? v : m;
                    sum[c] += v;
                }
            }
            int finite = 1;
            for (size_t c = 0; c < 16; c++) finite &= sum[c] == sum[c];
            if (!finite) {
                for (size_t c = 0; c < 16; c++) best[c] = src0[c];
                for (ptrdiff_t k = k0 + 1; k < k1; k++) {
                    const float *restrict src = block + positions[k] * position_stride;
                    for (size_t c = 0; c < 16; c++) {
                        const float v = src[c], m = best[c];
                        best[c] = TAKES(v, m) ? v : m;
                    }
                }
            }
            float *restrict dst = y + row * C + b * 16;
            for (size_t c = 0; c < 16; c++) dst[c] = best[c];
        }
    }
}

KERAS_CLONES
void keras_max_pool_f32(size_t rows, size_t channels, const float *restrict x, const ptrdiff_t *restrict starts,
                        const ptrdiff_t *restrict positions, float *restrict y, int32_t *restrict argmax) {
    const size_t C = channels;
    if (!argmax && C % 16 == 0) {
        max_pool_blocks(rows, C / 16, x, 16, C, starts, positions, y);
        return;
    }
    for (size_t row = 0; row < rows; row++) {
        float *restrict best = y + row * C;
        const ptrdiff_t first = positions[starts[row]];
        const float *restrict src0 = x + first * C;
        for (size_t c = 0; c < C; c++) best[c] = src0[c];
        if (argmax) {
            int32_t *restrict index = argmax + row * C;
            const int32_t base0 = (int32_t)(first * C);
            for (size_t c = 0; c < C; c++) index[c] = base0 + (int32_t)c;
            for (ptrdiff_t k = starts[row] + 1; k < starts[row + 1]; k++) {
                const float *restrict src = x + positions[k] * C;
                const int32_t base = (int32_t)(positions[k] * C);
                for (size_t c = 0; c < C; c++) {
                    const float v = src[c], b = best[c];
                    const int take = TAKES(v, b);
                    best[c] = take ? v : b;
                    index[c] = take ? base + (int32_t)c : index[c];
                }
            }
        } else {
            for (ptrdiff_t k = starts[row] + 1; k < starts[row + 1]; k++) {
                const float *restrict src = x + positions[k] * C;
                for (size_t c = 0; c < C; c++) {
                    const float v = src[c], b = best[c];
                    best[c] = TAKES(v, b) ? v : b;
                }
            }
        }
    }
}

KERAS_CLONES
void keras_max_pool_blocked_f32(size_t rows, size_t channels, size_t input_positions, const float *restrict x,
                                const ptrdiff_t *restrict starts, const ptrdiff_t *restrict positions, float *restrict y) {
    max_pool_blocks(rows, channels / 16, x, input_positions * 16, 16, starts, positions, y);
}

// The backward pass of max pooling for one sample: `dx` (`inputs` elements) is zeroed, then each
// of the `outputs` gradients in `dy` is added at the input index `argmax` recorded for it.
KERAS_CLONES
void keras_max_pool_backward_f32(size_t outputs, size_t inputs, const int32_t *restrict argmax,
                                 const float *restrict dy, float *restrict dx) {
    memset(dx, 0, inputs * sizeof(float));
    for (size_t i = 0; i < outputs; i++) dx[argmax[i]] += dy[i];
}

// The mean of each window of one channels-last sample: the window's inputs summed in order, then
// multiplied by the reciprocal of their count (the rounding of the Swift loop it replaces).
KERAS_CLONES
void keras_average_pool_f32(size_t rows, size_t channels, const float *restrict x, const ptrdiff_t *restrict starts,
                            const ptrdiff_t *restrict positions, float *restrict y) {
    const size_t C = channels;
    for (size_t row = 0; row < rows; row++) {
        float *restrict dst = y + row * C;
        for (size_t c = 0; c < C; c++) dst[c] = 0;
        for (ptrdiff_t k = starts[row]; k < starts[row + 1]; k++) {
            const float *restrict src = x + positions[k] * C;
            for (size_t c = 0; c < C; c++) dst[c] += src[c];
        }
        const float scale = 1.0f / (float)(starts[row + 1] - starts[row]);
        for (size_t c = 0; c < C; c++) dst[c] *= scale;
    }
}

// The backward pass of average pooling for one sample: `dx` (`inputs` elements) is zeroed, then
// each window's gradient times the reciprocal of its count is added to every input it read.
KERAS_CLONES
void keras_average_pool_backward_f32(size_t rows, size_t channels, size_t inputs, const ptrdiff_t *restrict starts,
                                     const ptrdiff_t *restrict positions, const float *restrict dy, float *restrict dx) {
    const size_t C = channels;
    memset(dx, 0, inputs * sizeof(float));
    for (size_t row = 0; row < rows; row++) {
        const float scale = 1.0f / (float)(starts[row + 1] - starts[row]);
        const float *restrict grad = dy + row * C;
        for (ptrdiff_t k = starts[row]; k < starts[row + 1]; k++) {
            float *restrict dst = dx + positions[k] * C;
            for (size_t c = 0; c < C; c++) dst[c] += grad[c] * scale;
        }
    }
}
