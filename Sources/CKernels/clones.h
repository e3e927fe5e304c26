// Shared by the kernel files (not part of the module's public headers): each exported kernel is
// compiled for AVX-512, AVX2 and baseline x86-64, and the loader picks the best the CPU has;
// helpers are always inlined into those clones, so they get the clone's vector width too.
#ifndef SWIFT_KERAS_CLONES_H
#define SWIFT_KERAS_CLONES_H

#if defined(__x86_64__)
#define KERAS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define KERAS_CLONES
#endif

#define INLINE static inline __attribute__((always_inline))

#endif
