// One recipe, measured in its own process so its peak RSS is its own:
// load MNIST, wrap the pixels as examples, fit `repeats` times from the same
// seed, evaluate on the 10k test images. The loaded pixels stay alive, as in
// the interpreter; the validation split is read in place
// (`fit(_:validationSplit:)`). With `--input pixels` (the default, what the
// interpreter does) the engine converts rows to x / 255 as it gathers each
// batch; `--input features` first makes the whole Float copy
// (x / 255 up front), as the interpreter used to.

import Datasets
import Engine
import Foundation

/// What one recipe run measured. Times in seconds, memory in bytes.
struct RecipeReport: Codable {
    var recipe: String
    var title: String
    var threads: Int
    /// How the examples hold their inputs: `pixels` or `features`.
    var input: String
    var repeats: Int
    var load: Double
    /// Seconds to build the training and test examples (the whole Float
    /// conversion for `features`; only checks for `pixels`).
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
    /// Every weight of the model, trainable or not (Keras's `count_params()`):
    /// the same figure on both sides shows they train the same model.
    var parameters: Int

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

/// How the benchmark hands MNIST to the engine.
enum InputForm: String, CaseIterable {
    /// `Examples(pixels:labels:width:scaling: .scale)`: rows converted per batch.
    case pixels
    /// `Examples(features:labels:width:)` from x / 255 up front: a Float copy of the set.
    case features
}

/// MNIST loaded and wrapped as examples, with how long each took.
struct LoadedMNIST {
    var train: Examples
    var test: Examples
    var width: Int
    var loadSeconds: Double
    var normalizeSeconds: Double
    /// The loaded sets, kept alive as the interpreter keeps them.
    var sets: TrainTestData
}

/// Loads MNIST from `dataPath` (or where `MNISTLocator` looks) and wraps
/// both sets as examples of x / 255 in the form `input` says.
func loadMNIST(dataPath: String?, input: InputForm) throws -> LoadedMNIST {
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
        func examples(_ set: ImageSet) throws -> Examples {
            switch input {
            case .pixels:
                try Examples(pixels: set.pixels, labels: set.labels, width: width, scaling: .scale)
            case .features:
                // The old way, for comparison: the whole set converted to floats up front.
                try Examples(
                    features: Examples(pixels: set.pixels, labels: set.labels, width: width, scaling: .scale).features,
                    labels: set.labels, width: width)
            }
        }
        return (try examples(loaded.train), try examples(loaded.test))
    }
    return LoadedMNIST(
        train: sets.0, test: sets.1, width: width, loadSeconds: loadSeconds, normalizeSeconds: normalizeSeconds,
        sets: loaded)
}

/// Runs `recipe` in this process and returns what it measured.
func runRecipe(
    _ recipe: Recipe, input: InputForm, threads: Int, repeats: Int, dataPath: String?
) throws -> RecipeReport {
    setComputeThreads(threads)
    let mnist = try loadMNIST(dataPath: dataPath, input: input)
    let (examples, test, width) = (mnist.train, mnist.test, mnist.width)
    // Keras's validation_split: the last fraction of the arrays, before
    // shuffling, read in place by the engine.
    let trainingCount = Int((Double(examples.count) * (1 - recipe.validationFraction)).rounded(.down))
    let validationCount = examples.count - trainingCount

    let architecture = recipe.architecture(inputWidth: width)
    let configuration = recipe.configuration
    var fits: [Double] = []
    var epochTimes: [Double] = []
    var model: Model?
    var firstParameters: [Float]?
    var deterministic = true
    var lastResult: FitResult?
    for _ in 0..<repeats {
        let candidate = try Model(architecture: architecture, seed: 1)
        let (seconds, result) = try timed { () throws -> FitResult in
            var result = try candidate.fit(
                examples, validationSplit: recipe.validationFraction, optimizer: .adam(learningRate: recipe.learningRate),
                configuration: configuration,
                onBatch: { _ in true }, onEpoch: { _ in })
            if let finish = recipe.finish {
                var plain = configuration
                (plain.epochs, plain.augmentation, plain.schedule) = (finish.epochs, nil, nil)
                result.epochs += try candidate.fit(
                    examples, validationSplit: recipe.validationFraction, optimizer: .adam(learningRate: finish.learningRate),
                    configuration: plain, onBatch: { _ in true }, onEpoch: { _ in }
                ).epochs
            }
            return result
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
    let flops =
        Double(recipe.epochs + (recipe.finish?.epochs ?? 0))
        * (Double(trainingCount) * Recipe.trainingFlops(architecture)
            + Double(validationCount) * Recipe.inferenceFlops(architecture))
    return RecipeReport(
        recipe: recipe.name, title: recipe.title, threads: threads, input: input.rawValue, repeats: repeats,
        load: mnist.loadSeconds,
        normalize: mnist.normalizeSeconds, fits: fits, bestEpoch: epochTimes.min() ?? .nan, medianEpoch: median(epochTimes),
        epochs: recipe.epochs, steps: steps, trainingSamples: trainingCount, validationSamples: validationCount, flops: flops,
        evaluate: evaluations.min() ?? .nan, evaluateFirst: evaluations[0], testAccuracy: testFigures.accuracy,
        testLoss: testFigures.loss, validationAccuracy: lastEpoch.validationAccuracy, finalLoss: lastEpoch.loss,
        deterministic: deterministic, peakRSS: peakResidentBytes(),
        parameters: (try? architecture.summary())?.reduce(0) { $0 + $1.parameterCount } ?? 0)
}
