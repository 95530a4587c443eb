// AVX-512 tiles for the engine's matrix products (ProductKernels.product),
// chosen at run time on CPUs that have AVX-512F. Each element of C is the
// same chain of fused multiply-adds over the shared dimension, ascending, as
// in the 8-lane Swift tiles: only more lanes run at once, so the bits are the
// same on every path (the engine's tests train through both).
#ifndef DNB_WIDE_KERNELS_H
#define DNB_WIDE_KERNELS_H

#include <stdbool.h>

/// Whether this CPU (and OS) runs the AVX-512 tiles; false in a build
/// without them (DNB_NO_WIDE, the portable build).
bool dnb_wide_available(void);

/// C (m×n, ldc) = A·B, A[i,p] = a[i·row_stride + p·column_stride], B k×n
/// row-major (ldb); each C[i,j] one FMA chain over p ascending, from +0 or,
/// with `accumulate`, from the value C holds.
void dnb_wide_product(long m, long n, long k, const float *a, long row_stride, long column_stride, const float *b,
                      long ldb, float *c, long ldc, bool accumulate);

/// C (m×n, ldc) = Σ_g A_g·B_g over g < segments, from +0, where
/// A_g[i,p] = a[row_offsets[i] + g·segment_stride + p] (p < length) and B_g
/// is rows g·length ..< (g+1)·length of B (ldb): each C[i,j] one FMA chain
/// over (g, p) ascending, as dnb_wide_product over the concatenated terms.
/// A convolution's windows read in place: row i is output position i's
/// window, segment g the window's row g. Then, when `bias` is given,
/// C[i,j] = sum + bias[j], and with `relu` (0 >= C ? +0 : C): a Conv2D's
/// bias and activation in the same operations as its separate pass.
void dnb_wide_window_product(long m, long n, long segments, long length, const float *a, const long *row_offsets,
                             long segment_stride, const float *b, long ldb, float *c, long ldc, const float *bias,
                             bool relu);

/// dnb_wide_window_product with its epilogue (bias, relu), then a 2×2 max
/// pooling with stride 2: c (pooled_height·pooled_width × n) holds each
/// window's first maximum over its positions (dy, dx) ascending, compared
/// with `>`, as the pooling layer's own pass compares them, and, when
/// `argmax` is given, the winner's index in the product (position·n + column)
/// at the same place. Rows of the product are positions, `width` a row, row
/// i's window at a + row_offsets[i]; only the positions a pooling window
/// covers are computed.
void dnb_wide_pooled_window_product(long pooled_height, long pooled_width, long width, long n, long segments,
                                    long length, const float *a, const long *row_offsets, long segment_stride,
                                    const float *b, long ldb, float *c, int *argmax, const float *bias, bool relu);

/// C (m×n, ldc) ⊕= Aᵀ·B with A[i,p] = a[i + term_offsets[p]] for p < k and
/// B k×n row-major (ldb): each C[i,j] CONTINUES its FMA chain over p
/// ascending from the value it holds. A convolution's kernel gradient with
/// the windows read in place: term p is output position p.
void dnb_wide_window_gradient(long m, long n, long k, const float *a, const long *term_offsets, const float *b, long ldb,
                              float *c, long ldc);

/// out[j] for j < n = the FMA chain over t < count ascending, from +0, of
/// row[terms[t]]·b[terms[t]·ldb + j]: one row of C = A·B walking only the
/// terms its A row lists (the others zero, so they would change nothing).
void dnb_wide_sparse_row(long count, const long *terms, const float *row, const float *b, long ldb, float *out, long n);

/// For dnb-bench's peak: `rounds` rounds of sixteen independent 16-lane FMA
/// chains (AVX-512, 512 FLOP a round: enough chains to cover the FMA latency
/// times its throughput on current x86 cores); returns a value that depends
/// on every chain, so none is optimised away. Only where
/// dnb_wide_available() is true (it traps otherwise).
float dnb_wide_fma_chains(long rounds);

#endif
