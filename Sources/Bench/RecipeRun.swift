// One recipe, measured in its own process so its peak RSS is its own:
// load MNIST, normalise, fit `repeats` times from the same seed, evaluate on
// the 10k test images. The loaded pixels stay alive, as in the interpreter;
// the validation split is read in place (`fit(_:validationSplit:)`).

import Datasets
import Engine
import Foundation

/// What one recipe run measured. Times in seconds, memory in bytes.
struct RecipeReport: Codable {
    var recipe: String
    var title: String
    var threads: Int
    var repeats: Int
    var load: Double
    var normalize: Double
    /// Every repeat's fit wall time (validation passes included).
    var fits: [Double]
    /// Best epoch time over all repeats, and the median epoch time.
    var bestEpoch: Double
    var medianEpoch: Double
    var epochs: Int
    /// Steps per epoch.
    var steps: Int
    var trainingSamples: Int
    var validationSamples: Int
    var flops: Double
    /// Best of several evaluations of the 10k test set, and the first one (cold).
    var evaluate: Double
    var evaluateFirst: Double
    var testAccuracy: Double
    var testLoss: Double
    var validationAccuracy: Double?
    var finalLoss: Double
    /// Whether every repeat ended with bit-identical parameters.
    var deterministic: Bool
    var peakRSS: Int

    var bestFit: Double { fits.min() ?? .nan }
    var medianFit: Double { median(fits) }
}

enum BenchError: Error, CustomStringConvertible {
    case message(String)
    var description: String {
        switch self {
        case .message(let text): text
        }
    }
}

/// Runs `recipe` in this process and returns what it measured.
func runRecipe(_ recipe: Recipe, threads: Int, repeats: Int, dataPath: String?) throws -> RecipeReport {
    setComputeThreads(threads)
    let process = ProcessInfo.processInfo
    let locator = MNISTLocator(
        explicitPath: dataPath, environment: process.environment,
        currentDirectory: FileManager.default.currentDirectoryPath, homeDirectory: NSHomeDirectory())
    let (loadSeconds, loaded) = try timed { () throws -> TrainTestData in
        do {
            return try locator.load { _, _ in }
        } catch {
            throw BenchError.message("load mnist: \(error)")
        }
    }
    let width = loaded.train.width

    let (normalizeSeconds, sets) = try timed { () throws -> (Examples, Examples) in
        let training = try Examples(
            features: Normalization.scale.apply(loaded.train.pixels, width: width), labels: loaded.train.labels,
            width: width)
        let test = try Examples(
            features: Normalization.scale.apply(loaded.test.pixels, width: width), labels: loaded.test.labels,
            width: width)
        return (training, test)
    }
    let (examples, test) = sets
    // Keras's validation_split: the last fraction of the arrays, before
    // shuffling, read in place by the engine.
    let trainingCount = Int((Double(examples.count) * (1 - recipe.validationFraction)).rounded(.down))
    let validationCount = examples.count - trainingCount

    let architecture = recipe.architecture(inputWidth: width)
    let configuration = FitConfiguration(epochs: recipe.epochs, batchSize: recipe.batchSize, shuffle: true, seed: 1)
    var fits: [Double] = []
    var epochTimes: [Double] = []
    var model: Model?
    var firstParameters: [Float]?
    var deterministic = true
    var lastResult: FitResult?
    for _ in 0..<repeats {
        let candidate = try Model(architecture: architecture, seed: 1)
        let (seconds, result) = try timed {
            try candidate.fit(
                examples, validationSplit: recipe.validationFraction, optimizer: .adam(), configuration: configuration,
                onBatch: { _ in true }, onEpoch: { _ in })
        }
        fits.append(seconds)
        epochTimes += result.epochs.map(\.seconds)
        if let firstParameters {
            deterministic = deterministic && firstParameters == candidate.parameters
        } else {
            firstParameters = candidate.parameters
        }
        model = candidate
        lastResult = result
    }
    guard let model, let lastResult, let lastEpoch = lastResult.epochs.last else {
        throw BenchError.message("no fit ran")
    }

    var evaluations: [Double] = []
    var testFigures = (loss: Double.nan, accuracy: Double.nan)
    for _ in 0..<5 {
        let (seconds, figures) = try timed { try model.evaluate(test) }
        evaluations.append(seconds)
        testFigures = figures
    }

    let steps = (trainingCount + recipe.batchSize - 1) / recipe.batchSize
    let flops = Double(recipe.epochs)
        * (Double(trainingCount) * Recipe.trainingFlops(architecture)
            + Double(validationCount) * Recipe.inferenceFlops(architecture))
    return RecipeReport(
        recipe: recipe.name, title: recipe.title, threads: threads, repeats: repeats, load: loadSeconds,
        normalize: normalizeSeconds, fits: fits, bestEpoch: epochTimes.min() ?? .nan, medianEpoch: median(epochTimes),
        epochs: recipe.epochs, steps: steps, trainingSamples: trainingCount, validationSamples: validationCount, flops: flops,
        evaluate: evaluations.min() ?? .nan, evaluateFirst: evaluations[0], testAccuracy: testFigures.accuracy,
        testLoss: testFigures.loss, validationAccuracy: lastEpoch.validationAccuracy, finalLoss: lastEpoch.loss,
        deterministic: deterministic, peakRSS: peakResidentBytes())
}
