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
        // The tiled kernels (6 rows × 16 columns of 8-lane chains) live in
        // ProductKernels, shared with the convolution layers.
        ProductKernels.product(
            m: rows.count, n: n, k: k, a: a + rows.lowerBound * rowStride, rowStride: rowStride,
            columnStride: columnStride, b: b, ldb: ldb, c: c + rows.lowerBound * ldc, ldc: ldc, accumulate: false)
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
