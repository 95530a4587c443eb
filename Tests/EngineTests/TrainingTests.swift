import Testing

@testable import Engine

/// `fit` semantics: convergence, Keras's per-epoch bookkeeping, stopping,
/// resuming and determinism.
struct TrainingTests {
    static let architecture = Fixture.architecture(4, (16, .relu), (3, .softmax))
    static let blobs = Fixture.blobs(count: 300)
    static let heldOut = Fixture.blobs(count: 90, seed: 8)

    @Test(arguments: [
        Optimizer.adam(learningRate: 0.01), .sgd(learningRate: 0.1, momentum: 0.9), .rmsprop(learningRate: 0.01),
    ])
    func convergesOnSeparableBlobs(_ optimizer: Optimizer) throws {
        let model = try Model(architecture: Self.architecture, seed: 1)
        let before = try model.evaluate(Self.heldOut)
        let result = try quietFit(
            model, Self.blobs, validation: Self.heldOut, optimizer: optimizer,
            FitConfiguration(epochs: 10, batchSize: 16))
        let after = try model.evaluate(Self.heldOut)
        #expect(after.accuracy > 0.95)
        #expect(after.loss < before.loss / 4)
        #expect(result.epochs.count == 10)
        #expect(result.epochs.last!.loss < result.epochs.first!.loss)
        // The last epoch's validation figures are the model's figures after fit.
        #expect(close(result.epochs.last!.validationLoss!, after.loss, 1e-5))
        #expect(result.epochs.last!.validationAccuracy == after.accuracy)
    }

    @Test func stepsIncludeThePartialLastBatchAndMetricsAreSampleWeighted() throws {
        let model = try Model(architecture: Self.architecture, seed: 2)
        let data = try Examples(
            features: Array(Self.blobs.features[0..<(10 * 4)]), labels: Array(Self.blobs.labels[0..<10]), width: 4)
        var progress: [BatchProgress] = []
        var reported: [EpochMetrics] = []
        let result = try model.fit(
            data, validation: nil, optimizer: .sgd(), configuration: FitConfiguration(epochs: 2, batchSize: 4),
            onBatch: {
                progress.append($0); return true
            }, onEpoch: { reported.append($0) })
        // ceil(10 / 4) = 3 steps of 4, 4, 2 rows.
        #expect(progress.map(\.step) == [1, 2, 3, 1, 2, 3])
        #expect(progress.allSatisfy { $0.steps == 3 && $0.epochs == 2 })
        #expect(progress.map(\.epoch) == [1, 1, 1, 2, 2, 2])
        #expect(result.epochs == reported)
        #expect(result.epochs.map(\.steps) == [3, 3])
        #expect(result.stoppedAt == nil)
        #expect(model.optimizerState?.iterations == 6)
        #expect(model.optimizerState?.completedEpochs == 2)
        // The epoch's loss is the last running value: (4·l₁ + 4·l₂ + 2·l₃) / 10.
        #expect(result.epochs[0].loss == progress[2].loss)
        #expect(result.epochs[0].accuracy == progress[2].accuracy)
        let batchLosses = [
            progress[0].loss * 4, progress[1].loss * 8 - progress[0].loss * 4, progress[2].loss * 10 - progress[1].loss * 8,
        ]
        #expect(close((batchLosses[0] + batchLosses[1] + batchLosses[2]) / 10, result.epochs[0].loss, 1e-12))
        #expect(progress.allSatisfy { $0.elapsed >= 0 })
        #expect(result.epochs.allSatisfy { $0.seconds >= 0 && $0.validationLoss == nil })
    }

    @Test func lossIsMeasuredBeforeTheUpdate() throws {
        // One full batch, no shuffle: the epoch's loss is the starting model's loss.
        let model = try Model(architecture: Self.architecture, seed: 3)
        let start = try model.evaluate(Self.blobs)
        let result = try quietFit(model, Self.blobs, FitConfiguration(epochs: 1, batchSize: 1000, shuffle: false))
        #expect(close(result.epochs[0].loss, start.loss, 1e-6))
        #expect(result.epochs[0].accuracy == start.accuracy)
    }

    @Test func stoppingAfterABatchKeepsItsUpdateAndOnlyFinishedEpochs() throws {
        let model = try Model(architecture: Self.architecture, seed: 4)
        var afterFirstEpoch: [Float] = []
        var epochsReported = 0
        let result = try model.fit(
            Self.blobs, validation: Self.heldOut, optimizer: .adam(), configuration: FitConfiguration(epochs: 5, batchSize: 32),
            onBatch: { !($0.epoch == 2 && $0.step == 3) },
            onEpoch: { _ in
                epochsReported += 1
                afterFirstEpoch = model.parameters
            })
        #expect(result.stoppedAt! == (epoch: 2, step: 3))
        #expect(result.epochs.count == 1)
        #expect(epochsReported == 1)
        // 10 steps in epoch 1, then 3 more; the stopped epoch does not count as done.
        #expect(model.optimizerState?.iterations == 13)
        #expect(model.optimizerState?.completedEpochs == 1)
        #expect(model.parameters != afterFirstEpoch)

        // The same 13 updates, replayed, give the same weights.
        let replay = try Model(architecture: Self.architecture, seed: 4)
        var steps = 0
        _ = try replay.fit(
            Self.blobs, validation: nil, optimizer: .adam(), configuration: FitConfiguration(epochs: 5, batchSize: 32),
            onBatch: { _ in
                steps += 1; return steps < 13
            }, onEpoch: { _ in })
        #expect(replay.parameters == model.parameters)
    }

    @Test func sameSeedIsBitIdenticalOtherSeedIsNot() throws {
        func train(modelSeed: UInt64, shuffleSeed: UInt64) throws -> [Float] {
            let model = try Model(architecture: Self.architecture, seed: modelSeed)
            try quietFit(model, Self.blobs, FitConfiguration(epochs: 2, batchSize: 8, seed: shuffleSeed))
            return model.parameters
        }
        let reference = try train(modelSeed: 1, shuffleSeed: 1)
        #expect(try train(modelSeed: 1, shuffleSeed: 1) == reference)
        #expect(try train(modelSeed: 1, shuffleSeed: 2) != reference)
        #expect(try train(modelSeed: 2, shuffleSeed: 1) != reference)
    }

    @Test(arguments: [Optimizer.adam(), .sgd(learningRate: 0.05, momentum: 0.9), .rmsprop(momentum: 0.5)])
    func twoEpochsEqualOnePlusOne(_ optimizer: Optimizer) throws {
        let whole = try Model(architecture: Self.architecture, seed: 6)
        try quietFit(whole, Self.blobs, optimizer: optimizer, FitConfiguration(epochs: 2, batchSize: 16, seed: 9))
        let resumed = try Model(architecture: Self.architecture, seed: 6)
        try quietFit(resumed, Self.blobs, optimizer: optimizer, FitConfiguration(epochs: 1, batchSize: 16, seed: 9))
        try quietFit(resumed, Self.blobs, optimizer: optimizer, FitConfiguration(epochs: 1, batchSize: 16, seed: 9))
        #expect(resumed.parameters == whole.parameters)
        #expect(resumed.optimizerState?.iterations == whole.optimizerState?.iterations)
        #expect(resumed.optimizerState?.slots == whole.optimizerState?.slots)
        #expect(resumed.optimizerState?.completedEpochs == 2)
    }

    /// The per-epoch control (EarlyStopping, ReduceLROnPlateau): a lower
    /// rate after epoch 1 and a stop after epoch 2 equal two one-epoch fits,
    /// the second with the lower rate and the state carried on; each epoch
    /// records the rate it ended with, before the control changed it.
    @Test func epochControlStopsAndLowersTheRate() throws {
        let controlled = try Model(architecture: Self.architecture, seed: 6)
        let result = try controlled.fit(
            Self.blobs, validation: Self.heldOut, optimizer: .adam(learningRate: 0.01),
            configuration: FitConfiguration(epochs: 5, batchSize: 16, seed: 9), onBatch: { _ in true },
            control: { metrics in
                EpochControl(stop: metrics.epoch == 2, learningRate: metrics.epoch == 1 ? 0.005 : nil)
            })
        #expect(result.epochs.map(\.epoch) == [1, 2])
        #expect(result.epochs.map(\.learningRate) == [Double(Float(0.01)), Double(Float(0.005))])
        #expect(controlled.optimizerState?.optimizer == .adam(learningRate: 0.005))

        let split = try Model(architecture: Self.architecture, seed: 6)
        try quietFit(split, Self.blobs, optimizer: .adam(learningRate: 0.01), FitConfiguration(epochs: 1, batchSize: 16, seed: 9))
        split.optimizerState?.optimizer = .adam(learningRate: 0.005)
        try quietFit(
            split, Self.blobs, optimizer: .adam(learningRate: 0.005), FitConfiguration(epochs: 1, batchSize: 16, seed: 9))
        #expect(split.parameters == controlled.parameters)
        #expect(split.optimizerState?.slots == controlled.optimizerState?.slots)
    }

    /// A schedule counts the optimizer's iterations, so it carries on across
    /// fits as the optimizer state does; the history logs its rate.
    @Test func scheduleCarriesOnAcrossFits() throws {
        let schedule = LearningRateSchedule.cosine(initial: 0.05, decaySteps: 40, alpha: 0, warmupSteps: 0, warmupTarget: nil)
        let configuration = { (epochs: Int) in
            FitConfiguration(epochs: epochs, batchSize: 16, seed: 9, schedule: schedule, weightDecay: 0.01)
        }
        let whole = try Model(architecture: Self.architecture, seed: 6)
        let result = try quietFit(whole, Self.blobs, optimizer: .sgd(learningRate: 0.05, momentum: 0.9), configuration(2))
        let resumed = try Model(architecture: Self.architecture, seed: 6)
        for _ in 0..<2 {
            try quietFit(resumed, Self.blobs, optimizer: .sgd(learningRate: 0.05, momentum: 0.9), configuration(1))
        }
        #expect(resumed.parameters == whole.parameters)
        // 19 steps an epoch: the rate at 19 and at 38 updates.
        #expect(result.epochs.map(\.learningRate) == [Double(schedule.rate(at: 19)), Double(schedule.rate(at: 38))])
        #expect(schedule.rate(at: 38) < schedule.rate(at: 19))
    }

    @Test func resumingFromASavedStateContinuesAdamsStepCount() throws {
        let model = try Model(architecture: Self.architecture, seed: 6)
        try quietFit(model, Self.blobs, FitConfiguration(epochs: 1, batchSize: 16))
        // As if saved and loaded: a new model from the parameters and state.
        let loaded = try Model(architecture: Self.architecture, parameters: model.parameters)
        loaded.optimizerState = model.optimizerState
        try quietFit(model, Self.blobs, FitConfiguration(epochs: 1, batchSize: 16))
        try quietFit(loaded, Self.blobs, FitConfiguration(epochs: 1, batchSize: 16))
        #expect(loaded.parameters == model.parameters)
        #expect(loaded.optimizerState?.iterations == 2 * 19)
    }

    /// As in Keras: the same kind with a new learning rate keeps its moments
    /// and step count; another kind starts afresh.
    @Test func anotherOptimizerStartsFresh() throws {
        let model = try Model(architecture: Self.architecture, seed: 6)
        try quietFit(model, Self.blobs, optimizer: .adam(), FitConfiguration(epochs: 1, batchSize: 100))
        #expect(model.optimizerState?.iterations == 3)
        try quietFit(model, Self.blobs, optimizer: .adam(learningRate: 0.01), FitConfiguration(epochs: 1, batchSize: 100))
        #expect(model.optimizerState?.iterations == 6)
        #expect(model.optimizerState?.optimizer == .adam(learningRate: 0.01))
        #expect(model.optimizerState?.slots.count == 2)
        try quietFit(model, Self.blobs, optimizer: .sgd(), FitConfiguration(epochs: 1, batchSize: 100))
        #expect(model.optimizerState?.slots.isEmpty == true)
    }

    @Test func shuffleOrderIsAPermutationFixedBySeedAndEpoch() {
        func order(seed: UInt64, epoch: Int, count: Int = 1000) -> [Int] {
            var buffer = [Int](repeating: -1, count: count)
            buffer.withUnsafeMutableBufferPointer {
                epochPermutation(count: count, seed: seed, epoch: epoch, into: $0.baseAddress!)
            }
            return buffer
        }
        let first = order(seed: 1, epoch: 0)
        #expect(first.sorted() == Array(0..<1000))
        #expect(first != Array(0..<1000))
        #expect(order(seed: 1, epoch: 0) == first)
        #expect(order(seed: 1, epoch: 1) != first)
        #expect(order(seed: 2, epoch: 0) != first)
        #expect(order(seed: 3, epoch: 0, count: 1) == [0])
    }

    @Test func unshuffledTrainingFollowsTheDataOrder() throws {
        // Without shuffling the seed is irrelevant.
        func train(seed: UInt64) throws -> [Float] {
            let model = try Model(architecture: Self.architecture, seed: 1)
            try quietFit(model, Self.blobs, FitConfiguration(epochs: 1, batchSize: 32, shuffle: false, seed: seed))
            return model.parameters
        }
        #expect(try train(seed: 1) == train(seed: 2))
    }

    @Test func predictGivesProbabilityRows() throws {
        let model = try Model(architecture: Self.architecture, seed: 1)
        try quietFit(model, Self.blobs, FitConfiguration(epochs: 5, batchSize: 16))
        let count = Self.heldOut.count
        let probabilities = try model.predict(features: Self.heldOut.features, count: count)
        #expect(probabilities.count == count * 3)
        var correct = 0
        for r in 0..<count {
            let row = probabilities[(r * 3)..<(r * 3 + 3)]
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            if row.firstIndex(of: row.max()!)! - r * 3 == Int(Self.heldOut.labels[r]) { correct += 1 }
        }
        #expect(Double(correct) / Double(count) == (try model.evaluate(Self.heldOut).accuracy))
    }
}

/// `fit(_:validationSplit:)`: Keras's validation_split read in place.
struct ValidationSplitTests {
    static func timeless(_ epochs: [EpochMetrics]) -> [EpochMetrics] {
        epochs.map { epoch in
            var copy = epoch
            copy.seconds = 0
            return copy
        }
    }

    @Test func equalsFittingTheTwoPartsAsSeparateSets() throws {
        let examples = Fixture.blobs(count: 50)
        let architecture = Fixture.architecture(4, (6, .relu), (3, .softmax))
        let configuration = FitConfiguration(epochs: 2, batchSize: 8)
        // ⌊50 · 0.8⌋ = 40 train, 10 validate.
        let split = try Model(architecture: architecture, seed: 3)
        let splitResult = try split.fit(
            examples, validationSplit: 0.2, optimizer: .adam(), configuration: configuration,
            onBatch: { _ in true }, onEpoch: { _ in })
        let parts = try Model(architecture: architecture, seed: 3)
        let training = try Examples(
            features: Array(examples.features[0..<40 * 4]), labels: Array(examples.labels[0..<40]), width: 4)
        let validation = try Examples(
            features: Array(examples.features[(40 * 4)...]), labels: Array(examples.labels[40...]), width: 4)
        let partsResult = try quietFit(parts, training, validation: validation, configuration)
        #expect(split.parameters == parts.parameters)
        #expect(Self.timeless(splitResult.epochs) == Self.timeless(partsResult.epochs))
        #expect(splitResult.epochs.allSatisfy { $0.validationLoss != nil && $0.steps == 5 })
    }

    @Test func zeroSplitValidatesOnNothing() throws {
        let examples = Fixture.blobs(count: 30)
        let architecture = Fixture.architecture(4, (5, .tanh), (3, .softmax))
        let configuration = FitConfiguration(epochs: 1, batchSize: 7)
        let split = try Model(architecture: architecture, seed: 1)
        let result = try split.fit(
            examples, validationSplit: 0, optimizer: .sgd(), configuration: configuration,
            onBatch: { _ in true }, onEpoch: { _ in })
        let whole = try Model(architecture: architecture, seed: 1)
        try quietFit(whole, examples, optimizer: .sgd(), configuration)
        #expect(split.parameters == whole.parameters)
        #expect(result.epochs.first?.validationLoss == nil)
    }

    @Test(arguments: [-0.1, 1.0, 0.99, Double.nan])
    func badSplitsAreRefused(_ fraction: Double) throws {
        let model = try Model(architecture: Fixture.architecture(4, (3, .softmax)), seed: 1)
        #expect(throws: EngineError.self) {
            try model.fit(
                Fixture.blobs(count: 20), validationSplit: fraction, optimizer: .adam(),
                configuration: FitConfiguration(), onBatch: { _ in true }, onEpoch: { _ in })
        }
    }
}
