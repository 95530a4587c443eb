import Testing

@testable import Engine

/// Parameter counts, layouts, initialisation and the errors bad input gets.
struct ArchitectureTests {
    static let seedB = Fixture.architecture(784, (128, .relu), (10, .softmax))
    static let seedA = Fixture.architecture(784, (15, .relu), (10, .softmax))

    @Test func parameterCountsMatchKeras() {
        #expect(Self.seedB.parameterCount == 101_770)
        #expect(Self.seedA.parameterCount == 11_935)
        #expect(Self.seedB.widths == "784-128-10")
        // Dropout keeps its input's shape: no width of its own.
        #expect(ConvolutionTests.kerasConvnet.widths == "28x28x1-26x26x32-13x13x32-11x11x64-5x5x64-1600-10")
    }

    @Test func parameterRangesAreKernelThenBiasLayerByLayer() throws {
        let model = try Model(architecture: Self.seedB, seed: 1)
        #expect(model.parameterRanges(layer: 0) == (0..<100_352, 100_352..<100_480))
        #expect(model.parameterRanges(layer: 1) == (100_480..<101_760, 101_760..<101_770))
        #expect(model.parameters.count == 101_770)
    }

    @Test func glorotUniformKernelsAndZeroBiases() throws {
        let model = try Model(architecture: Self.seedB, seed: 3)
        for layer in 0..<2 {
            let (kernel, bias) = model.parameterRanges(layer: layer)
            let inputs = layer == 0 ? 784 : 128
            let outputs = layer == 0 ? 128 : 10
            let limit = Float((6 / Double(inputs + outputs)).squareRoot())
            let values = model.parameters[kernel]
            #expect(values.allSatisfy { abs($0) <= limit })
            #expect(model.parameters[bias].allSatisfy { $0 == 0 })
            // Uniform on [-limit, limit]: mean 0, variance limit²/3.
            let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
            let variance = values.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(values.count)
            let expected = Double(limit * limit) / 3
            #expect(abs(mean) < 0.05 * Double(limit))
            #expect(abs(variance - expected) < 0.1 * expected)
        }
    }

    @Test func sameSeedSameWeightsOtherSeedOtherWeights() throws {
        let a = try Model(architecture: Self.seedA, seed: 9).parameters
        #expect(a == (try Model(architecture: Self.seedA, seed: 9).parameters))
        #expect(a != (try Model(architecture: Self.seedA, seed: 10).parameters))
    }

    @Test func generatorIsPinned() {
        // xoshiro256** seeded through SplitMix64, checked against an independent implementation.
        var zero = SeededGenerator(seed: 0)
        #expect(
            [zero.next(), zero.next(), zero.next()] == [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A, 0x1A5F_849D_4933_E6E0])
        var answer = SeededGenerator(seed: 42)
        #expect(answer.next() == 0x1578_0B2E_0C2E_C716)
        var mixer = SplitMix64(state: 0)
        #expect(mixer.next() == 0xE220_A839_7B1D_CDAF)
    }

    /// Eight generators side by side draw each lane's own numbers (unused lanes ignored).
    @Test(arguments: [1, 3, 8])
    func generatorLanesDrawWhatEachGeneratorDraws(lanes: Int) {
        var singles = (0..<lanes).map { SeededGenerator(seed: UInt64($0) &* 0x9E37_79B9 &+ 11) }
        var side = SeededGenerators8(singles)
        for _ in 0..<1000 {
            let drawn = side.next()
            for lane in 0..<lanes { #expect(drawn[lane] == singles[lane].next()) }
        }
    }

    @Test func boundedDrawsStayInRange() {
        var generator = SeededGenerator(seed: 5)
        var seen = Set<UInt64>()
        for _ in 0..<1000 { seen.insert(generator.next(below: 7)) }
        #expect(seen == Set(0..<7))
    }

    // MARK: - Invalid architectures

    @Test(arguments: [
        (Fixture.architecture(0, (10, .softmax)), "Received: input_width=0"),
        (Architecture(inputWidth: 4, layers: []), "at least one Dense layer"),
        (Fixture.architecture(4, (-3, .relu), (10, .softmax)), "layer 1: units must be a positive integer. Received: units=-3"),
        (Fixture.architecture(4, (8, .relu), (0, .softmax)), "Received: units=0"),
        (Fixture.architecture(4, (8, .relu), (10, .relu)), "last layer must use softmax"),
        (Fixture.architecture(4, (8, .softmax), (10, .softmax)), "softmax is only allowed on the last layer"),
        (Fixture.architecture(1 << 20, (1 << 20, .relu), (10, .softmax)), "too large"),
        (Fixture.architecture(4, (Int.max, .relu), (10, .softmax)), "too large"),
    ])
    func invalidArchitecturesAreRejected(_ architecture: Architecture, _ fragment: String) {
        #expect {
            _ = try Model(architecture: architecture, seed: 1)
        } throws: { error in
            guard case .invalidArchitecture(let message) = error as? EngineError else { return false }
            return message.contains(fragment)
        }
    }

    @Test func parameterCountMustMatch() {
        #expect(throws: EngineError.shapeMismatch("architecture 784-15-10 has 11935 parameters, got 5")) {
            _ = try Model(architecture: Self.seedA, parameters: [1, 2, 3, 4, 5])
        }
    }

    // MARK: - Bad arguments

    @Test func examplesValidateTheirShape() {
        #expect(throws: EngineError.invalidArgument("the feature width must be a positive integer. Received: width=0")) {
            _ = try Examples(features: [], labels: [], width: 0)
        }
        #expect(throws: EngineError.shapeMismatch("2 labels of width 3 need 2 × 3 features, got 5")) {
            _ = try Examples(features: [1, 2, 3, 4, 5], labels: [0, 1], width: 3)
        }
    }

    @Test func labelsBeyondTheOutputUnitsAreNamed() throws {
        let model = try Model(architecture: Fixture.architecture(2, (3, .softmax)), seed: 1)
        let examples = try Examples(features: [0, 0, 1, 1], labels: [1, 7], width: 2)
        #expect {
            _ = try model.evaluate(examples)
        } throws: { error in
            guard case .invalidArgument(let message) = error as? EngineError else { return false }
            return message.contains("label 7") && message.contains("3 units")
        }
    }

    @Test func widthMismatchNamesBothWidths() throws {
        let model = try Model(architecture: Fixture.architecture(2, (3, .softmax)), seed: 1)
        let examples = try Examples(features: [0, 0, 1], labels: [1], width: 3)
        #expect(throws: EngineError.shapeMismatch("the model expects 2 features per example, the evaluation data has 3")) {
            _ = try model.evaluate(examples)
        }
        #expect(throws: EngineError.shapeMismatch("3 rows of 2 features need 3 × 2 values, got 5")) {
            _ = try model.predict(features: [1, 2, 3, 4, 5], count: 3)
        }
        #expect(try model.predict(features: [], count: 0) == [])
    }

    @Test func evaluateRejectsBadBatchAndEmptySets() throws {
        let model = try Model(architecture: Fixture.architecture(2, (3, .softmax)), seed: 1)
        let one = try Examples(features: [0, 0], labels: [1], width: 2)
        #expect(throws: EngineError.invalidArgument("batch size must be at least 1. Received: batch_size=0")) {
            _ = try model.evaluate(one, batchSize: 0)
        }
        #expect(throws: EngineError.invalidArgument("cannot evaluate on an empty set of examples")) {
            _ = try model.evaluate(Examples(features: [], labels: [], width: 2))
        }
    }

    @Test func fitValidatesItsConfiguration() throws {
        let model = try Model(architecture: Fixture.architecture(2, (3, .softmax)), seed: 1)
        let data = try Examples(features: [0, 0, 1, 1], labels: [1, 2], width: 2)
        let before = model.parameters
        #expect(throws: EngineError.invalidArgument("epochs must be at least 1. Received: epochs=0")) {
            try quietFit(model, data, FitConfiguration(epochs: 0))
        }
        #expect(throws: EngineError.invalidArgument("batch size must be at least 1. Received: batch_size=-4")) {
            try quietFit(model, data, FitConfiguration(batchSize: -4))
        }
        #expect(throws: EngineError.invalidArgument("the training set is empty")) {
            try quietFit(model, Examples(features: [], labels: [], width: 2), FitConfiguration())
        }
        #expect(throws: EngineError.invalidArgument("the validation set is empty")) {
            try quietFit(model, data, validation: Examples(features: [], labels: [], width: 2), FitConfiguration())
        }
        #expect(throws: EngineError.invalidArgument("sgd: learning_rate must be a positive number. Received: learning_rate=0.0"))
        {
            try quietFit(model, data, optimizer: .sgd(learningRate: 0), FitConfiguration())
        }
        #expect {
            try quietFit(model, try Examples(features: [0, 0], labels: [3], width: 2), FitConfiguration())
        } throws: { error in
            guard case .invalidArgument(let message) = error as? EngineError else { return false }
            return message.contains("training data has label 3")
        }
        #expect(model.parameters == before)
        #expect(model.optimizerState == nil)
    }

    @Test func batchesWhoseBuffersWouldExhaustMemoryAreRefused() throws {
        // 2^22 units: one training row costs 2·(2^22 + 2) + 2 floats; 200 rows pass 4 GiB.
        let model = try Model(architecture: Fixture.architecture(2, (1 << 22, .relu), (2, .softmax)), seed: 1)
        let rows = 200
        let data = try Examples(
            features: [Float](repeating: 0, count: 2 * rows), labels: [UInt8](repeating: 0, count: rows), width: 2)
        #expect {
            try quietFit(model, data, FitConfiguration(batchSize: rows))
        } throws: { error in
            guard case .invalidArgument(let message) = error as? EngineError else { return false }
            return message.hasPrefix("batch_size=200 needs 7 GiB")
        }
    }

    @Test func mismatchedOptimizerStateIsRejected() throws {
        let model = try Model(architecture: Fixture.architecture(2, (3, .softmax)), seed: 1)
        let data = try Examples(features: [0, 0, 1, 1], labels: [1, 2], width: 2)
        model.optimizerState = OptimizerState(optimizer: .adam(), slots: [[0], [0]])
        #expect {
            try quietFit(model, data, optimizer: .adam(), FitConfiguration())
        } throws: { error in
            guard case .invalidArgument(let message) = error as? EngineError else { return false }
            return message.contains("slot 0 has 1 values but the model has 9 parameters")
        }
        // A different optimizer ignores the stale state and starts afresh.
        try quietFit(model, data, optimizer: .sgd(), FitConfiguration())
        #expect(model.optimizerState?.optimizer == .sgd())
    }

    @Test(arguments: [
        (EngineError.invalidArchitecture("x"), "invalid architecture: x"),
        (.invalidArgument("epochs must be at least 1"), "epochs must be at least 1"),
        (.shapeMismatch("y"), "shape mismatch: y"),
    ])
    func errorsRenderForUsers(_ error: EngineError, _ text: String) {
        #expect(error.description == text)
        #expect("\(error)" == text)
    }
}
