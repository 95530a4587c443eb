import Testing

@testable import Engine

#if canImport(Glibc)
    import Glibc
#endif

/// How many of the values differ in their bits (all of them on a length mismatch).
func differingBits(_ a: [Float], _ b: [Float]) -> Int {
    a.count == b.count ? zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count : max(a.count, b.count)
}

/// The engine's arithmetic is its own: the fast training path (sparse first
/// layer, tiled vector products, vector optimizer passes) gives exactly the
/// bits of the plain reference (`ReferenceTraining`), and the elementary
/// functions are accurate.
struct DefinedOrderTests {
    /// MNIST-like pixels (~19% non-zero) with labels from a fixed rule, so
    /// training has something to learn.
    static func digits(count: Int, seed: UInt64) throws -> Examples {
        let width = 784
        let pixels = PixelInputTests.pixels(rows: count, width: width, density: 0.19, seed: seed)
        let labels = (0..<count).map { r -> UInt8 in
            var ink = [Int](repeating: 0, count: 10)
            for i in 0..<width where pixels[r * width + i] > 128 { ink[i * 10 / width] += 1 }
            return UInt8(ink.indices.max { ink[$0] < ink[$1] } ?? 0)
        }
        return try Examples(pixels: pixels, labels: labels, width: width, scaling: .scale)
    }

    /// `steps` steps of batch 32 through `Model.fit` and through the
    /// reference, with a validation part, over two epochs (the second
    /// reshuffled); every weight, loss and metric must have the same bits.
    func expectSameBits(
        _ architecture: Architecture, optimizer: Optimizer, steps: Int, seed: UInt64 = 1,
        schedule: LearningRateSchedule? = nil, weightDecay: Float = 0, labelSmoothing: Float = 0
    ) throws {
        let examples = try Self.digits(count: steps * 32 / 2 + 200, seed: seed)
        let (training, validation) = try examples.splitForValidation(200.0 / Double(examples.count))
        let configuration = FitConfiguration(
            epochs: 2, batchSize: 32, shuffle: true, seed: seed, schedule: schedule, weightDecay: weightDecay,
            labelSmoothing: labelSmoothing)
        let model = try Model(architecture: architecture, seed: seed)
        let start = model.parameters
        let result = try quietFit(model, training, validation: validation, optimizer: optimizer, configuration)
        let reference = ReferenceTraining.fit(
            layers: model.layers, parameters: start, training: training, validation: validation, optimizer: optimizer,
            configuration: configuration)
        #expect(differingBits(model.parameters, reference.parameters) == 0, "weights that differ from the reference")
        let figures = result.epochs.map {
            ReferenceTraining.Epoch(
                loss: $0.loss, accuracy: $0.accuracy, validationLoss: $0.validationLoss,
                validationAccuracy: $0.validationAccuracy)
        }
        #expect(figures == reference.epochs)
        let evaluation = try model.evaluate(validation!)
        let totals = ReferenceTraining.evaluate(
            layers: model.layers, parameters: model.parameters, features: validation!.features, labels: validation!.labels)
        #expect(evaluation.loss == totals.loss / Double(validation!.count))
        #expect(evaluation.loss.isFinite && evaluation.loss > 0)
    }

    /// Seed B's shape: the first layer takes the sparse sums.
    @Test func dense128TrainsToTheReferenceBits() throws {
        try expectSameBits(Fixture.architecture(784, (128, .relu), (10, .softmax)), optimizer: .adam(), steps: 300)
    }

    /// Seed A's shape: the first layer takes the dense product.
    @Test func dense15TrainsToTheReferenceBits() throws {
        try expectSameBits(Fixture.architecture(784, (15, .relu), (10, .softmax)), optimizer: .adam(), steps: 300)
    }

    /// The other activations and optimizers, and a dx through two hidden layers.
    @Test(arguments: [
        Optimizer.sgd(learningRate: 0.1, momentum: 0.9, nesterov: true), .sgd(),
        .rmsprop(momentum: 0.5), .rmsprop(),
    ])
    func otherLayersAndOptimizersTrainToTheReferenceBits(optimizer: Optimizer) throws {
        try expectSameBits(
            Fixture.architecture(784, (40, .tanh), (17, .sigmoid), (12, .linear), (10, .softmax)),
            optimizer: optimizer, steps: 60, seed: 4)
    }

    /// A schedule, Keras 3's weight decay (AdamW) and label smoothing, on
    /// seed B's shape: the fast path's chunked first-layer updates decay
    /// each piece just before its update, as the reference decays all.
    @Test func dense128WithScheduleWeightDecayAndSmoothingTrainsToTheReferenceBits() throws {
        try expectSameBits(
            Fixture.architecture(784, (128, .relu), (10, .softmax)), optimizer: .adam(learningRate: 0.002), steps: 200,
            schedule: .cosine(initial: 0.002, decaySteps: 150, alpha: 0.1, warmupSteps: 20, warmupTarget: 0.004),
            weightDecay: 0.004, labelSmoothing: 0.1)
    }

    /// Every schedule with each optimizer, on the deeper stack.
    @Test(arguments: [
        (
            Optimizer.sgd(learningRate: 0.1, momentum: 0.9, nesterov: true),
            LearningRateSchedule.exponential(initial: 0.1, decaySteps: 7, decayRate: 0.5, staircase: true)
        ),
        (.sgd(), .exponential(initial: 0.05, decaySteps: 10, decayRate: 0.9, staircase: false)),
        (.rmsprop(momentum: 0.5), .piecewise(boundaries: [10, 30], values: [0.002, 0.001, 0.0005])),
        (.adam(), .cosine(initial: 0.003, decaySteps: 50, alpha: 0, warmupSteps: 0, warmupTarget: nil)),
    ])
    func schedulesWithDecayAndSmoothingTrainToTheReferenceBits(optimizer: Optimizer, schedule: LearningRateSchedule) throws {
        try expectSameBits(
            Fixture.architecture(784, (40, .tanh), (17, .sigmoid), (12, .linear), (10, .softmax)),
            optimizer: optimizer, steps: 60, seed: 4, schedule: schedule, weightDecay: 0.01, labelSmoothing: 0.2)
    }

    /// The schedules' own arithmetic against the C library, and Keras's shapes.
    @Test func schedulesFollowKerasFormulas() {
        for x in [-30.0, -2.5, -0.3, 0, 1e-9, 0.7, 3, 40] {
            #expect(abs(ScheduleMath.exp(x) - Glibc.exp(x)) <= 4 * Glibc.exp(x).ulp, "exp(\(x))")
        }
        var x = 0.0
        while x <= Double.pi {
            #expect(abs(ScheduleMath.cos(x) - Glibc.cos(x)) <= 1e-15, "cos(\(x))")
            x += 0.0123
        }
        #expect(abs(ScheduleMath.power(0.96, 2.5) - Glibc.pow(0.96, 2.5)) <= 1e-15)
        let exponential = LearningRateSchedule.exponential(initial: 0.1, decaySteps: 100, decayRate: 0.5, staircase: false)
        #expect(exponential.rate(at: 0) == 0.1)
        #expect(exponential.rate(at: 100) == 0.05)
        #expect(abs(exponential.rate(at: 50) - Float(0.1 * Glibc.pow(0.5, 0.5))) <= Float(0.07).ulp)
        let stairs = LearningRateSchedule.exponential(initial: 0.1, decaySteps: 100, decayRate: 0.5, staircase: true)
        #expect(stairs.rate(at: 199) == 0.05 && stairs.rate(at: 200) == 0.025)
        let cosine = LearningRateSchedule.cosine(initial: 0.01, decaySteps: 100, alpha: 0.1, warmupSteps: 0, warmupTarget: nil)
        #expect(cosine.rate(at: 0) == 0.01)
        #expect(cosine.rate(at: 50) == Float(Double(Float(0.01)) * (0.9 * 0.5 + 0.1)))
        #expect(cosine.rate(at: 100) == Float(Double(Float(0.01)) * 0.1) && cosine.rate(at: 5000) == cosine.rate(at: 100))
        let warm = LearningRateSchedule.cosine(initial: 0, decaySteps: 10, alpha: 0, warmupSteps: 10, warmupTarget: 0.1)
        #expect(warm.rate(at: 0) == 0 && warm.rate(at: 5) == 0.05 && warm.rate(at: 10) == 0.1 && warm.rate(at: 20) == 0)
        let pieces = LearningRateSchedule.piecewise(boundaries: [3, 6], values: [1, 0.5, 0.1])
        #expect((0...8).map { pieces.rate(at: $0) } == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.1, 0.1])
    }

    /// e^x within 2 ulp of the C library's (correctly rounded to within an
    /// ulp) over the range softmax and sigmoid use, and exact where it must be.
    @Test func expIsAccurate() {
        var x: Float = -103
        while x < 88.7 {
            let mine = ElementaryFunctions.exp(x)
            let libm = expf(x)
            if libm >= Float.leastNormalMagnitude {
                #expect(abs(mine - libm) <= 2 * libm.ulp, "exp(\(x)) = \(mine), libm \(libm)")
            } else {
                #expect(abs(mine - libm) <= 2 * Float.leastNonzeroMagnitude)
            }
            x += 0.013_7
        }
        #expect(ElementaryFunctions.exp(0) == 1)
        #expect(ElementaryFunctions.exp(-200) == 0)
        #expect(ElementaryFunctions.exp(100) == .infinity)
        #expect(ElementaryFunctions.exp(-.infinity) == 0)
        #expect(ElementaryFunctions.exp(.nan).isNaN)
    }

    @Test func logIsAccurate() {
        for x in [1.0, 2, 10, 0.5, 1e-300, Double.leastNonzeroMagnitude, 3.7, 1e300, 1.414_213_562_373_095, 1.000_001, 0.999_999]
        {
            let mine = ElementaryFunctions.log(x)
            #expect(abs(mine - Glibc.log(x)) <= 4 * max(abs(Glibc.log(x)).ulp, Double.ulpOfOne), "log(\(x))")
        }
        #expect(ElementaryFunctions.log(1) == 0)
        #expect(ElementaryFunctions.log(0) == -.infinity)
        #expect(ElementaryFunctions.log(-1).isNaN)
        #expect(ElementaryFunctions.log(.infinity) == .infinity)
    }

    @Test func tanhAndSigmoidAreAccurate() {
        var x: Float = -12
        while x < 12 {
            let libm = tanhf(x)
            #expect(abs(ElementaryFunctions.tanh(x) - libm) <= 3 * max(abs(libm).ulp, Float.leastNormalMagnitude))
            let sigmoid = 1 / (1 + Double(Glibc.exp(Double(-x))))
            #expect(abs(Double(ElementaryFunctions.sigmoid(x)) - sigmoid) <= 3 * Double(Float(sigmoid).ulp))
            x += 0.003_1
        }
        #expect(ElementaryFunctions.tanh(0) == 0)
        #expect(ElementaryFunctions.tanh(1e-20) == 1e-20)
        #expect(ElementaryFunctions.sigmoid(0) == 0.5)
    }

    @Test func powerBySquaring() {
        #expect(ElementaryFunctions.power(0.9, 0) == 1)
        #expect(ElementaryFunctions.power(2, 10) == 1024)
        #expect(abs(ElementaryFunctions.power(0.999, 15_000) - Glibc.pow(0.999, 15_000)) < 1e-15)
    }
}

/// Threads 1, 2 and 4 train and evaluate to the same bits: passes are cut
/// into the same tasks whatever the count, and no sum crosses two tasks.
struct ThreadCountTests {
    static func train(threads: Int, _ architecture: Architecture) throws -> (weights: [Float], figures: [Double]) {
        try ComputeThreads.$override.withValue(threads) {
            let examples = try DefinedOrderTests.digits(count: 3_000, seed: 9)
            let model = try Model(architecture: architecture, seed: 3)
            // With a schedule, weight decay and label smoothing: their passes split as the optimizer's.
            let result = try model.fit(
                examples, validationSplit: 0.2, optimizer: .adam(),
                configuration: FitConfiguration(
                    epochs: 2, batchSize: 64, seed: 3,
                    schedule: .exponential(initial: 0.001, decaySteps: 20, decayRate: 0.8, staircase: false),
                    weightDecay: 0.004, labelSmoothing: 0.1),
                onBatch: { _ in true }, onEpoch: { _ in })
            let evaluation = try model.evaluate(examples, batchSize: 500)
            let figures = result.epochs.flatMap { [$0.loss, $0.accuracy, $0.validationLoss!, $0.validationAccuracy!] }
            return (model.parameters, figures + [evaluation.loss, evaluation.accuracy])
        }
    }

    @Test(arguments: [
        Fixture.architecture(784, (128, .relu), (10, .softmax)),
        Fixture.architecture(784, (256, .tanh), (300, .relu), (10, .softmax)),
    ])
    func threadsOneTwoAndFourGiveTheSameBits(architecture: Architecture) throws {
        let one = try Self.train(threads: 1, architecture)
        for threads in [2, 4] {
            let other = try Self.train(threads: threads, architecture)
            #expect(differingBits(other.weights, one.weights) == 0, "threads=\(threads)")
            #expect(other.figures == one.figures, "threads=\(threads)")
        }
    }
}

/// Passes started from several threads at once (as concurrent tests, or a
/// library user, do) all finish, with the bits of a lone pass.
struct ConcurrentPassTests {
    @Test func concurrentCallersFinishWithTheSameBits() async throws {
        let architecture = Fixture.architecture(784, (64, .relu), (10, .softmax))
        let alone = try ThreadCountTests.train(threads: 2, architecture)
        let results = try await withThrowingTaskGroup(of: [Float].self) { group in
            for _ in 0..<4 {
                group.addTask { try ThreadCountTests.train(threads: 2, architecture).weights }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for weights in results { #expect(differingBits(weights, alone.weights) == 0) }
    }
}
