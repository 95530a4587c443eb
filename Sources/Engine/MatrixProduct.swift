// The engine's matrix product, with the order of every sum written here.
//
// Shapes: C is M×N, A is M×K, B is K×N; B and C row-major (leading
// dimensions ldb, ldc); A is read through two strides, so Aᵀ needs no copy
// (A[i,k] = a[i·rowStride + k·columnStride]).
//
// The defined order (the specification; `reference` spells it out):
//
//   C[i,j] = fma(A[i,K-1], B[K-1,j], … fma(A[i,1], B[1,j], fma(A[i,0], B[0,j], +0)) …)
//
// i.e. every element of C is its own chain of fused multiply-adds over k
// ascending, starting from +0. The fast path vectorises ACROSS j (and tiles
// over i): each lane runs exactly that chain, so the bits do not depend on
// the vector width, the tile sizes, the CPU or how rows and columns are
// split between threads. A zero A[i,k] adds nothing (fma(0, b, c) == c for
// finite b, and c is never -0), so a pass may skip zero inputs (the sparse
// first layer) and get the same bits as long as the weights are finite.

enum MatrixProduct {
    /// `C = A·B` in the defined order (see the file header), beta = 0.
    /// Rows `rows` of C only (default: all M), so threads can split by rows.
    static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Range<Int>? = nil
    ) {
        let rows = rows ?? 0..<m
        guard n > 0, !rows.isEmpty else { return }
        guard k > 0 else {
            for i in rows { (c + i * ldc).update(repeating: 0, count: n) }
            return
        }
        if n < 8 {
            for i in rows {
                for j in 0..<n {
                    var sum: Float = 0
                    for p in 0..<k { sum = sum.addingProduct(a[i * rowStride + p * columnStride], b[p * ldb + j]) }
                    c[i * ldc + j] = sum
                }
            }
            return
        }
        // Column blocks of 16 (two 8-lane vectors); a narrower tail is one
        // or two vectors ending at column n, overlapping the block before:
        // overlapping lanes are recomputed with the same chain, same bits.
        var i = rows.lowerBound
        while rows.upperBound - i >= 4 {
            columnBlocks(n) { j0, j1 in
                tile4(k, a + i * rowStride, rowStride, columnStride, b, ldb, c + i * ldc, ldc, j0, j1)
            }
            i += 4
        }
        while i < rows.upperBound {
            columnBlocks(n) { j0, j1 in
                tile1(k, a + i * rowStride, columnStride, b, ldb, c + i * ldc, j0, j1)
            }
            i += 1
        }
    }

    /// Calls `body(j0, j1)` for pairs of 8-column vectors covering `0..<n` (n ≥ 8).
    @inline(__always)
    private static func columnBlocks(_ n: Int, _ body: (Int, Int) -> Void) {
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

    /// Four rows of C, columns `j0..<j0+8` and `j1..<j1+8`: eight
    /// independent chains of 8 lanes, enough FMAs in flight to hide latency.
    @inline(__always)
    private static func tile4(
        _ k: Int, _ a: UnsafePointer<Float>, _ rowStride: Int, _ columnStride: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ j0: Int, _ j1: Int
    ) {
        var s00 = Lanes(), s01 = Lanes(), s10 = Lanes(), s11 = Lanes()
        var s20 = Lanes(), s21 = Lanes(), s30 = Lanes(), s31 = Lanes()
        let a1 = a + rowStride, a2 = a + 2 * rowStride, a3 = a + 3 * rowStride
        for p in 0..<k {
            let row = b + p * ldb
            let b0 = Lanes.load(row, j0), b1 = Lanes.load(row, j1)
            let offset = p * columnStride
            let x0 = Lanes(repeating: a[offset]), x1 = Lanes(repeating: a1[offset])
            let x2 = Lanes(repeating: a2[offset]), x3 = Lanes(repeating: a3[offset])
            s00 = s00.addingProduct(x0, b0)
            s01 = s01.addingProduct(x0, b1)
            s10 = s10.addingProduct(x1, b0)
            s11 = s11.addingProduct(x1, b1)
            s20 = s20.addingProduct(x2, b0)
            s21 = s21.addingProduct(x2, b1)
            s30 = s30.addingProduct(x3, b0)
            s31 = s31.addingProduct(x3, b1)
        }
        // j1 after j0: where they overlap both hold the same bits anyway.
        s00.store(c, j0)
        s01.store(c, j1)
        s10.store(c + ldc, j0)
        s11.store(c + ldc, j1)
        s20.store(c + 2 * ldc, j0)
        s21.store(c + 2 * ldc, j1)
        s30.store(c + 3 * ldc, j0)
        s31.store(c + 3 * ldc, j1)
    }

    /// One row of C, columns `j0..<j0+8` and `j1..<j1+8`.
    @inline(__always)
    private static func tile1(
        _ k: Int, _ a: UnsafePointer<Float>, _ columnStride: Int,
        _ b: UnsafePointer<Float>, _ ldb: Int, _ c: UnsafeMutablePointer<Float>, _ j0: Int, _ j1: Int
    ) {
        var s0 = Lanes(), s1 = Lanes()
        for p in 0..<k {
            let row = b + p * ldb
            let x = Lanes(repeating: a[p * columnStride])
            s0 = s0.addingProduct(x, .load(row, j0))
            s1 = s1.addingProduct(x, .load(row, j1))
        }
        s0.store(c, j0)
        s1.store(c, j1)
    }

    /// The specification: the plain triple loop of the defined order, one
    /// scalar FMA chain per element. The fast path must match it bit for bit.
    static func reference(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
        b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    sum = sum.addingProduct(a[i * rowStride + p * columnStride], b[p * ldb + j])
                }
                c[i * ldc + j] = sum
            }
        }
    }

    /// `out (rows×columns) = inᵀ` for `in` (columns×rows), both row-major.
    static func transpose(
        _ input: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            for c in 0..<columns { out[r * columns + c] = input[c * rows + r] }
        }
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

    /// Writes the lanes to `p[i..<i+8]` (no alignment needed).
    @inline(__always)
    fileprivate func store(_ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: Self.self)
    }
}
