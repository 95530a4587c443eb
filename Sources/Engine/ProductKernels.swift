// Matrix products for the convolution layers, in MatrixProduct's defined
// order: every element of C is one chain of fused multiply-adds over the
// shared dimension ascending, vectorised across the columns of C (so each
// lane runs exactly its chain, whatever the vector width).
//
// Shapes: C is M×N, B is K×N, both row-major (ldb, ldc).
//   multiply              C = A·B, A M×K row-major (lda), chains from +0
//   accumulateTransposed  C = C ⊕ Aᵀ·B, A stored K×M (lda): each C[i,j]
//                         CONTINUES its chain from the value it holds, so
//                         computing a long chain in blocks of p (C zeroed
//                         first) gives the bits of the whole chain at once

enum ProductKernels {
    /// Rows `rows` of `C = A·B` (A row-major, M×K): `MatrixProduct.multiply`.
    @inline(__always)
    static func multiply(
        rows: Range<Int>, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        MatrixProduct.multiply(
            m: rows.upperBound, n: n, k: k, a: a, rowStride: lda, columnStride: 1, b: b, ldb: ldb, c: c, ldc: ldc,
            rows: rows)
    }

    /// `C[i,j] = fma(A[k-1,i], B[k-1,j], … fma(A[0,i], B[0,j], C[i,j]))`
    /// for i in 0..<m, j in 0..<n: C's chains continued over k terms.
    static func accumulateTransposed(
        m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        if n < 8 {
            for i in 0..<m {
                for j in 0..<n {
                    var sum = c[i * ldc + j]
                    for p in 0..<k { sum = sum.addingProduct(a[p * lda + i], b[p * ldb + j]) }
                    c[i * ldc + j] = sum
                }
            }
            return
        }
        var i = 0
        while m - i >= 4 {
            columnPairs(n) { j0, j1 in tile4(k, a + i, lda, b, ldb, c + i * ldc, ldc, j0, j1) }
            i += 4
        }
        while i < m {
            columnPairs(n) { j0, j1 in tile1(k, a + i, lda, b, ldb, c + i * ldc, j0, j1) }
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

    /// Rows i..<i+4 of C (a points at A[0,i]), columns j0..<j0+8 and j1..<j1+8.
    @inline(__always)
    private static func tile4(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ j0: Int, _ j1: Int
    ) {
        let c1 = c + ldc, c2 = c + 2 * ldc, c3 = c + 3 * ldc
        var s00 = Lanes.load(c, j0), s01 = Lanes.load(c, j1)
        var s10 = Lanes.load(c1, j0), s11 = Lanes.load(c1, j1)
        var s20 = Lanes.load(c2, j0), s21 = Lanes.load(c2, j1)
        var s30 = Lanes.load(c3, j0), s31 = Lanes.load(c3, j1)
        for p in 0..<k {
            let row = b + p * ldb
            let b0 = Lanes.load(row, j0), b1 = Lanes.load(row, j1)
            let column = a + p * lda
            let x0 = Lanes(repeating: column[0]), x1 = Lanes(repeating: column[1])
            let x2 = Lanes(repeating: column[2]), x3 = Lanes(repeating: column[3])
            s00 = s00.addingProduct(x0, b0)
            s01 = s01.addingProduct(x0, b1)
            s10 = s10.addingProduct(x1, b0)
            s11 = s11.addingProduct(x1, b1)
            s20 = s20.addingProduct(x2, b0)
            s21 = s21.addingProduct(x2, b1)
            s30 = s30.addingProduct(x3, b0)
            s31 = s31.addingProduct(x3, b1)
        }
        s00.store(c, j0)
        s01.store(c, j1)
        s10.store(c1, j0)
        s11.store(c1, j1)
        s20.store(c2, j0)
        s21.store(c2, j1)
        s30.store(c3, j0)
        s31.store(c3, j1)
    }

    /// Row i of C (a points at A[0,i]), columns j0..<j0+8 and j1..<j1+8.
    @inline(__always)
    private static func tile1(
        _ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ c: UnsafeMutablePointer<Float>, _ j0: Int, _ j1: Int
    ) {
        var s0 = Lanes.load(c, j0), s1 = Lanes.load(c, j1)
        for p in 0..<k {
            let row = b + p * ldb
            let x = Lanes(repeating: a[p * lda])
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
