import Testing

@testable import Engine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Backpropagated gradients against central finite differences of the batch
/// mean cross-entropy, for every hidden activation and the fused softmax.
struct GradientTests {
    static let rows = 4
    static let inputs = 3

    /// Mean loss with the given parameters (forward only, Double-accumulated).
    static func loss(
        _ model: Model, _ x: [Float], _ labels: [UInt8], _ parameters: [Float], smoothing: Float = 0
    ) -> Double {
        if smoothing > 0 {
            // The smoothed loss as the reference writes it (evaluation forwards never smooth).
            var state: [Float] = []
            let outputs = ReferenceTraining.forward(
                layers: model.layers, parameters: parameters, state: &state, input: x, rows: rows, training: nil)
            return ReferenceTraining.softmaxCrossEntropy(
                logits: outputs[outputs.count - 1].output, labels: labels, classes: model.architecture.classes,
                labelSmoothing: smoothing
            ).totals.loss / Double(rows)
        }
        let workspace = Workspace(model: model, capacity: rows, training: false)
        return x.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                parameters.withUnsafeBufferPointer { p in
                    workspace.forward(
                        input: x.baseAddress!, rows: rows, parameters: p.baseAddress!, labels: y.baseAddress!,
                        gradientScale: nil
                    ).loss / Double(rows)
                }
            }
        }
    }

    /// Analytic gradient of the mean loss from forward + backward.
    static func gradient(_ model: Model, _ x: [Float], _ labels: [UInt8], smoothing: Float = 0) -> [Float] {
        let workspace = Workspace(model: model, capacity: rows, training: true)
        workspace.labelSmoothing = smoothing
        var gradients = [Float](repeating: .nan, count: model.parameters.count)
        x.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                model.parameters.withUnsafeBufferPointer { p in
                    gradients.withUnsafeMutableBufferPointer { g in
                        workspace.forward(
                            input: x.baseAddress!, rows: rows, parameters: p.baseAddress!, labels: y.baseAddress!,
                            gradientScale: 1 / Float(rows))
                        workspace.backward(parameters: p.baseAddress!, gradients: g.baseAddress!)
                    }
                }
            }
        }
        return gradients
    }

    /// Smallest |pre-activation| feeding a relu, to keep finite differences
    /// (steps of 1e-3) away from relu's kink; infinity without relu.
    static func smallestReluPreActivation(_ model: Model, _ x: [Float]) -> Float {
        var smallest = Float.infinity
        var input = x
        for layer in model.plan.dropLast() {
            var a = [Float](repeating: 0, count: rows * layer.outputs)
            for r in 0..<rows {
                for j in 0..<layer.outputs {
                    var z = model.parameters[layer.biasOffset + j]
                    for i in 0..<layer.inputs {
                        z += input[r * layer.inputs + i] * model.parameters[layer.kernelOffset + i * layer.outputs + j]
                    }
                    switch layer.activation {
                    case .relu:
                        smallest = min(smallest, abs(z))
                        a[r * layer.outputs + j] = max(z, 0)
                    case .sigmoid: a[r * layer.outputs + j] = 1 / (1 + expf(-z))
                    case .tanh: a[r * layer.outputs + j] = tanhf(z)
                    case .linear, .softmax: a[r * layer.outputs + j] = z
                    }
                }
            }
            input = a
        }
        return smallest
    }

    /// Compares every parameter's gradient. Starting from `seed`, uses the
    /// first seed whose relu pre-activations all stay 0.01 away from zero.
    static func check(_ architecture: Architecture, seed: UInt64, smoothing: Float = 0) throws {
        var seed = seed
        var model: Model
        var x: [Float]
        repeat {
            model = try Model(architecture: architecture, seed: seed)
            // Random non-zero biases so their gradients are exercised too.
            for layer in model.plan {
                let biases = Fixture.uniform(layer.outputs, -0.5, 0.5, seed: seed &+ UInt64(layer.biasOffset))
                for (j, b) in biases.enumerated() { model.parameters[layer.biasOffset + j] = b }
            }
            x = Fixture.uniform(rows * inputs, -1, 1, seed: seed &* 31)
            seed += 1
        } while smallestReluPreActivation(model, x) < 0.01
        let classes = architecture.classes
        let labels = (0..<rows).map { UInt8($0 % classes) }

        let analytic = gradient(model, x, labels, smoothing: smoothing)
        let h: Float = 1e-3
        for i in model.parameters.indices {
            var plus = model.parameters
            var minus = model.parameters
            plus[i] += h
            minus[i] -= h
            let numeric =
                (loss(model, x, labels, plus, smoothing: smoothing) - loss(model, x, labels, minus, smoothing: smoothing))
                / Double(plus[i] - minus[i])
            #expect(
                abs(Double(analytic[i]) - numeric) <= 5e-4 + 1e-2 * abs(numeric),
                "parameter \(i): backprop \(analytic[i]), finite difference \(numeric)")
        }
    }

    @Test(arguments: [Activation.linear, .relu, .sigmoid, .tanh])
    func hiddenActivation(_ activation: Activation) throws {
        try Self.check(Fixture.architecture(Self.inputs, (5, activation), (3, .softmax)), seed: 11)
    }

    @Test func softmaxAlone() throws {
        try Self.check(Fixture.architecture(Self.inputs, (4, .softmax)), seed: 5)
    }

    /// CategoricalCrossentropy's label smoothing: dL/dz = (p − t)/N is the smoothed loss's gradient.
    @Test(arguments: [Float(0.1), 0.5, 1])
    func labelSmoothing(_ smoothing: Float) throws {
        try Self.check(Fixture.architecture(Self.inputs, (5, .tanh), (3, .softmax)), seed: 7, smoothing: smoothing)
    }

    @Test func twoHiddenLayersChainTheirGradients() throws {
        try Self.check(Fixture.architecture(Self.inputs, (4, .tanh), (4, .relu), (3, .softmax)), seed: 3)
    }
}
