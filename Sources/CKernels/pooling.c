// Max pooling over channels-last float32 buffers, compiled for the widest vectors the CPU has
// (AVX-512 / AVX2 / baseline x86-64, picked at load time). Swift's SIMD code for the same loop
// is built for baseline x86-64 and spends most of its time converting comparison masks.
#include "ckernels.h"

#if defined(__x86_64__)
#define KERAS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KERAS_CLONES
#endif

// `v` replaces the running maximum `b` when larger, or when it is NaN and `b` is not: NaN wins,
// and among equal values the first position keeps its place.
#define TAKES(v, b) ((v) > (b) || ((v) != (v) && (b) == (b)))

KERAS_CLONES
void keras_max_pool_f32(size_t rows, size_t channels, const float *restrict x, const ptrdiff_t *restrict starts,
                        const ptrdiff_t *restrict positions, float *restrict y, int32_t *restrict argmax) {
    const size_t C = channels;
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
