// Shared by the kernel files (not part of the module's public headers): the Cephes expf
// polynomial, e^r ≈ 1 + r + r²·P(r) on the Cody–Waite-reduced argument r (|r| ≤ ln2/2), written
// once for the scalar k_exp (fastmath.h, the twin of Swift's `fastExp`) and the vector
// vexp_nonpositive (vector16.h). One expression on a float or a 16-float vector; each file's
// fp-contract setting decides whether its multiply-adds fuse.
#ifndef SWIFT_KERAS_EXPF_H
#define SWIFT_KERAS_EXPF_H

#define EXPF_POLYNOMIAL(r, r2)                                                                      \
    ((((((1.9875691500e-4f * (r) + 1.3981999507e-3f) * (r) + 8.3334519073e-3f) * (r) +             \
        4.1665795894e-2f) * (r) + 1.6666665459e-1f) * (r) + 5.0000001201e-1f) * (r2) + (r) + 1.0f)

#endif
