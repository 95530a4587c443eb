import Testing

@testable import Engine

/// Pixel-backed examples: rows converted as passes read them, bit-identical
/// to the defining formulas and to training on Float features converted
/// up front.
struct PixelInputTests {
    /// The defining arithmetic (x / 255, and (x − mean) / std per feature):
    /// the reference every conversion must match bit for bit.
    static func reference(_ pixels: [UInt8], width: Int, _ scaling: InputScaling) -> [Float] {
        switch scaling {
        case .scale:
            return pixels.map { Float($0) / 255 }
        case .standardize(let mean, let std):
            return pixels.indices.map { i in (Float(pixels[i]) - mean[i % width]) / std[i % width] }
        }
    }

    /// `rows × width` bytes, each non-zero with probability `density`
    /// (uniform in 1...255), like MNIST's pixels.
    static func pixels(rows: Int, width: Int, density: Double, seed: UInt64) -> [UInt8] {
        var generator = SeededGenerator(seed: seed)
        return (0..<rows * width).map { _ in
            generator.nextUnit() < density ? UInt8(1 + Int(generator.nextUnit() * 255) % 255) : 0
        }
    }

    /// Per-input mean and population std of `pixels` in Float, std 1 where
    /// it is below 1e-6 (as `InputScaling.standardizing` does).
    static func standardizing(_ pixels: [UInt8], width: Int) -> InputScaling {
        let count = pixels.count / width
        var mean = [Float](repeating: 0, count: width)
        var std = [Float](repeating: 1, count: width)
        for j in 0..<width {
            let column = (0..<count).map { Double(pixels[$0 * width + j]) }
            let average = column.reduce(0, +) / Double(count)
            let deviation = (column.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(count)).squareRoot()
            mean[j] = Float(average)
            std[j] = deviation < 1e-6 ? 1 : Float(deviation)
        }
        return .standardize(mean: mean, std: std)
    }

    /// The same examples twice: as pixels, and as the Float features the reference makes of them.
    static func pair(
        _ pixels: [UInt8], labels: [UInt8], width: Int, _ scaling: InputScaling
    ) throws -> (pixels: Examples, features: Examples) {
        (
            try Examples(pixels: pixels, labels: labels, width: width, scaling: scaling),
            try Examples(features: reference(pixels, width: width, scaling), labels: labels, width: width)
        )
    }

    static func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

    // MARK: - Conversion

    /// Widths with and without a tail after the 8-wide chunks.
    @Test(arguments: [256, 259, 5])
    func scaleIsBitIdenticalForEveryByte(width: Int) throws {
        // Every byte value, in rows of `width`.
        let count = (256 + width - 1) / width
        let pixels = (0..<count * width).map { UInt8($0 % 256) }
        let labels = [UInt8](repeating: 0, count: count)
        let examples = try Examples(pixels: pixels, labels: labels, width: width, scaling: .scale)
        let converted = examples.features
        #expect(Self.bits(converted) == Self.bits(Self.reference(pixels, width: width, .scale)))
        // Keras's x / 255.0 itself, byte by byte: a division, not a product with 1/255.
        for p in 0...255 {
            #expect(converted[p].bitPattern == (Float(p) / 255).bitPattern, "byte \(p)")
        }
        #expect(converted[0].sign == .plus && converted[255] == 1)
    }

    @Test(arguments: [13, 784])
    func standardizeIsBitIdenticalForEveryByte(width: Int) throws {
        // Row r holds byte (r + 7j) % 256 at input j: every byte at every input.
        let pixels = (0..<256 * width).map { i in UInt8((i / width + 7 * (i % width)) % 256) }
        var generator = SeededGenerator(seed: UInt64(width))
        let mean = (0..<width).map { j in j % 5 == 0 ? Float(j % 256) : Float(255 * generator.nextUnit()) }
        let std = (0..<width).map { j in j % 7 == 0 ? 1 : Float(0.01 + 120 * generator.nextUnit()) }
        let scaling = InputScaling.standardize(mean: mean, std: std)
        let examples = try Examples(
            pixels: pixels, labels: [UInt8](repeating: 0, count: 256), width: width, scaling: scaling)
        let converted = examples.features
        #expect(Self.bits(converted) == Self.bits(Self.reference(pixels, width: width, scaling)))
        // Where the pixel equals an integer mean the feature is +0, as in the reference.
        #expect(converted[0].bitPattern == Float(0).bitPattern)
    }

    @Test(arguments: [
        (InputScaling.standardize(mean: [0, 0], std: [1, 1, 1]), "Received: 2 means, 3 stds"),
        (.standardize(mean: [0, 0, 0], std: [1, 1]), "Received: 3 means, 2 stds"),
        (.standardize(mean: [0, 0, 0], std: [1, 0, 1]), "Received: std[1]=0.0"),
        (.standardize(mean: [0, 0, 0], std: [1, 1, -2]), "Received: std[2]=-2.0"),
        (.standardize(mean: [0, 0, 0], std: [.nan, 1, 1]), "Received: std[0]=nan"),
        (.standardize(mean: [0, 0, 0], std: [1, .infinity, 1]), "Received: std[1]=inf"),
        (.standardize(mean: [0, .nan, 0], std: [1, 1, 1]), "Received: mean[1]=nan"),
        (.standardize(mean: [0, 0, -.infinity], std: [1, 1, 1]), "Received: mean[2]=-inf"),
    ])
    func badStatisticsAreRefused(_ scaling: InputScaling, _ echo: String) throws {
        let pixels = [UInt8](repeating: 9, count: 6)
        do {
            _ = try Examples(pixels: pixels, labels: [0, 1], width: 3, scaling: scaling)
            Issue.record("accepted \(scaling)")
        } catch {
            #expect(error.description.hasSuffix(echo), "\(error)")
        }
        let model = try Model(architecture: Fixture.architecture(3, (2, .softmax)), seed: 1)
        #expect(throws: EngineError.self) { try model.predict(pixels: pixels, count: 2, scaling: scaling) }
    }

    @Test func badShapesAreRefused() throws {
        #expect(throws: EngineError.invalidArgument("the feature width must be a positive integer. Received: width=0")) {
            try Examples(pixels: [], labels: [], width: 0, scaling: .scale)
        }
        #expect(throws: EngineError.shapeMismatch("2 labels of width 3 need 2 × 3 pixels, got 5")) {
            try Examples(pixels: [UInt8](repeating: 0, count: 5), labels: [0, 1], width: 3, scaling: .scale)
        }
        let model = try Model(architecture: Fixture.architecture(3, (2, .softmax)), seed: 1)
        #expect(throws: EngineError.shapeMismatch("2 rows of 3 pixels need 2 × 3 values, got 5")) {
            try model.predict(pixels: [UInt8](repeating: 0, count: 5), count: 2, scaling: .scale)
        }
        #expect(throws: EngineError.self) { try model.predict(pixels: [], count: -1, scaling: .scale) }
        #expect(try model.predict(pixels: [], count: 0, scaling: .scale) == [])
        let wide = try Examples(pixels: [UInt8](repeating: 0, count: 8), labels: [0, 1], width: 4, scaling: .scale)
        #expect(throws: EngineError.self) { try model.predict(wide) }
        #expect(throws: EngineError.self) { try model.evaluate(wide) }
    }

    @Test func scaledPixelsTakeTheSparsePathAndStandardizedOnesTheDenseProduct() throws {
        let (rows, width) = (8, 64)
        let model = try Model(architecture: Fixture.architecture(width, (32, .relu), (4, .softmax)), seed: 3)
        let pixels = Self.pixels(rows: rows, width: width, density: 0.2, seed: 1)
        let labels = (0..<rows).map { UInt8($0 % 4) }
        for (scaling, sparse) in [(InputScaling.scale, true), (Self.standardizing(pixels, width: width), false)] {
            let examples = try Examples(pixels: pixels, labels: labels, width: width, scaling: scaling)
            let workspace = Workspace(model: model, capacity: rows, training: false, pixels: true)
            examples.withRows { rows in
                model.parameters.withUnsafeBufferPointer { p in
                    _ = workspace.forward(
                        rows.inputs, first: 0, rows: rows.count, parameters: p.baseAddress!, labels: nil,
                        gradientScale: nil)
                }
            }
            #expect(workspace.lastPassWasSparse == sparse)
        }
    }

    // MARK: - Training, evaluation and prediction from pixels

    static let width = 48
    static let count = 90
    static let trainingPixels = pixels(rows: count, width: width, density: 0.25, seed: 11)
    static let trainingLabels = (0..<count).map { UInt8(($0 * 7 + $0 / 3) % 4) }
    static let architecture = Fixture.architecture(width, (32, .relu), (12, .tanh), (4, .softmax))
    static let scalings = [InputScaling.scale, standardizing(trainingPixels, width: width)]

    static func timeless(_ epochs: [EpochMetrics]) -> [EpochMetrics] {
        epochs.map { epoch in
            var copy = epoch
            copy.seconds = 0
            return copy
        }
    }

    /// (scaling, validation split, shuffle)
    static let fits: [(Int, Double, Bool)] = [(0, 0, true), (0, 0.25, true), (1, 0, true), (1, 0.25, true), (0, 0.2, false)]

    @Test(arguments: fits)
    func trainingFromPixelsEqualsTrainingFromFeatures(_ scaling: Int, _ split: Double, _ shuffle: Bool) throws {
        let (pixels, features) = try Self.pair(
            Self.trainingPixels, labels: Self.trainingLabels, width: Self.width, Self.scalings[scaling])
        let configuration = FitConfiguration(epochs: 2, batchSize: 8, shuffle: shuffle, seed: 5)
        func train(_ examples: Examples) throws -> (Model, FitResult) {
            let model = try Model(architecture: Self.architecture, seed: 4)
            let result = try model.fit(
                examples, validationSplit: split, optimizer: .adam(learningRate: 0.01), configuration: configuration,
                onBatch: { _ in true }, onEpoch: { _ in })
            return (model, result)
        }
        let (fromPixels, pixelResult) = try train(pixels)
        let (fromFeatures, featureResult) = try train(features)
        #expect(fromPixels.parameters == fromFeatures.parameters)
        #expect(fromPixels.optimizerState?.slots == fromFeatures.optimizerState?.slots)
        #expect(fromPixels.optimizerState?.iterations == fromFeatures.optimizerState?.iterations)
        #expect(Self.timeless(pixelResult.epochs) == Self.timeless(featureResult.epochs))
        #expect(pixelResult.epochs.allSatisfy { ($0.validationLoss != nil) == (split > 0) })
        #expect(fromPixels.parameters != (try Model(architecture: Self.architecture, seed: 4)).parameters)

        // And the figures after training, on the whole set.
        #expect(try fromPixels.evaluate(pixels) == fromFeatures.evaluate(features))
        #expect(try fromPixels.evaluate(pixels, batchSize: 7) == fromFeatures.evaluate(features, batchSize: 7))
        #expect(try fromPixels.predict(pixels) == fromFeatures.predict(features: features.features, count: Self.count))
        #expect(
            try fromPixels.predict(pixels: Self.trainingPixels, count: Self.count, scaling: Self.scalings[scaling])
                == fromFeatures.predict(features))
    }

    @Test(arguments: [0, 1])
    func separateValidationRowsEqualTheSplit(_ scaling: Int) throws {
        // fit(validation: rows(...)) of pixels == fit(validationSplit:) of features.
        let (pixels, features) = try Self.pair(
            Self.trainingPixels, labels: Self.trainingLabels, width: Self.width, Self.scalings[scaling])
        let configuration = FitConfiguration(epochs: 2, batchSize: 16, seed: 2)
        let parts = try Model(architecture: Self.architecture, seed: 9)
        let partsResult = try quietFit(
            parts, try pixels.rows(0..<72), validation: try pixels.rows(72..<90), configuration)
        let split = try Model(architecture: Self.architecture, seed: 9)
        let splitResult = try split.fit(
            features, validationSplit: 0.2, optimizer: .adam(), configuration: configuration,
            onBatch: { _ in true }, onEpoch: { _ in })
        #expect(parts.parameters == split.parameters)
        #expect(Self.timeless(partsResult.epochs) == Self.timeless(splitResult.epochs))
        // The last epoch's validation figures are `evaluate` on the same rows.
        let validation = try split.evaluate(try pixels.rows(72..<90))
        #expect(splitResult.epochs.last?.validationLoss == validation.loss)
        #expect(splitResult.epochs.last?.validationAccuracy == validation.accuracy)
    }

    // MARK: - Rows

    @Test func rowsShareTheArraysAndKeepTheirValues() throws {
        let (pixels, features) = try Self.pair(
            Self.trainingPixels, labels: Self.trainingLabels, width: Self.width, .scale)
        let width = Self.width
        for examples in [pixels, features] {
            let part = try examples.rows(30..<45)
            #expect(part.count == 15 && part.width == width)
            #expect(part.labels == Array(Self.trainingLabels[30..<45]))
            #expect(part.features == Array(features.features[(30 * width)..<(45 * width)]))
            // Rows of rows count from the part's own start.
            let row = try part.rows(2..<3)
            #expect(row.labels == [Self.trainingLabels[32]])
            #expect(row.features == Array(features.features[(32 * width)..<(33 * width)]))
            // In place: the part reads the whole set's storage at its offset.
            let base = examples.withRows { $0.labels }
            #expect(part.withRows { $0.labels } == base + 30)
            #expect(try examples.rows(0..<0).count == 0)
            #expect(try examples.rows(0..<Self.count).labels == examples.labels)
        }
        let inputs = (pixels.withRows { $0.inputs }, try pixels.rows(30..<45).withRows { $0.inputs })
        if case .pixels(let whole, _) = inputs.0.source, case .pixels(let part, _) = inputs.1.source {
            #expect(part == whole + 30 * width)
        } else {
            Issue.record("pixel rows are not read as pixels")
        }
    }

    @Test(arguments: [-1..<2, 0..<91, 89..<92])
    func rowsOutsideTheSetAreRefused(_ range: Range<Int>) throws {
        let examples = try Examples(
            pixels: Self.trainingPixels, labels: Self.trainingLabels, width: Self.width, scaling: .scale)
        let refusal = EngineError.invalidArgument(
            "rows \(range.lowerBound)..<\(range.upperBound) are outside the 90 examples (0..<90)")
        #expect(throws: refusal) { try examples.rows(range) }
    }

    @Test func predictingOneRowMatchesItsRowInTheWholeSet() throws {
        let scaling = Self.scalings[0]
        let examples = try Examples(
            pixels: Self.trainingPixels, labels: Self.trainingLabels, width: Self.width, scaling: scaling)
        let model = try Model(architecture: Self.architecture, seed: 1)
        let all = try model.predict(examples)
        #expect(all.count == Self.count * 4)
        for index in [0, 41, 89] {
            let one = try model.predict(try examples.rows(index..<(index + 1)))
            #expect(close(one, Array(all[(index * 4)..<(index * 4 + 4)])))
            #expect(abs(one.reduce(0, +) - 1) < 1e-5)
        }
        #expect(try model.predict(try examples.rows(5..<5)) == [])
    }
}
