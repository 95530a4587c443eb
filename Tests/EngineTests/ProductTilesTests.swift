import Testing

@testable import Engine

/// Every tile the products may run on — the 8-lane Swift tiles, the AVX-512
/// tiles where the CPU has them, the row walk that skips zero terms — gives
/// the specification's bits. Each test pins its path for itself and the
/// pool passes it starts (`ProductKernels.pinnedWideTiles`, task-local), so
/// suites running meanwhile keep the CPU's path.
struct ProductTilesTests {
    /// The paths this machine can run: 8-lane, and AVX-512 when available.
    static let paths: [Bool] = ProductKernels.wideAvailable ? [false, true] : [false]

    func onPath<T>(wide: Bool, _ body: () throws -> T) rethrows -> T {
        try ProductKernels.$pinnedWideTiles.withValue(wide) { try body() }
    }

    static let shapes: [(Int, Int, Int)] = [
        (5, 1, 7), (8, 10, 20), (7, 16, 9), (13, 17, 33), (3, 20, 9), (7, 36, 40), (6, 31, 5), (20, 32, 288), (11, 33, 64),
        (9, 64, 288), (4, 130, 12), (25, 288, 64),
    ]

    /// A row's nonzero terms: NaN, infinities and subnormals count, +0 and −0 do not.
    @Test func nonzeroTermsSkipBothZeros() {
        let row: [Float] = [0, -0.0, 1, .nan, -.infinity, .leastNonzeroMagnitude, 0, -.leastNonzeroMagnitude]
        var terms = [Int](repeating: -1, count: row.count)
        let count = ProductKernels.nonzeroTerms(row, k: row.count, into: &terms)
        #expect(Array(terms[0..<count]) == [2, 3, 4, 5, 7])
    }

    @Test(arguments: shapes)
    func productsHaveTheReferenceBitsOnEveryTile(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for wide in Self.paths {
            for transposed in [false, true] {
                let (fast, reference, _) = onPath(wide: wide) {
                    MatrixProductTests.products(m: m, n: n, k: k, transposedA: transposed, seed: 21)
                }
                #expect(differingBits(fast, reference) == 0, "wide \(wide), transposed \(transposed)")
            }
        }
    }

    /// A convolution's windows read in place (positions of a 7×7 output
    /// over a 9-wide input, one segment per kernel row): each element the
    /// plain chain over (segment, term) ascending, then bias and activation
    /// (relu and linear fused into the AVX-512 tiles), on every tile.
    @Test(arguments: [
        (1, 32, 3, Activation.relu), (1, 9, 3, .relu), (2, 5, 2, .linear), (8, 17, 3, .relu), (32, 64, 3, .linear),
        (6, 40, 1, .tanh), (3, 100, 3, .relu),
    ])
    func windowsReadInPlaceHaveTheReferenceBitsOnEveryTile(shape: (Int, Int, Int, Activation)) {
        let (channels, n, kernel, activation) = shape
        let (width, outWidth, m) = (9, 7, 49)
        let offsets = (0..<m).map { p in ((p / outWidth) * width + p % outWidth) * channels }
        let (length, segments) = (kernel * channels, kernel)
        let a = Fixture.uniform((offsets[m - 1] + kernel * width) * channels + length, -1, 1, seed: 5)
        let b = Fixture.uniform(segments * length * n, -1, 1, seed: 6)
        let bias = Fixture.uniform(n, -0.5, 0.5, seed: 7)
        var reference = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for g in 0..<segments {
                    for p in 0..<length {
                        sum = sum.addingProduct(a[offsets[i] + g * width * channels + p], b[(g * length + p) * n + j])
                    }
                }
                reference[i * n + j] = ReferenceTraining.activate(activation, sum + bias[j])
            }
        }
        for wide in Self.paths {
            var c = [Float](repeating: .nan, count: m * n)
            onPath(wide: wide) {
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        offsets.withUnsafeBufferPointer { offsets in
                            c.withUnsafeMutableBufferPointer { c in
                                ProductKernels.windowProduct(
                                    m: m, n: n, segments: segments, length: length, a: a.baseAddress!,
                                    rowOffsets: offsets.baseAddress!, rowStride: channels,
                                    segmentStride: width * channels, b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n,
                                    bias: bias, activation: activation)
                            }
                        }
                    }
                }
            }
            #expect(differingBits(c, reference) == 0, "wide \(wide)")
        }
    }

    /// dW over windows read in place (terms: the positions of a 7×7 output
    /// over a 9-wide input, 300 of them past one block of B's rows),
    /// continuing chains C already holds, on every tile.
    @Test(arguments: [(1, 32, 3), (2, 5, 9), (8, 17, 24), (32, 64, 96), (3, 100, 7)])
    func windowGradientsContinueTheReferenceChainsOnEveryTile(shape: (Int, Int, Int)) {
        let (channels, n, m) = shape
        let (width, outWidth, k) = (9, 7, 300)
        let offsets = (0..<k).map { p in ((p / outWidth) * width + p % outWidth) * channels }
        let a = Fixture.uniform(offsets[k - 1] + m, -1, 1, seed: 7)
        let b = Fixture.uniform(k * n, -1, 1, seed: 8)
        let start = Fixture.uniform(m * n, -1, 1, seed: 9)
        var reference = start
        for i in 0..<m {
            for j in 0..<n {
                for p in 0..<k { reference[i * n + j] = reference[i * n + j].addingProduct(a[i + offsets[p]], b[p * n + j]) }
            }
        }
        for wide in Self.paths {
            var c = start
            onPath(wide: wide) {
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        offsets.withUnsafeBufferPointer { offsets in
                            c.withUnsafeMutableBufferPointer { c in
                                ProductKernels.accumulateWindows(
                                    m: m, n: n, k: k, a: a.baseAddress!, termOffsets: offsets.baseAddress!,
                                    termStride: channels, b: b.baseAddress!, ldb: n, c: c.baseAddress!, ldc: n)
                            }
                        }
                    }
                }
            }
            #expect(differingBits(c, reference) == 0, "wide \(wide)")
        }
    }

    /// dW's chains computed in blocks that continue them: the bits of one whole chain.
    @Test(arguments: [10, 16, 20, 40, 64, 100])
    func continuedChainsHaveTheReferenceBitsOnEveryTile(n: Int) {
        let (m, k) = (31, 150)
        let a = Fixture.uniform(k * m, -1, 1, seed: 2)  // stored K×M
        let b = Fixture.uniform(k * n, -1, 1, seed: 3)
        var reference = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum = sum.addingProduct(a[p * m + i], b[p * n + j]) }
                reference[i * n + j] = sum
            }
        }
        for wide in Self.paths {
            var c = [Float](repeating: 0, count: m * n)
            onPath(wide: wide) {
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            for block in [0..<64, 64..<65, 65..<150] {
                                ProductKernels.accumulateTransposed(
                                    m: m, n: n, k: block.count, a: a.baseAddress! + block.lowerBound * m, lda: m,
                                    b: b.baseAddress! + block.lowerBound * n, ldb: n, c: c.baseAddress!, ldc: n)
                            }
                        }
                    }
                }
            }
            #expect(differingBits(c, reference) == 0, "wide \(wide)")
        }
    }

    /// A pooled gradient's rows, mostly zeros: walking only the nonzero
    /// terms gives the dense tiles' bits, for wide, narrow and odd widths.
    @Test(arguments: [8, 20, 96, 100, 288])
    func skippingZeroTermsGivesTheDenseBits(n: Int) {
        let (m, k) = (37, 64)
        var a = Fixture.uniform(m * k, -1, 1, seed: 4)
        for i in a.indices where i % 4 != 1 { a[i] = 0 }
        for p in 0..<k { a[5 * k + p] = 0 }  // a row of zeros only
        let b = Fixture.uniform(k * n, -2, 2, seed: 5)
        var dense = [Float](repeating: .nan, count: m * n)
        var sparse = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                dense.withUnsafeMutableBufferPointer { c in
                    ProductKernels.multiply(
                        rows: 0..<m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                        c: c.baseAddress!, ldc: n)
                }
                sparse.withUnsafeMutableBufferPointer { c in
                    ProductKernels.multiplySkippingZeros(
                        rows: 0..<m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: n,
                        c: c.baseAddress!, ldc: n)
                }
            }
        }
        #expect(differingBits(dense, sparse) == 0)
        #expect(sparse[5 * n..<6 * n].allSatisfy { $0 == 0 && $0.sign == .plus })
    }

    /// The keras-io convnet trains to the reference's bits on every path.
    @Test func kerasConvnetTrainsToTheReferenceBitsOnEveryTile() throws {
        for wide in Self.paths {
            try onPath(wide: wide) {
                try ConvolutionTests().expectSameBits(
                    ConvolutionTests.kerasConvnet, count: 200, batch: 32, epochs: 1, optimizer: .adam())
            }
        }
    }
}
