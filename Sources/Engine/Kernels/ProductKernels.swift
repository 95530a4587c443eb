// Matrix products for the convolution layers, in MatrixProduct's defined
// order: every element of C is one chain of fused multiply-adds over the
// shared dimension ascending, vectorised across the columns of C (so each
// lane runs exactly its chain, whatever the vector width).
//
// Shapes: C is M×N, B is K×N, both row-major (ldb, ldc). A zero term
// leaves a chain unchanged (fma(0, b, s) = s for finite b), as in MatrixProduct.
//   multiply              C = A·B, A M×K row-major (lda), chains from +0
//   windowProduct         C = A·B, A's rows read in segments (convolution
//                         windows in place), chains from +0
//   accumulateWindows     C = C ⊕ Aᵀ·B, A's columns read in place at given
//                         offsets (convolution windows), chains continued
//   accumulateTransposed  C = C ⊕ Aᵀ·B, A stored K×M (lda): each C[i,j]
//                         CONTINUES its chain from the value it holds, so
//                         computing a long chain in blocks of p (C zeroed
//                         first) gives the bits of the whole chain at once

import CWideKernels

enum ProductKernels {
    /// Whether this CPU (and build) has the AVX-512 tiles (CWideKernels).
    static let wideAvailable = dnb_wide_available()

    /// A path pinned for the current task and the pool passes it starts
    /// (tests train through both); nil, as everywhere else: the CPU's.
    @TaskLocal static var pinnedWideTiles: Bool? = nil

    /// Whether products (but those 8 to 15 columns wide) run on the AVX-512
    /// tiles: where the CPU has AVX-512F, unless pinned. The bits are the same either way.
    static var wideTiles: Bool { pinnedWideTiles ?? wideAvailable }

    /// Rows `rows` of `C = A·B` (A row-major, M×K, lda): each element one
    /// chain over k ascending from +0, as `MatrixProduct.multiply`.
    static func multiply(
        rows: Range<Int>, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard !rows.isEmpty, n > 0 else { return }
        product(
            m: rows.count, n: n, k: k, a: a + rows.lowerBound * lda, rowStride: lda, columnStride: 1, b: b, ldb: ldb,
            c: c + rows.lowerBound * ldc, ldc: ldc, accumulate: false)
    }

    /// Rows `rows` of `C = A·B` as `multiply`, for an A whose rows are
    /// mostly zeros (a gradient that came back through a pooling layer that
    /// picks one position per window: one in four, at most, carries one). Each row walks only
    /// its nonzero terms, k ascending, from +0: a zero term leaves a chain
    /// unchanged, so the bits are `multiply`'s (for finite B). One row at a
    /// time, 96 columns (twelve 8-lane chains) or, on the AVX-512 tiles, 192
    /// at a time. Needs n ≥ 8.
    static func multiplySkippingZeros(
        rows: Range<Int>, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        precondition(n >= 8, "sparse rows need at least 8 columns")
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(k, 1)) { buffer in
            guard let terms = buffer.baseAddress else { return }
            for i in rows {
                let row = a + i * lda
                sparseRow(row, nonzeroTerms(row, k: k, into: terms), terms, n: n, b: b, ldb: ldb, into: c + i * ldc)
            }
        }
    }

    /// The places of `row[0..<k]`'s nonzero values, ascending, into `terms`
    /// (room for k); returns how many. Without a branch: every place is
    /// written and kept only if nonzero (below a pooling, half the values
    /// are zero in no pattern a branch predictor could learn).
    static func nonzeroTerms(_ row: UnsafePointer<Float>, k: Int, into terms: UnsafeMutablePointer<Int>) -> Int {
        var count = 0
        for p in 0..<k {
            terms[count] = p
            // Nonzero (NaN included) exactly when a bit besides the sign is set: an
            // integer test, where a float comparison branches on NaN's parity flag.
            let magnitude = row[p].bitPattern << 1
            count &+= Int(truncatingIfNeeded: (magnitude | (0 &- magnitude)) >> 31)
        }
        return count
    }

    /// One row of `multiplySkippingZeros`: `out[0..<n]` = the chains over
    /// the row's `count` nonzero terms `terms`, ascending, from +0.
    static func sparseRow(
        _ row: UnsafePointer<Float>, _ count: Int, _ terms: UnsafePointer<Int>, n: Int, b: UnsafePointer<Float>, ldb: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        if wideTiles {
            dnb_wide_sparse_row(count, terms, row, b, ldb, out, n)
            return
        }
        var j = 0
        while n - j >= 96 {
            sparseRow96(count, terms, row, b + j, ldb, out + j)
            j += 96
        }
        // The last columns 8 at a time; a narrow tail overlaps the vector before it.
        while j < n {
            let start = min(j, n - 8)
            var sum = Lanes()
            for t in 0..<count {
                let p = terms[t]
                sum = sum.addingProduct(Lanes(repeating: row[p]), .load(b + p * ldb, start))
            }
            sum.store(out, start)
            j = start + 8
        }
    }

    /// Columns 0..<96 of one output row: the chains over the `count` terms `terms`.
    @inline(__always)
    private static func sparseRow96(
        _ count: Int, _ terms: UnsafePointer<Int>, _ row: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ out: UnsafeMutablePointer<Float>
    ) {
        var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes(), s4 = Lanes(), s5 = Lanes()
        var s6 = Lanes(), s7 = Lanes(), s8 = Lanes(), s9 = Lanes(), s10 = Lanes(), s11 = Lanes()
        for t in 0..<count {
            let p = terms[t]
            let x = Lanes(repeating: row[p])
            let r = b + p * ldb
            s0 = s0.addingProduct(x, .load(r, 0))
            s1 = s1.addingProduct(x, .load(r, 8))
            s2 = s2.addingProduct(x, .load(r, 16))
            s3 = s3.addingProduct(x, .load(r, 24))
            s4 = s4.addingProduct(x, .load(r, 32))
            s5 = s5.addingProduct(x, .load(r, 40))
            s6 = s6.addingProduct(x, .load(r, 48))
            s7 = s7.addingProduct(x, .load(r, 56))
            s8 = s8.addingProduct(x, .load(r, 64))
            s9 = s9.addingProduct(x, .load(r, 72))
            s10 = s10.addingProduct(x, .load(r, 80))
            s11 = s11.addingProduct(x, .load(r, 88))
        }
        s0.store(out, 0)
        s1.store(out, 8)
        s2.store(out, 16)
        s3.store(out, 24)
        s4.store(out, 32)
        s5.store(out, 40)
        s6.store(out, 48)
        s7.store(out, 56)
        s8.store(out, 64)
        s9.store(out, 72)
        s10.store(out, 80)
        s11.store(out, 88)
    }

    /// C (M×N) = Σ_g A_g·B_g over g < segments, from +0, with
    /// A_g[i,p] = a[rowOffsets[i] + g·segmentStride + p] for p < length and
    /// B_g rows g·length ..< (g+1)·length of B: each element one chain over
    /// (g, p) ascending, as `multiply` over the segments side by side. A
    /// convolution's windows read in place: row i is output position i's
    /// window, segment g its row g, and neighbouring windows in one output
    /// row start `rowStride` apart.
    /// Then `C = activation(C + bias)` row by row, as `Activation.forward`
    /// (needs ldc = n; fused into the AVX-512 tiles' stores for linear and relu).
    static func windowProduct(
        m: Int, n: Int, segments: Int, length: Int, a: UnsafePointer<Float>, rowOffsets: UnsafePointer<Int>,
        rowStride: Int, segmentStride: Int, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: UnsafePointer<Float>, activation: Activation
    ) {
        precondition(ldc == n, "the activation's rows are n wide")
        guard m > 0, n > 0 else { return }
        if wideTiles, n >= 16 || n < 8, activation == .linear || activation == .relu {
            // The AVX-512 tiles gather their rows' windows, keep the chains in registers across
            // segments, and add the bias and apply relu on the way out.
            dnb_wide_window_product(
                m, n, segments, length, a, rowOffsets, segmentStride, b, ldb, c, ldc, bias, activation == .relu)
            return
        }
        windowProduct(
            m: m, n: n, segments: segments, length: length, a: a, rowOffsets: rowOffsets, rowStride: rowStride,
            segmentStride: segmentStride, b: b, ldb: ldb, c: c, ldc: ldc)
        activation.forward(c, bias: bias, rows: m, columns: n)
    }

    /// `windowProduct` with its epilogue for a convolution's output
    /// positions (`width` a row), then a 2×2 max pooling with stride 2 into
    /// `c` (pooledHeight·pooledWidth × n): each window's first maximum over
    /// its positions (dy, dx) ascending, compared with `>`, as the pooling
    /// layer's own pass, and with `argmax` its index in the product
    /// (position·n + column). Only the positions a window covers are computed.
    /// The AVX-512 tiles only (`wideTiles`), for linear and relu; elsewhere the
    /// caller runs the product and the pooling one after the other.
    static func pooledWindowProduct(
        pooledHeight: Int, pooledWidth: Int, width: Int, n: Int, segments: Int, length: Int, a: UnsafePointer<Float>,
        rowOffsets: UnsafePointer<Int>, segmentStride: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?, bias: UnsafePointer<Float>,
        activation: Activation
    ) {
        precondition(wideTiles && (activation == .linear || activation == .relu), "pooled tiles need AVX-512")
        dnb_wide_pooled_window_product(
            pooledHeight, pooledWidth, width, n, segments, length, a, rowOffsets, segmentStride, b, ldb, c, argmax, bias,
            activation == .relu)
    }

    /// `windowProduct` without the epilogue.
    private static func windowProduct(
        m: Int, n: Int, segments: Int, length: Int, a: UnsafePointer<Float>, rowOffsets: UnsafePointer<Int>,
        rowStride: Int, segmentStride: Int, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if wideTiles, n >= 16 || n < 8 {
            dnb_wide_window_product(
                m, n, segments, length, a, rowOffsets, segmentStride, b, ldb, c, ldc, nil, false)
            return
        }
        // The 8-lane tiles take evenly spaced rows: one run of windows at a
        // time, each segment continuing the chains the one before left.
        var i = 0
        while i < m {
            var end = i + 1
            while end < m, rowOffsets[end] - rowOffsets[end - 1] == rowStride { end += 1 }
            for g in 0..<max(segments, 1) {
                product(
                    m: end - i, n: n, k: segments > 0 ? length : 0, a: a + rowOffsets[i] + g * segmentStride,
                    rowStride: rowStride, columnStride: 1, b: b + g * length * ldb, ldb: ldb, c: c + i * ldc, ldc: ldc,
                    accumulate: g > 0)
            }
            i = end
        }
    }

    /// `C ⊕= Aᵀ·B` with A[i,p] = a[i + termOffsets[p]] for p < k: each C[i,j]
    /// continues its chain over p ascending, as `accumulateTransposed`. A
    /// convolution's kernel gradient over windows read in place (term p is
    /// output position p; neighbouring windows in one output row start
    /// `termStride` apart).
    static func accumulateWindows(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, termOffsets: UnsafePointer<Int>, termStride: Int,
        b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        if wideTiles, n >= 16 || n < 8 {
            dnb_wide_window_gradient(m, n, k, a, termOffsets, b, ldb, c, ldc)
            return
        }
        // The 8-lane tiles take evenly spaced terms: one run of windows at a time.
        var p = 0
        while p < k {
            var end = p + 1
            while end < k, termOffsets[end] - termOffsets[end - 1] == termStride { end += 1 }
            product(
                m: m, n: n, k: end - p, a: a + termOffsets[p], rowStride: 1, columnStride: termStride,
                b: b + p * ldb, ldb: ldb, c: c, ldc: ldc, accumulate: true)
            p = end
        }
    }

    /// `C[i,j] = fma(A[k-1,i], B[k-1,j], … fma(A[0,i], B[0,j], C[i,j]))`
    /// for i in 0..<m, j in 0..<n (A stored K×M, lda): C's chains continued over k terms.
    static func accumulateTransposed(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        product(
            m: m, n: n, k: k, a: a, rowStride: 1, columnStride: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: true)
    }

    /// C (M×N) = A·B with A[i,p] = a[i·rowStride + p·columnStride], each
    /// element one FMA chain over p ascending, from +0 or (`accumulate`)
    /// from the value C holds. Tiles of 6 rows × 16 columns: twelve
    /// independent 8-lane chains, enough to keep both FMA units busy.
    @inline(__always)
    static func product(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, columnStride: Int, b: UnsafePointer<Float>,
        ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
    ) {
        // 8 to 15 columns: the 8-lane tiles' 12 overlapping chains keep more
        // FMAs in flight than one masked 16-lane vector's 6.
        if wideTiles, n >= 16 || n < 8 {
            dnb_wide_product(m, n, k, a, rowStride, columnStride, b, ldb, c, ldc, accumulate)
            return
        }
        // Columns the vectors leave to scalar chains: all of a narrow C, and
        // when continuing chains, a tail that a vector could only reach by
        // overlapping columns another tile has already continued.
        let tail = n % 16
        let scalarColumns = n < 8 ? 0..<n : accumulate && n > 16 && tail > 0 && tail < 8 ? (n - tail)..<n : 0..<0
        for i in 0..<m {
            for j in scalarColumns {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<k { sum = sum.addingProduct(a[i * rowStride + p * columnStride], b[p * ldb + j]) }
                c[i * ldc + j] = sum
            }
        }
        if n < 8 { return }
        let n = n - scalarColumns.count
        var i = 0
        while m - i >= 6 {
            columnPairs(n) { j0, j1 in
                tile6(k, a + i * rowStride, rowStride, columnStride, b, ldb, c + i * ldc, ldc, j0, j1, accumulate)
            }
            i += 6
        }
        if m - i >= 3 {
            columnPairs(n) { j0, j1 in
                tile3(k, a + i * rowStride, rowStride, columnStride, b, ldb, c + i * ldc, ldc, j0, j1, accumulate)
            }
            i += 3
        }
        while i < m {
            columnPairs(n) { j0, j1 in tile1(k, a + i * rowStride, columnStride, b, ldb, c + i * ldc, j0, j1, accumulate) }
            i += 1
        }
    }

    /// `body(j0, j1)` for pairs of 8-column vectors covering `0..<n` (n ≥ 8);
    /// a narrow tail overlaps the vectors before it (recomputed lanes get the same bits).
    @inline(__always)
    private static func columnPairs(_ n: Int, _ body: (Int, Int) -> Void) {
        var j = 0
        while n - j >= 16 {
            body(j, j + 8)
            j += 16
        }
        let rest = n - j
        if rest > 8 {
            body(j, n - 8)
        } else if rest > 0 {
            body(n - 8, n - 8)
        }
    }

    /// Six rows of C, columns j0..<j0+8 and j1..<j1+8.
    @inline(__always)
    private static func tile6(
        _ k: Int, _ a: UnsafePointer<Float>, _ rs: Int, _ cs: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ j0: Int, _ j1: Int, _ accumulate: Bool
    ) {
        let c1 = c + ldc, c2 = c + 2 * ldc, c3 = c + 3 * ldc, c4 = c + 4 * ldc, c5 = c + 5 * ldc
        var s00 = Lanes(), s01 = Lanes(), s10 = Lanes(), s11 = Lanes(), s20 = Lanes(), s21 = Lanes()
        var s30 = Lanes(), s31 = Lanes(), s40 = Lanes(), s41 = Lanes(), s50 = Lanes(), s51 = Lanes()
        if accumulate {
            (s00, s01) = (.load(c, j0), .load(c, j1))
            (s10, s11) = (.load(c1, j0), .load(c1, j1))
            (s20, s21) = (.load(c2, j0), .load(c2, j1))
            (s30, s31) = (.load(c3, j0), .load(c3, j1))
            (s40, s41) = (.load(c4, j0), .load(c4, j1))
            (s50, s51) = (.load(c5, j0), .load(c5, j1))
        }
        let a1 = a + rs, a2 = a + 2 * rs, a3 = a + 3 * rs, a4 = a + 4 * rs, a5 = a + 5 * rs
        for p in 0..<k {
            let row = b + p * ldb
            let b0 = Lanes.load(row, j0), b1 = Lanes.load(row, j1)
            let o = p * cs
            let x0 = Lanes(repeating: a[o])
            s00 = s00.addingProduct(x0, b0)
            s01 = s01.addingProduct(x0, b1)
            let x1 = Lanes(repeating: a1[o])
            s10 = s10.addingProduct(x1, b0)
            s11 = s11.addingProduct(x1, b1)
            let x2 = Lanes(repeating: a2[o])
            s20 = s20.addingProduct(x2, b0)
            s21 = s21.addingProduct(x2, b1)
            let x3 = Lanes(repeating: a3[o])
            s30 = s30.addingProduct(x3, b0)
            s31 = s31.addingProduct(x3, b1)
            let x4 = Lanes(repeating: a4[o])
            s40 = s40.addingProduct(x4, b0)
            s41 = s41.addingProduct(x4, b1)
            let x5 = Lanes(repeating: a5[o])
            s50 = s50.addingProduct(x5, b0)
            s51 = s51.addingProduct(x5, b1)
        }
        // j1 after j0: where they overlap both hold the same bits anyway.
        s00.store(c, j0)
        s01.store(c, j1)
        s10.store(c1, j0)
        s11.store(c1, j1)
        s20.store(c2, j0)
        s21.store(c2, j1)
        s30.store(c3, j0)
        s31.store(c3, j1)
        s40.store(c4, j0)
        s41.store(c4, j1)
        s50.store(c5, j0)
        s51.store(c5, j1)
    }

    /// Three rows of C, columns j0..<j0+8 and j1..<j1+8 (the rows tile6 leaves).
    @inline(__always)
    private static func tile3(
        _ k: Int, _ a: UnsafePointer<Float>, _ rs: Int, _ cs: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ j0: Int, _ j1: Int, _ accumulate: Bool
    ) {
        let c1 = c + ldc, c2 = c + 2 * ldc
        var s00 = Lanes(), s01 = Lanes(), s10 = Lanes(), s11 = Lanes(), s20 = Lanes(), s21 = Lanes()
        if accumulate {
            (s00, s01) = (.load(c, j0), .load(c, j1))
            (s10, s11) = (.load(c1, j0), .load(c1, j1))
            (s20, s21) = (.load(c2, j0), .load(c2, j1))
        }
        let a1 = a + rs, a2 = a + 2 * rs
        for p in 0..<k {
            let row = b + p * ldb
            let b0 = Lanes.load(row, j0), b1 = Lanes.load(row, j1)
            let o = p * cs
            let x0 = Lanes(repeating: a[o]), x1 = Lanes(repeating: a1[o]), x2 = Lanes(repeating: a2[o])
            s00 = s00.addingProduct(x0, b0)
            s01 = s01.addingProduct(x0, b1)
            s10 = s10.addingProduct(x1, b0)
            s11 = s11.addingProduct(x1, b1)
            s20 = s20.addingProduct(x2, b0)
            s21 = s21.addingProduct(x2, b1)
        }
        s00.store(c, j0)
        s01.store(c, j1)
        s10.store(c1, j0)
        s11.store(c1, j1)
        s20.store(c2, j0)
        s21.store(c2, j1)
    }

    /// One row of C, columns j0..<j0+8 and j1..<j1+8.
    @inline(__always)
    private static func tile1(
        _ k: Int, _ a: UnsafePointer<Float>, _ cs: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ j0: Int, _ j1: Int, _ accumulate: Bool
    ) {
        var s0 = accumulate ? Lanes.load(c, j0) : Lanes(), s1 = accumulate ? Lanes.load(c, j1) : Lanes()
        for p in 0..<k {
            let row = b + p * ldb
            let x = Lanes(repeating: a[p * cs])
            s0 = s0.addingProduct(x, .load(row, j0))
            s1 = s1.addingProduct(x, .load(row, j1))
        }
        s0.store(c, j0)
        s1.store(c, j1)
    }
}

// Eight-float lanes (kept in this file: builds without whole-module
// optimisation do not inline across files).
private typealias Lanes = SIMD8<Float>

extension SIMD8 where Scalar == Float {
    /// Lanes `i..<i+8` of `p` (no alignment needed).
    @inline(__always)
    fileprivate static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Self {
        UnsafeRawPointer(p + i).loadUnaligned(as: Self.self)
    }

    @inline(__always)
    fileprivate static func load(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> Self {
        UnsafeRawPointer(p + i).loadUnaligned(as: Self.self)
    }

    /// Writes the lanes to `p[i..<i+8]` (no alignment needed).
    @inline(__always)
    fileprivate func store(_ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: Self.self)
    }
}
