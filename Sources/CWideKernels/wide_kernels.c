#include "wide_kernels.h"

#if defined(__x86_64__) && !defined(DNB_NO_WIDE)
#include <immintrin.h>

bool dnb_wide_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

#define WIDE __attribute__((target("avx512f,fma"), always_inline)) static inline

/// The terms of a product: `segments` runs of `length` terms; term p of
/// segment g reads A at g·segment_stride + p·column_stride (plus the row's
/// offset) and B at row g·length + p.
typedef struct {
    long segments, length, segment_stride, column_stride;
    /// When set, term p reads A at term_offsets[p] instead (one segment).
    const long *term_offsets;
    /// Epilogue: when set, C = sum + bias[j]; with `relu`, then (0 >= C ? +0 : C).
    const float *bias;
    bool relu;
} Terms;

/// The epilogue on one vector of sums (columns j.., lanes in m).
__attribute__((target("avx512f,fma"), always_inline)) static inline __m512 finish(Terms t, __m512 s, long j,
                                                                                    __mmask16 m) {
    if (t.bias) s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(m, t.bias + j));
    if (t.relu) {
        __m512 zero = _mm512_setzero_ps();
        s = _mm512_mask_mov_ps(s, _mm512_cmp_ps_mask(zero, s, _CMP_GE_OQ), zero);
    }
    return s;
}

/// Rows `R` (≤ 6) of C, the 16-lane column vectors at j0 and j1, lanes
/// outside m0 and m1 neither read nor written: 2·R chains per lane. Row r
/// of A starts at a[r] (rows apart by a stride, or convolution windows).
#define TILE(R)                                                                                                      \
    WIDE void tile##R(Terms t, const float *const *a, const float *b, long ldb, float *c, long ldc, long j0,        \
                      long j1, __mmask16 m0, __mmask16 m1, bool accumulate) {                                       \
        __m512 s0[R], s1[R];                                                                                         \
        for (int r = 0; r < R; r++) {                                                                                \
            s0[r] = accumulate ? _mm512_maskz_loadu_ps(m0, c + r * ldc + j0) : _mm512_setzero_ps();                  \
            s1[r] = accumulate ? _mm512_maskz_loadu_ps(m1, c + r * ldc + j1) : _mm512_setzero_ps();                  \
        }                                                                                                            \
        for (long g = 0; g < t.segments; g++) {                                                                      \
            const float *bs = b + g * t.length * ldb;                                                                \
            for (long p = 0; p < t.length; p++) {                                                                    \
                const float *row = bs + p * ldb;                                                                     \
                __m512 b0 = _mm512_maskz_loadu_ps(m0, row + j0), b1 = _mm512_maskz_loadu_ps(m1, row + j1);           \
                long at = t.term_offsets ? t.term_offsets[p] : g * t.segment_stride + p * t.column_stride;           \
                for (int r = 0; r < R; r++) {                                                                        \
                    __m512 x = _mm512_set1_ps(a[r][at]);                                                             \
                    s0[r] = _mm512_fmadd_ps(x, b0, s0[r]);                                                           \
                    s1[r] = _mm512_fmadd_ps(x, b1, s1[r]);                                                           \
                }                                                                                                    \
            }                                                                                                        \
        }                                                                                                            \
        for (int r = 0; r < R; r++) {                                                                                \
            _mm512_mask_storeu_ps(c + r * ldc + j0, m0, finish(t, s0[r], j0, m0));                                   \
            _mm512_mask_storeu_ps(c + r * ldc + j1, m1, finish(t, s1[r], j1, m1));                                   \
        }                                                                                                            \
    }

TILE(6)
TILE(3)
TILE(1)

/// Rows `R` of C, one 16-lane column vector at j0 (lanes outside m0 masked):
/// a last vector with no partner, without a second vector's wasted work.
#define SINGLE(R)                                                                                                    \
    WIDE void single##R(Terms t, const float *const *a, const float *b, long ldb, float *c, long ldc, long j0,      \
                        __mmask16 m0, bool accumulate) {                                                            \
        __m512 s0[R];                                                                                                \
        for (int r = 0; r < R; r++)                                                                                  \
            s0[r] = accumulate ? _mm512_maskz_loadu_ps(m0, c + r * ldc + j0) : _mm512_setzero_ps();                  \
        for (long g = 0; g < t.segments; g++) {                                                                      \
            const float *bs = b + g * t.length * ldb;                                                                \
            for (long p = 0; p < t.length; p++) {                                                                    \
                __m512 b0 = _mm512_maskz_loadu_ps(m0, bs + p * ldb + j0);                                            \
                long at = t.term_offsets ? t.term_offsets[p] : g * t.segment_stride + p * t.column_stride;           \
                for (int r = 0; r < R; r++) s0[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r][at]), b0, s0[r]);            \
            }                                                                                                        \
        }                                                                                                            \
        for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(c + r * ldc + j0, m0, finish(t, s0[r], j0, m0));           \
    }

SINGLE(6)
SINGLE(3)
SINGLE(1)

/// `TILE_CALL` over pairs of 16-lane vectors covering 0..<n; the last pair's
/// lanes past n are masked off (no overlap, so continued chains stay right).
#define COLUMN_PAIRS(TILE_CALL, SINGLE_CALL)                                                                                      \
    do {                                                                                                             \
        for (long j = 0; j < n; j += 32) {                                                                           \
            long rest = n - j, j0 = j, j1 = j + 16;                                                                  \
            __mmask16 m0 = rest >= 16 ? 0xFFFF : (__mmask16)((1u << rest) - 1);                                      \
            __mmask16 m1 = rest >= 32 ? 0xFFFF : rest > 16 ? (__mmask16)((1u << (rest - 16)) - 1) : 0;               \
            if (m1) {                                                                                                \
                TILE_CALL;                                                                                           \
            } else {                                                                                                 \
                SINGLE_CALL;                                                                                         \
            }                                                                                                        \
        }                                                                                                            \
    } while (0)

/// All rows of C over the terms `t` (continuing the chains when `accumulate`);
/// row i of A starts at a + offsets[i], or a + i·rs without offsets.
__attribute__((target("avx512f,fma"))) static void rows_over_terms(long m, long n, Terms t, const float *a, long rs,
                                                                   const long *offsets, const float *b, long ldb,
                                                                   float *c, long ldc, bool accumulate) {
    const float *rows[6];
#define ROWS(R)                                                                                                      \
    for (int r = 0; r < R; r++) rows[r] = offsets ? a + offsets[i + r] : a + (i + r) * rs
    long i = 0;
    for (; m - i >= 6; i += 6) {
        ROWS(6);
        COLUMN_PAIRS(tile6(t, rows, b, ldb, c + i * ldc, ldc, j0, j1, m0, m1, accumulate),
                     single6(t, rows, b, ldb, c + i * ldc, ldc, j0, m0, accumulate));
    }
    if (m - i >= 3) {
        ROWS(3);
        COLUMN_PAIRS(tile3(t, rows, b, ldb, c + i * ldc, ldc, j0, j1, m0, m1, accumulate),
                     single3(t, rows, b, ldb, c + i * ldc, ldc, j0, m0, accumulate));
        i += 3;
    }
    for (; i < m; i++) {
        ROWS(1);
        COLUMN_PAIRS(tile1(t, rows, b, ldb, c + i * ldc, ldc, j0, j1, m0, m1, accumulate),
                     single1(t, rows, b, ldb, c + i * ldc, ldc, j0, m0, accumulate));
    }
#undef ROWS
}

/// Terms in blocks whose rows of B stay in the L1 cache (about 24 KB) while
/// every row tile reads them; each block continues the chains the one before
/// left in C: the same operations, in the same order, as one pass.
__attribute__((target("avx512f,fma"))) void dnb_wide_product(long m, long n, long k, const float *a, long rs,
                                                               long cs, const float *b, long ldb, float *c,
                                                               long ldc, bool accumulate) {
    long block = 6144 / (n > 0 ? n : 1);
    if (block < 32) block = 32;
    if (k <= block) { /* also k = 0: C from +0 is zeros */
        Terms t = {1, k, 0, cs, NULL, NULL, false};
        rows_over_terms(m, n, t, a, rs, NULL, b, ldb, c, ldc, accumulate);
        return;
    }
    for (long p = 0; p < k; p += block) {
        long count = k - p < block ? k - p : block;
        Terms t = {1, count, 0, cs, NULL, NULL, false};
        rows_over_terms(m, n, t, a + p * cs, rs, NULL, b + p * ldb, ldb, c, ldc, accumulate || p > 0);
    }
}

/// C (m×n) = Σ_g A_g·B_g from +0, A's row i at a + row_offsets[i]: each
/// tile keeps its chains in registers across all `segments·length` terms,
/// then adds the bias and applies relu before its one store.
__attribute__((target("avx512f,fma"))) void dnb_wide_window_product(long m, long n, long segments, long length,
                                                                      const float *a, const long *row_offsets,
                                                                      long segment_stride, const float *b, long ldb,
                                                                      float *c, long ldc, const float *bias,
                                                                      bool relu) {
    Terms t = {segments, length, segment_stride, 1, NULL, bias, relu};
    rows_over_terms(m, n, t, a, 0, row_offsets, b, ldb, c, ldc, false);
}

/// G 2×2 pooling windows of a convolution's output (4·G rows of C: each
/// window's four positions in (dy, dx) order, as max pooling reads them;
/// row r is position pos[r]), V 16-lane column vectors at j0 (and j1):
/// each position's sums with the epilogue, then each window's first
/// maximum, compared with `>` (a NaN wins only in first place), stored to
/// row w of `out`; with K (1), the winner's index pos·n + column to `argmax`.
#define POOLED(G, V, K)                                                                                               \
    WIDE void pooled##G##_##V##_##K(Terms t, const float *const *a, const long *pos, const float *b, long ldb,       \
                              float *out, int *argmax, long ldc, long j0, long j1, __mmask16 m0, __mmask16 m1) {    \
        const long js[2] = {j0, j1};                                                                                 \
        const __mmask16 ms[2] = {m0, m1};                                                                            \
        const __m512i lanes = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);                \
        __m512 s[V][4 * G];                                                                                          \
        _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                                                                  \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < 4 * G; r++) s[v][r] = _mm512_setzero_ps();                                           \
        for (long g = 0; g < t.segments; g++) {                                                                      \
            const float *bs = b + g * t.length * ldb;                                                                \
            for (long p = 0; p < t.length; p++) {                                                                    \
                const float *row = bs + p * ldb;                                                                     \
                __m512 bv[V];                                                                                        \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) bv[v] = _mm512_maskz_loadu_ps(ms[v], row + js[v]);                       \
                long at = g * t.segment_stride + p;                                                                  \
                _Pragma("clang loop unroll(full)") for (int r = 0; r < 4 * G; r++) {                                                                    \
                    __m512 x = _mm512_set1_ps(a[r][at]);                                                             \
                    _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) s[v][r] = _mm512_fmadd_ps(x, bv[v], s[v][r]);                        \
                }                                                                                                    \
            }                                                                                                        \
        }                                                                                                            \
        _Pragma("clang loop unroll(full)") for (int w = 0; w < G; w++) {                                                                                \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) {                                                                            \
                __m512 best = finish(t, s[v][4 * w], js[v], ms[v]);                                                  \
                __m512i index = _mm512_add_epi32(_mm512_set1_epi32((int)(pos[4 * w] * ldc + js[v])), lanes);         \
                _Pragma("clang loop unroll(full)") for (int r = 1; r < 4; r++) {                                                                        \
                    __m512 value = finish(t, s[v][4 * w + r], js[v], ms[v]);                                         \
                    __mmask16 larger = _mm512_cmp_ps_mask(value, best, _CMP_GT_OQ);                                  \
                    best = _mm512_mask_mov_ps(best, larger, value);                                                  \
                    if (K)                                                                                           \
                        index = _mm512_mask_mov_epi32(                                                               \
                            index, larger,                                                                           \
                            _mm512_add_epi32(_mm512_set1_epi32((int)(pos[4 * w + r] * ldc + js[v])), lanes));        \
                }                                                                                                    \
                _mm512_mask_storeu_ps(out + w * ldc + js[v], ms[v], best);                                           \
                if (K) _mm512_mask_storeu_epi32(argmax + w * ldc + js[v], ms[v], index);                             \
            }                                                                                                        \
        }                                                                                                            \
    }

POOLED(2, 2, 0)
POOLED(1, 2, 0)
POOLED(2, 1, 0)
POOLED(1, 1, 0)
POOLED(2, 2, 1)
POOLED(1, 2, 1)
POOLED(2, 1, 1)
POOLED(1, 1, 1)

/// A convolution's product with its epilogue and a 2×2 max pooling after
/// it: pooled (ph × pw) × n from the windows of the positions the pooling
/// reads (row_offsets by position, `width` positions a row); the positions
/// no window covers are never computed. Two pooling windows a tile.
__attribute__((target("avx512f,fma"))) void dnb_wide_pooled_window_product(
    long pooled_height, long pooled_width, long width, long n, long segments, long length, const float *a,
    const long *row_offsets, long segment_stride, const float *b, long ldb, float *c, int *argmax, const float *bias,
    bool relu) {
    Terms t = {segments, length, segment_stride, 1, NULL, bias, relu};
    const float *rows[8];
    long pos[8];
    for (long py = 0; py < pooled_height; py++) {
        for (long px = 0; px < pooled_width; px += 2) {
            long windows = pooled_width - px >= 2 ? 2 : 1;
            for (long w = 0; w < windows; w++)
                for (long dy = 0; dy < 2; dy++)
                    for (long dx = 0; dx < 2; dx++) {
                        long r = 4 * w + 2 * dy + dx;
                        pos[r] = (2 * py + dy) * width + 2 * (px + w) + dx;
                        rows[r] = a + row_offsets[pos[r]];
                    }
            long first = (py * pooled_width + px) * n;
            float *out = c + first;
            int *winners = argmax ? argmax + first : NULL;
            /* Separate tiles with and without the places: no test in the epilogue. */
            if (windows == 2 && winners) {
                COLUMN_PAIRS(pooled2_2_1(t, rows, pos, b, ldb, out, winners, n, j0, j1, m0, m1),
                             pooled2_1_1(t, rows, pos, b, ldb, out, winners, n, j0, j0, m0, m0));
            } else if (windows == 2) {
                COLUMN_PAIRS(pooled2_2_0(t, rows, pos, b, ldb, out, NULL, n, j0, j1, m0, m1),
                             pooled2_1_0(t, rows, pos, b, ldb, out, NULL, n, j0, j0, m0, m0));
            } else if (winners) {
                COLUMN_PAIRS(pooled1_2_1(t, rows, pos, b, ldb, out, winners, n, j0, j1, m0, m1),
                             pooled1_1_1(t, rows, pos, b, ldb, out, winners, n, j0, j0, m0, m0));
            } else {
                COLUMN_PAIRS(pooled1_2_0(t, rows, pos, b, ldb, out, NULL, n, j0, j1, m0, m1),
                             pooled1_1_0(t, rows, pos, b, ldb, out, NULL, n, j0, j0, m0, m0));
            }
        }
    }
}

/// C (m×n) ⊕= Aᵀ·B with A[i,p] = a[i + term_offsets[p]] (p < k), B k×n:
/// each C[i,j] continues its chain over p ascending. In blocks of terms
/// whose rows of B stay in L1, as dnb_wide_product.
__attribute__((target("avx512f,fma"))) void dnb_wide_window_gradient(long m, long n, long k, const float *a,
                                                                       const long *term_offsets, const float *b,
                                                                       long ldb, float *c, long ldc) {
    long block = 6144 / (n > 0 ? n : 1);
    if (block < 32) block = 32;
    for (long p = 0; p < k; p += block) {
        long count = k - p < block ? k - p : block;
        Terms t = {1, count, 0, 0, term_offsets + p, NULL, false};
        rows_over_terms(m, n, t, a, 1, NULL, b + p * ldb, ldb, c, ldc, true);
    }
}

/// out[j] (j < n) = the FMA chain over t < count, ascending, from +0, of
/// row[terms[t]]·b[terms[t]·ldb + j]: one row of a product whose A row has
/// only the terms listed (its other terms zero). Twelve 16-lane chains at a
/// time, the last vector masked.
__attribute__((target("avx512f,fma"))) void dnb_wide_sparse_row(long count, const long *terms, const float *row,
                                                                  const float *b, long ldb, float *out, long n) {
    long j = 0;
    for (; n - j >= 192; j += 192) {
        __m512 s[12];
        for (int v = 0; v < 12; v++) s[v] = _mm512_setzero_ps();
        for (long t = 0; t < count; t++) {
            const float *r = b + terms[t] * ldb + j;
            __m512 x = _mm512_set1_ps(row[terms[t]]);
            for (int v = 0; v < 12; v++) s[v] = _mm512_fmadd_ps(x, _mm512_loadu_ps(r + 16 * v), s[v]);
        }
        for (int v = 0; v < 12; v++) _mm512_storeu_ps(out + j + 16 * v, s[v]);
    }
    for (; j < n; j += 64) {
        // Up to four vectors, the lanes past n masked off.
        __mmask16 m[4];
        for (int v = 0; v < 4; v++) {
            long rest = n - j - 16 * v;
            m[v] = rest >= 16 ? 0xFFFF : rest > 0 ? (__mmask16)((1u << rest) - 1) : 0;
        }
        __m512 s[4];
        for (int v = 0; v < 4; v++) s[v] = _mm512_setzero_ps();
        for (long t = 0; t < count; t++) {
            const float *r = b + terms[t] * ldb + j;
            __m512 x = _mm512_set1_ps(row[terms[t]]);
            for (int v = 0; v < 4; v++) s[v] = _mm512_fmadd_ps(x, _mm512_maskz_loadu_ps(m[v], r + 16 * v), s[v]);
        }
        for (int v = 0; v < 4; v++) _mm512_mask_storeu_ps(out + j + 16 * v, m[v], s[v]);
    }
}

/// Sixteen 16-lane chains s = s·x + y, each one FMA a round: sixteen
/// registers in flight, four times Zen 4's latency (4 cycles) × one 512-bit
/// FMA a cycle, and twice Sapphire Rapids' 4 × 2.
__attribute__((target("avx512f,fma"))) float dnb_wide_fma_chains(long rounds) {
    __m512 s[16];
    for (int i = 0; i < 16; i++) s[i] = _mm512_set1_ps(1.0f + (float)i * 1e-3f);
    const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < 16; i++) s[i] = _mm512_fmadd_ps(s[i], x, y);
    }
    __m512 sum = _mm512_setzero_ps();
    for (int i = 0; i < 16; i++) sum = _mm512_add_ps(sum, s[i]);
    return _mm512_reduce_add_ps(sum);
}

#else

bool dnb_wide_available(void) { return false; }

float dnb_wide_fma_chains(long rounds) {
    (void)rounds;
    __builtin_trap(); /* never called: dnb_wide_available() is false */
}

void dnb_wide_product(long m, long n, long k, const float *a, long rs, long cs, const float *b, long ldb, float *c,
                      long ldc, bool accumulate) {
    (void)m, (void)n, (void)k, (void)a, (void)rs, (void)cs, (void)b, (void)ldb, (void)c, (void)ldc, (void)accumulate;
    __builtin_trap(); /* never called: dnb_wide_available() is false */
}

void dnb_wide_sparse_row(long count, const long *terms, const float *row, const float *b, long ldb, float *out, long n) {
    (void)count, (void)terms, (void)row, (void)b, (void)ldb, (void)out, (void)n;
    __builtin_trap(); /* never called: dnb_wide_available() is false */
}

void dnb_wide_window_gradient(long m, long n, long k, const float *a, const long *term_offsets, const float *b, long ldb,
                              float *c, long ldc) {
    (void)m, (void)n, (void)k, (void)a, (void)term_offsets, (void)b, (void)ldb, (void)c, (void)ldc;
    __builtin_trap(); /* never called: dnb_wide_available() is false */
}

void dnb_wide_pooled_window_product(long pooled_height, long pooled_width, long width, long n, long segments,
                                    long length, const float *a, const long *row_offsets, long segment_stride,
                                    const float *b, long ldb, float *c, int *argmax, const float *bias, bool relu) {
    (void)pooled_height, (void)pooled_width, (void)width, (void)n, (void)segments, (void)length, (void)a,
        (void)row_offsets, (void)segment_stride, (void)b, (void)ldb, (void)c, (void)argmax, (void)bias, (void)relu;
    __builtin_trap(); /* never called: dnb_wide_available() is false */
}

void dnb_wide_window_product(long m, long n, long segments, long length, const float *a, const long *row_offsets,
                             long segment_stride, const float *b, long ldb, float *c, long ldc, const float *bias,
                             bool relu) {
    (void)m, (void)n, (void)segments, (void)length, (void)a, (void)row_offsets, (void)segment_stride, (void)b, (void)ldb,
        (void)c, (void)ldc, (void)bias, (void)relu;
    __builtin_trap(); /* never called: dnb_wide_available() is false */
}

#endif
