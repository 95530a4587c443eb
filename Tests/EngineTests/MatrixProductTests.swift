import Testing

@testable import Engine

/// The fast matrix product against its specification (`MatrixProduct.reference`,
/// one scalar FMA chain per element): identical bits for every shape, stride
/// and row split, and the right numbers against a Double product.
struct MatrixProductTests {
    /// m×k A (read as A or Aᵀ), k×n B, and C from both paths.
    static func products(
        m: Int, n: Int, k: Int, transposedA: Bool, rows: [Range<Int>]? = nil, seed: UInt64
    ) -> (fast: [Float], reference: [Float], double: [Double]) {
        let a = Fixture.uniform(m * k, -1, 1, seed: seed)
        let b = Fixture.uniform(k * n, -1, 1, seed: seed + 1)
        // A[i,p] = a[i·rowStride + p·columnStride]
        let (rowStride, columnStride) = transposedA ? (1, m) : (k, 1)
        var fast = [Float](repeating: .nan, count: m * n)
        var reference = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                fast.withUnsafeMutableBufferPointer { c in
                    for range in rows ?? [0..<m] {
                        MatrixProduct.multiply(
                            m: m, n: n, k: k, a: a.baseAddress!, rowStride: rowStride, columnStride: columnStride,
                            b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n, rows: range)
                    }
                }
                reference.withUnsafeMutableBufferPointer { c in
                    MatrixProduct.reference(
                        m: m, n: n, k: k, a: a.baseAddress!, rowStride: rowStride, columnStride: columnStride,
                        b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n)
                }
            }
        }
        var double = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                for p in 0..<k {
                    double[i * n + j] += Double(a[i * rowStride + p * columnStride]) * Double(b[p * n + j])
                }
            }
        }
        return (fast, reference, double)
    }

    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (3, 5, 7), (4, 8, 3), (5, 9, 10), (7, 15, 784), (32, 10, 128), (32, 16, 1),
        (9, 17, 33), (13, 31, 5), (32, 128, 10), (6, 40, 64), (2, 64, 0), (8, 130, 12),
    ]

    @Test(arguments: shapes, [false, true])
    func fastPathHasTheReferenceBits(shape: (Int, Int, Int), transposedA: Bool) {
        let (m, n, k) = shape
        let (fast, reference, double) = Self.products(m: m, n: n, k: k, transposedA: transposedA, seed: 11)
        #expect(differingBits(fast, reference) == 0)
        for (value, exact) in zip(fast, double) {
            #expect(abs(Double(value) - exact) <= 1e-5 * Double(max(k, 1)))
        }
    }

    /// Rows computed in any split (as threads take them) give the same bits.
    @Test func anySplitOfTheRowsGivesTheSameBits() {
        let whole = Self.products(m: 29, n: 23, k: 50, transposedA: false, seed: 5).reference
        for split in [[0..<29], [0..<1, 1..<29], [0..<4, 4..<13, 13..<29], (0..<29).map { $0..<($0 + 1) }] {
            let parts = Self.products(m: 29, n: 23, k: 50, transposedA: false, rows: split, seed: 5).fast
            #expect(differingBits(parts, whole) == 0)
        }
    }

    /// A zero input adds nothing to a chain: the sparse first layer may skip it.
    @Test func zeroTermsLeaveAChainUnchanged() {
        let b = Fixture.uniform(6 * 9, -3, 3, seed: 3)
        let a: [Float] = [0, 0.5, 0, 0, -2, 0]
        let withZeros = MatrixProductTests.multiply(a: a, b: b, k: 6, n: 9)
        let nonZeros = MatrixProductTests.multiply(a: [0.5, -2], b: Array(b[9..<18] + b[36..<45]), k: 2, n: 9)
        #expect(differingBits(withZeros, nonZeros) == 0)
    }

    static func multiply(a: [Float], b: [Float], k: Int, n: Int) -> [Float] {
        var c = [Float](repeating: .nan, count: n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    MatrixProduct.multiply(
                        m: 1, n: n, k: k, a: a.baseAddress!, rowStride: k, columnStride: 1, b: b.baseAddress!, ldb: n,
                        c: c.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    @Test func transposeSwapsRowsAndColumns() {
        // in (2×3) = [[1, 2, 3], [4, 5, 6]] → out (3×2) = [[1, 4], [2, 5], [3, 6]]
        var out = [Float](repeating: 0, count: 6)
        MatrixProduct.transpose([1, 2, 3, 4, 5, 6], rows: 3, columns: 2, into: &out)
        #expect(out == [1, 4, 2, 5, 3, 6])
    }
}
