#ifndef SWIFT_KERAS_CPU_H
#define SWIFT_KERAS_CPU_H

/// A spin-wait hint (x86 `pause`): the core idles briefly and gives its pipeline to a sibling
/// hyperthread while a worker waits for work.
static inline void keras_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
