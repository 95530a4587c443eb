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
        Architecture(inputWidth: inputWidth, layers: layers.map { DenseSpec(units: $0.0, activation: $0.1) })
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
