// Two measurements of issue 24 besides the recipes' figures, each run in a
// child process of its own like a recipe:
//
// - Augmentation's share of an epoch: the batch-normalized convnet (the
//   model notebooks/convnet.dnb trains with `augment=on`) fitted one epoch
//   at a time with the engine's default augmentation (`Augmentation()`) and
//   without, taking turns (the order swapped every round so that a drift of
//   the machine's speed favours neither), each fit from the same seed. The
//   share is (best epoch with − best epoch without) / best epoch with.
//   The epochs include the validation pass, as Keras's do; augmentation
//   never touches validation.
// - Time to a test accuracy: notebooks/convnet.dnb's whole recipe through
//   the engine API, the test set evaluated after every epoch (outside the
//   epoch's time; it is only measured, never used for choosing), stopping at
//   the first epoch that reaches the target: that epoch and the fit seconds
//   so far (the sum of the epochs' own times, validation passes included,
//   as the notebook prints them).

import Engine
import Foundation

/// Best epochs with and without augmentation, and the share it takes.
struct AugmentationReport: Codable {
    var recipe: String
    var title: String
    var threads: Int
    /// One-epoch fits each way.
    var runs: Int
    /// Every fit's epoch seconds, in the order they ran.
    var epochsWith: [Double]
    var epochsWithout: [Double]
    var bestWith: Double
    var bestWithout: Double
    /// (bestWith − bestWithout) / bestWith.
    var share: Double
}

/// One epoch of a time-to-accuracy run.
struct EpochTest: Codable {
    var epoch: Int
    /// This epoch's own seconds (training and validation pass).
    var seconds: Double
    /// Sum of the epochs' seconds so far: the fit time the notebook prints.
    var fitSeconds: Double
    var validationAccuracy: Double?
    var testAccuracy: Double
}

/// When a recipe first reached a test accuracy, evaluating after every epoch.
struct TimeToReport: Codable {
    var recipe: String
    var title: String
    var threads: Int
    var target: Double
    /// The epochs the recipe trains at most.
    var maxEpochs: Int
    var epochs: [EpochTest]
    /// The first epoch whose test accuracy reached `target`, if one did.
    var reached: EpochTest?

    var best: EpochTest? { epochs.max { $0.testAccuracy < $1.testAccuracy } }
}

/// Whether `accuracy`, a fraction of `count` examples, is at least `target`:
/// compared in whole examples, so that 9,950 of 10,000 reaches 0.995 however
/// the division rounded.
func reaches(_ accuracy: Double, count: Int, target: Double) -> Bool {
    (accuracy * Double(count)).rounded() >= (target * Double(count)).rounded()
}

/// Fits `recipe` (its model and optimizer, one epoch per fit) `runs` times
/// with `Augmentation()` and `runs` times without, taking turns.
func runAugmentationShare(_ recipe: Recipe, threads: Int, runs: Int, dataPath: String?) throws -> AugmentationReport {
    setComputeThreads(threads)
    let mnist = try loadMNIST(dataPath: dataPath, input: .pixels)
    let architecture = recipe.architecture(inputWidth: mnist.width)
    var with: [Double] = []
    var without: [Double] = []
    for round in 0..<runs {
        for augmented in round % 2 == 0 ? [false, true] : [true, false] {
            var configuration = recipe.configuration
            configuration.epochs = 1
            configuration.augmentation = augmented ? Augmentation() : nil
            let model = try Model(architecture: architecture, seed: 1)
            let result = try model.fit(
                mnist.train, validationSplit: recipe.validationFraction,
                optimizer: .adam(learningRate: recipe.learningRate), configuration: configuration,
                onBatch: { _ in true }, onEpoch: { _ in })
            let seconds = result.epochs.map(\.seconds)
            if augmented { with += seconds } else { without += seconds }
        }
    }
    guard let bestWith = with.min(), let bestWithout = without.min() else { throw BenchError.message("no fit ran") }
    return AugmentationReport(
        recipe: recipe.name, title: recipe.title, threads: threads, runs: runs, epochsWith: with, epochsWithout: without,
        bestWith: bestWith, bestWithout: bestWithout, share: (bestWith - bestWithout) / bestWith)
}

/// Trains `recipe` from seed 1 (its `finish` epochs too), evaluating the
/// test set after every epoch, until an epoch reaches `target` or the
/// recipe's epochs are done.
func runTimeTo(_ target: Double, recipe: Recipe, threads: Int, dataPath: String?) throws -> TimeToReport {
    setComputeThreads(threads)
    let mnist = try loadMNIST(dataPath: dataPath, input: .pixels)
    let (training, validation) = try mnist.train.splitForValidation(recipe.validationFraction)
    let model = try Model(architecture: recipe.architecture(inputWidth: mnist.width), seed: 1)
    var report = TimeToReport(
        recipe: recipe.name, title: recipe.title, threads: threads, target: target,
        maxEpochs: recipe.epochs + (recipe.finish?.epochs ?? 0), epochs: [])
    var fitSeconds = 0.0
    var failure: Error?
    // The model holds this epoch's parameters and moving statistics when it runs.
    func afterEpoch(_ metrics: EpochMetrics) -> EpochControl {
        fitSeconds += metrics.seconds
        let accuracy: Double
        do {
            accuracy = try model.evaluate(mnist.test).accuracy
        } catch {
            failure = error
            return EpochControl(stop: true)
        }
        let epoch = EpochTest(
            epoch: report.epochs.count + 1, seconds: metrics.seconds, fitSeconds: fitSeconds,
            validationAccuracy: metrics.validationAccuracy, testAccuracy: accuracy)
        report.epochs.append(epoch)
        guard reaches(accuracy, count: mnist.test.count, target: target) else { return .proceed }
        report.reached = epoch
        return EpochControl(stop: true)
    }
    _ = try model.fit(
        training, validation: validation, optimizer: .adam(learningRate: recipe.learningRate),
        configuration: recipe.configuration, onBatch: { _ in true }, control: afterEpoch)
    if let finish = recipe.finish, report.reached == nil, failure == nil {
        var configuration = recipe.configuration
        (configuration.epochs, configuration.augmentation, configuration.schedule) = (finish.epochs, nil, nil)
        _ = try model.fit(
            training, validation: validation, optimizer: .adam(learningRate: finish.learningRate),
            configuration: configuration, onBatch: { _ in true }, control: afterEpoch)
    }
    if let failure { throw BenchError.message("evaluate: \(failure)") }
    return report
}
