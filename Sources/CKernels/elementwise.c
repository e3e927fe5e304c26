// Elementwise exp, sigmoid and tanh over float32 buffers (the Swift formulas, fastmath.h), and
// the sum, difference and product of two, in loops the compiler vectorizes for the clone's
// vector width, where Swift's own loops are built for baseline x86-64 (4 lanes).
#include "ckernels.h"
#include "fastmath.h"

KERAS_CLONES
void keras_exp_f32(size_t n, const float *x, float *y) {
#pragma clang loop vectorize(assume_safety)
    for (size_t i = 0; i < n; i++) y[i] = k_exp(x[i]);
}

KERAS_CLONES
void keras_sigmoid_f32(size_t n, const float *x, float *y) {
#pragma clang loop vectorize(assume_safety)
    for (size_t i = 0; i < n; i++) y[i] = k_sigmoid(x[i]);
}

KERAS_CLONES
void keras_tanh_f32(size_t n, const float *x, float *y) {
#pragma clang loop vectorize(assume_safety)
    for (size_t i = 0; i < n; i++) y[i] = k_tanh(x[i]);
}

KERAS_CLONES
void keras_binary_f32(keras_binary_op op, size_t n, const float *a, const float *b, float *y) {
    switch (op) {
    case KERAS_BINARY_ADD:
#pragma clang loop vectorize(assume_safety)
        for (size_t i = 0; i < n; i++) y[i] = a[i] + b[i];
        break;
    case KERAS_BINARY_SUBTRACT:
#pragma clang loop vectorize(assume_safety)
        for (size_t i = 0; i < n; i++) y[i] = a[i] - b[i];
        break;
    case KERAS_BINARY_MULTIPLY:
#pragma clang loop vectorize(assume_safety)
        for (size_t i = 0; i < n; i++) y[i] = a[i] * b[i];
        break;
    }
}
