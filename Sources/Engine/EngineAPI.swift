// CONTRACT SKELETON — the engine helper replaces this file with the real
// implementation split into files (Activation.swift, Architecture.swift,
// Model.swift, Optimizer.swift, Trainer.swift, ...), keeping these public
// signatures (additions are fine).

/// Element-wise activation of a Dense layer (Keras names).
public enum Activation: String, CaseIterable, Sendable, Equatable {
    case linear, relu, sigmoid, tanh, softmax
}

/// One Dense layer: `output = activation(dot(input, kernel) + bias)`.
public struct DenseSpec: Equatable, Sendable {
    public var units: Int
    public var activation: Activation
    public init(units: Int, activation: Activation) { self.units = units; self.activation = activation }
}

/// A sequential stack of Dense layers on a flat input of `inputWidth` features.
public struct Architecture: Equatable, Sendable {
    public var inputWidth: Int
    public var layers: [DenseSpec]
    public init(inputWidth: Int, layers: [DenseSpec]) { self.inputWidth = inputWidth; self.layers = layers }
    /// Kernel (I×O) plus bias (O) of every layer: 784-128-10 has 101,770.
    public var parameterCount: Int { 0 }
}

public enum EngineError: Error, Equatable, Sendable {
    case invalidArchitecture(String)
    case invalidArgument(String)
    case shapeMismatch(String)
}

/// Keras's optimizers with Keras's defaults.
public enum Optimizer: Equatable, Sendable {
    case sgd(learningRate: Float = 0.01, momentum: Float = 0, nesterov: Bool = false)
    case adam(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7)
    case rmsprop(learningRate: Float = 0.001, rho: Float = 0.9, momentum: Float = 0, epsilon: Float = 1e-7)
}

/// Flat features (count × width, row-major) with integer class labels.
public struct Examples: Sendable {
    public var features: [Float]
    public var labels: [UInt8]
    public var width: Int
    public var count: Int { labels.count }
    public init(features: [Float], labels: [UInt8], width: Int) throws(EngineError) {
        self.features = features; self.labels = labels; self.width = width
    }
}

public struct FitConfiguration: Sendable {
    public var epochs: Int
    public var batchSize: Int
    public var shuffle: Bool
    public var seed: UInt64
    public init(epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64 = 1) {
        self.epochs = epochs; self.batchSize = batchSize; self.shuffle = shuffle; self.seed = seed
    }
}

/// Running figures inside an epoch, reported after every batch.
public struct BatchProgress: Sendable {
    public var epoch: Int, epochs: Int, step: Int, steps: Int
    public var loss: Double, accuracy: Double, elapsed: Double
}

/// One epoch's figures, as Keras prints them.
public struct EpochMetrics: Sendable, Equatable {
    public var epoch: Int, epochs: Int, steps: Int, seconds: Double
    public var loss: Double, accuracy: Double
    public var validationLoss: Double?, validationAccuracy: Double?
}

public struct FitResult: Sendable {
    public var epochs: [EpochMetrics]
    /// Set when `onBatch` asked to stop: the epoch and step reached.
    public var stoppedAt: (epoch: Int, step: Int)?
}

/// Optimizer slots (moments) and step count, so `fit` resumes after save/load.
public struct OptimizerState: Sendable {
    public var optimizer: Optimizer
    public var iterations: Int
    public var slots: [[Float]]
}

public final class Model: @unchecked Sendable {
    public let architecture: Architecture
    /// Every kernel and bias in one contiguous buffer, layer by layer, kernel (I×O row-major) then bias.
    public internal(set) var parameters: [Float] = []
    public var optimizerState: OptimizerState?
    /// Glorot-uniform kernels and zero biases from `seed`.
    public init(architecture: Architecture, seed: UInt64) throws(EngineError) { self.architecture = architecture }
    /// A model with the given parameters (e.g. read from a file).
    public init(architecture: Architecture, parameters: [Float]) throws(EngineError) { self.architecture = architecture }
    /// Offsets of layer `i`'s kernel and bias inside `parameters`.
    public func parameterRanges(layer: Int) -> (kernel: Range<Int>, bias: Range<Int>) { (0..<0, 0..<0) }
    /// Class probabilities (count × classes) for `count` rows of features.
    public func predict(features: [Float], count: Int) throws(EngineError) -> [Float] { [] }
    /// Mean categorical cross-entropy and accuracy.
    public func evaluate(_ examples: Examples, batchSize: Int = 256) throws(EngineError) -> (loss: Double, accuracy: Double) { (0, 0) }
    /// Trains in place. `onBatch` returns false to stop after the current batch.
    public func fit(
        _ training: Examples, validation: Examples?, optimizer: Optimizer, configuration: FitConfiguration,
        onBatch: (BatchProgress) -> Bool, onEpoch: (EpochMetrics) -> Void
    ) throws(EngineError) -> FitResult { FitResult(epochs: [], stoppedAt: nil) }
}

/// Threads OpenBLAS may use (1 or more).
public func setComputeThreads(_ count: Int) {}
