@testable import Engine

/// Shared fixtures for the engine tests.
enum Fixture {
    /// `count` points in `width` dimensions around `classes` well-separated
    /// centres (centre c has coordinate 4 on axis c % width, sign alternating
    /// with c / width), noise uniform in ±1 — linearly separable.
    static func blobs(count: Int, classes: Int = 3, width: Int = 4, seed: UInt64 = 7) -> Examples {
        var generator = SeededGenerator(seed: seed)
        var features: [Float] = []
        var labels: [UInt8] = []
        for i in 0..<count {
            let label = i % classes
            for d in 0..<width {
                let centre: Double = d == label % width ? (label / width % 2 == 0 ? 4 : -4) : 0
                features.append(Float(centre + 2 * generator.nextUnit() - 1))
            }
            labels.append(UInt8(label))
        }
        // Labels cycle 0,1,2,...: a fixed order that shuffling must not need.
        return try! Examples(features: features, labels: labels, width: width)
    }

    /// Uniform values in [lo, hi).
    static func uniform(_ count: Int, _ lo: Double, _ hi: Double, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(lo + (hi - lo) * generator.nextUnit()) }
    }

    static func architecture(_ inputWidth: Int, _ layers: (Int, Activation)...) -> Architecture {
        Architecture(inputWidth: inputWidth, layers: layers.map { DenseLayer(units: $0.0, activation: $0.1) })
    }
}

/// |a - b| ≤ absolute + relative·|b| for every pair.
func close(_ a: [Float], _ b: [Float], absolute: Float = 1e-6, relative: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= absolute + relative * abs($1) }
}

func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-6) -> Bool {
    abs(a - b) <= tolerance
}

/// A fit that reports nothing and never stops.
@discardableResult
func quietFit(
    _ model: Model, _ training: Examples, validation: Examples? = nil, optimizer: Optimizer = .adam(),
    _ configuration: FitConfiguration
) throws -> FitResult {
    try model.fit(
        training, validation: validation, optimizer: optimizer, configuration: configuration,
        onBatch: { _ in true }, onEpoch: { _ in })
}

extension Model {
    /// The Dense layers' plans (a dense model's every layer).
    var plan: [LayerPlan] { layers.compactMap { ($0.layer as? DenseLayer)?.plan($0) } }
}

/// One spare float: the state buffer of models without state.
nonisolated(unsafe) private let noState = UnsafeMutablePointer<Float>.allocate(capacity: 1)

extension Workspace {
    /// A workspace for `model`'s layers; `sparseInput: false` keeps a first
    /// Dense layer on the dense product.
    convenience init(model: Model, capacity: Int, training: Bool, pixels: Bool = false, sparseInput: Bool = true) {
        self.init(
            layers: model.layers.map { layer in
                var layer = layer
                layer.sparseInput = sparseInput
                return layer
            }, capacity: capacity, training: training, pixels: pixels)
    }

    /// `forward` on `rows` rows of features at `input`, for a model without state.
    @discardableResult
    func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>?,
        gradientScale: Float?
    ) -> SoftmaxCrossEntropy.Totals {
        forward(
            InputRows(source: .features(input), count: rows, width: layers[0].inputSize), first: 0, rows: rows,
            parameters: parameters, state: noState, labels: labels, gradientScale: gradientScale)
    }

    @discardableResult
    func forward(
        _ inputs: InputRows, first: Int, rows: Int, parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>?,
        gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals = .init()
    ) -> SoftmaxCrossEntropy.Totals {
        forward(
            inputs, first: first, rows: rows, parameters: parameters, state: noState, labels: labels,
            gradientScale: gradientScale, startingFrom: start)
    }

    @discardableResult
    func forward(
        gathering indices: UnsafePointer<Int>, from inputs: InputRows, rows: Int, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>, gradientScale: Float?
    ) -> SoftmaxCrossEntropy.Totals {
        forward(
            gathering: indices, from: inputs, rows: rows, parameters: parameters, state: noState, labels: labels,
            gradientScale: gradientScale)
    }

    func backward(parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
        backward(parameters: parameters, state: noState, gradients: gradients)
    }
}

extension Workspace {
    /// Whether the last pass's rows, taken together, suited the first layer's sparse sums.
    var lastPassWasSparse: Bool {
        guard let dense = passes.first as? DensePass, let sparse = dense.sparse else { return false }
        return sparse.isSparse(0..<rowsInPass)
    }
}

/// An optimizer's kind and hyperparameters, for tests that write each kind's formula out.
enum OptimizerCase {
    case sgd(Float, Float, Bool)
    case adam(Float, Float, Float, Float)
    case rmsprop(Float, Float, Float, Float)
}

extension Optimizer {
    var kind: OptimizerCase {
        if let sgd = rule as? SGD { return .sgd(sgd.learningRate, sgd.momentum, sgd.nesterov) }
        if let adam = rule as? Adam { return .adam(adam.learningRate, adam.beta1, adam.beta2, adam.epsilon) }
        guard let rms = rule as? RMSprop else { preconditionFailure("a new optimizer needs its test formula") }
        return .rmsprop(rms.learningRate, rms.rho, rms.momentum, rms.epsilon)
    }
}
