import Testing

@testable import Engine

/// The first layer's sparse path (non-zero inputs only) against the dense
/// product it replaces: same figures up to rounding order, taken only when
/// the rows are sparse enough, the same bits, and still deterministic in training.
struct SparseInputTests {
    /// `rows × width` values, each non-zero with probability `density`
    /// (uniform in (0, 1]), like normalised MNIST pixels.
    static func sparseValues(rows: Int, width: Int, density: Double, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<rows * width).map { _ in
            generator.nextUnit() < density ? Float(1 - generator.nextUnit()) : 0
        }
    }

    @Test(arguments: [1, 5, 8, 9, 15, 16, 24, 64, 100, 128, 130])
    func sumOfScaledRowsMatchesTheNaiveSum(columns: Int) {
        let matrixRows = 7
        let matrix = Fixture.uniform(matrixRows * columns, -1, 1, seed: UInt64(columns))
        let indices: [Int32] = [0, 2, 3, 6, 2]
        let values: [Float] = [0.5, -1.25, 2, 0.75, 1]
        var out = [Float](repeating: .nan, count: columns)
        matrix.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                Dense.sumOfScaledRows(
                    count: indices.count, indices: indices, values: values, matrix: m.baseAddress!, stride: columns,
                    columns: columns, into: o.baseAddress!)
            }
        }
        // The same order of fused multiply-adds, one column at a time.
        let expected = (0..<columns).map { c in
            zip(indices, values).reduce(Float(0)) { $0.addingProduct($1.1, matrix[Int($1.0) * columns + c]) }
        }
        #expect(out == expected)
    }

    @Test func noTermsGiveZeros() {
        var out = [Float](repeating: .nan, count: 20)
        let matrix = [Float](repeating: 1, count: 20)
        matrix.withUnsafeBufferPointer { m in
            out.withUnsafeMutableBufferPointer { o in
                Dense.sumOfScaledRows(
                    count: 0, indices: [], values: [], matrix: m.baseAddress!, stride: 20, columns: 20,
                    into: o.baseAddress!)
            }
        }
        #expect(out == [Float](repeating: 0, count: 20))
    }

    @Test func rowsKeepTheirNonZerosInOrder() {
        // Width 19: two chunks of 8 and a tail of 3. -0 is zero, NaN is not.
        var x = [Float](repeating: 0, count: 2 * 19)
        x[1] = 3; x[7] = -0.0; x[8] = .nan; x[18] = 2  // row 0
        x[19 + 1] = 4; x[19 + 16] = -1  // row 1
        let sparse = SparseRows(capacity: 2, width: 19)
        x.withUnsafeBufferPointer { x in
            sparse.load(row: 1, from: x.baseAddress! + 19)
            sparse.load(row: 0, from: x.baseAddress!)
        }
        #expect(sparse.counts[0] == 3 && sparse.counts[1] == 2)
        #expect(Array(UnsafeBufferPointer(start: sparse.columns, count: 3)) == [1, 8, 18])
        #expect(Array(UnsafeBufferPointer(start: sparse.columns + sparse.stride, count: 2)) == [1, 16])
        let values = Array(UnsafeBufferPointer(start: sparse.values, count: 3))
        #expect(values[0] == 3 && values[1].isNaN && values[2] == 2)
        #expect(Array(UnsafeBufferPointer(start: sparse.values + sparse.stride, count: 2)) == [4, -1])
        #expect(sparse.firstEntry(row: 0, atLeast: 2) == 1 && sparse.firstEntry(row: 0, atLeast: 19) == 3)
        #expect(sparse.isSparse(0..<2))
    }

    @Test func denseRowsAreStillLoadedButNotSparse() {
        let sparse = SparseRows(capacity: 4, width: 40)
        let dense = Self.sparseValues(rows: 4, width: 40, density: 0.9, seed: 1)
        dense.withUnsafeBufferPointer { x in
            for r in 0..<4 { sparse.load(row: r, from: x.baseAddress! + r * 40) }
        }
        #expect(sparse.entries(0..<4) == dense.filter { $0 != 0 }.count)
        #expect(!sparse.isSparse(0..<4))
    }

    /// Forward and backward of one batch, with the sparse path allowed or not.
    static func pass(
        _ model: Model, _ x: [Float], _ labels: [UInt8], rows: Int, sparseInput: Bool
    ) -> (loss: Double, gradients: [Float], sparse: Bool) {
        let workspace = Workspace(model: model, capacity: rows, training: true, sparseInput: sparseInput)
        var gradients = [Float](repeating: .nan, count: model.parameters.count)
        let loss = x.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                model.parameters.withUnsafeBufferPointer { p in
                    gradients.withUnsafeMutableBufferPointer { g in
                        let totals = workspace.forward(
                            input: x.baseAddress!, rows: rows, parameters: p.baseAddress!, labels: y.baseAddress!,
                            gradientScale: 1 / Float(rows))
                        workspace.backward(parameters: p.baseAddress!, gradients: g.baseAddress!)
                        return totals.loss
                    }
                }
            }
        }
        return (loss, gradients, workspace.lastPassWasSparse)
    }

    @Test(arguments: [(32, Activation.relu), (40, .tanh), (128, .relu)])
    func sparsePathMatchesTheDenseProduct(units: Int, activation: Activation) throws {
        let (rows, width) = (9, 70)
        let model = try Model(
            architecture: Fixture.architecture(width, (units, activation), (5, .softmax)), seed: 3)
        let x = Self.sparseValues(rows: rows, width: width, density: 0.2, seed: 5)
        let labels = (0..<rows).map { UInt8($0 % 5) }
        let sparse = Self.pass(model, x, labels, rows: rows, sparseInput: true)
        let dense = Self.pass(model, x, labels, rows: rows, sparseInput: false)
        #expect(sparse.sparse && !dense.sparse)
        // Zero terms leave an FMA chain unchanged: the very same bits.
        #expect(sparse.loss == dense.loss)
        #expect(differingBits(sparse.gradients, dense.gradients) == 0)
    }

    @Test func narrowFirstLayersStayDense() throws {
        let model = try Model(architecture: Fixture.architecture(70, (15, .relu), (5, .softmax)), seed: 3)
        let x = Self.sparseValues(rows: 4, width: 70, density: 0.2, seed: 5)
        #expect(!Self.pass(model, x, [0, 1, 2, 3], rows: 4, sparseInput: true).sparse)
    }

    @Test func gatheredRowsGiveTheSameStepAsContiguousOnes() throws {
        let (count, width, rows) = (12, 64, 4)
        let model = try Model(architecture: Fixture.architecture(width, (48, .relu), (3, .softmax)), seed: 8)
        let x = Self.sparseValues(rows: count, width: width, density: 0.25, seed: 2)
        let labels = (0..<count).map { UInt8($0 % 3) }
        let picked = [7, 2, 11, 4]
        let gathered = picked.flatMap { x[$0 * width..<($0 + 1) * width] }
        let pickedLabels = picked.map { labels[$0] }
        let contiguous = Self.pass(model, gathered, pickedLabels, rows: rows, sparseInput: true)

        let workspace = Workspace(model: model, capacity: rows, training: true)
        var gradients = [Float](repeating: .nan, count: model.parameters.count)
        let loss = x.withUnsafeBufferPointer { x in
            model.parameters.withUnsafeBufferPointer { p in
                gradients.withUnsafeMutableBufferPointer { g in
                    let inputs = InputRows(source: .features(x.baseAddress!), count: count, width: width)
                    let totals = workspace.forward(
                        gathering: picked, from: inputs, rows: rows, parameters: p.baseAddress!,
                        labels: pickedLabels, gradientScale: 1 / Float(rows))
                    workspace.backward(parameters: p.baseAddress!, gradients: g.baseAddress!)
                    return totals.loss
                }
            }
        }
        #expect(workspace.lastPassWasSparse)
        #expect(loss == contiguous.loss)
        #expect(gradients == contiguous.gradients)
    }

    @Test func sparseTrainingIsDeterministicAndResumable() throws {
        let width = 64
        let features = Self.sparseValues(rows: 200, width: width, density: 0.2, seed: 4)
        let labels = (0..<200).map { UInt8($0 % 4) }
        let examples = try Examples(features: features, labels: labels, width: width)
        let architecture = Fixture.architecture(width, (32, .relu), (4, .softmax))
        func train(_ epochs: [Int]) throws -> [Float] {
            let model = try Model(architecture: architecture, seed: 2)
            for count in epochs {
                try quietFit(model, examples, validation: examples, FitConfiguration(epochs: count, batchSize: 16))
            }
            return model.parameters
        }
        let twice = try train([2])
        #expect(try train([2]) == twice)
        #expect(try train([1, 1]) == twice)
    }
}
