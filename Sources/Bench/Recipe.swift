// The two recipes the benchmark trains, and how many floating-point
// operations one fit of each costs.
//
// FLOP count (multiply and add counted separately, 2·N·I·O per product of an
// N×I by an I×O matrix), per training sample and Dense layer l (I_l → O_l):
//   forward  x·W          2·I·O
//   backward dW = xᵀ·dz   2·I·O
//            dx = dz·Wᵀ   2·I·O   (not for the first layer: nothing needs it)
// and per validation sample 2·I·O per layer (forward only). Bias adds,
// activations, softmax and the optimizer are O(parameters) or O(N·O) and are
// not counted (under 1% of the products for these shapes). These are the
// dense products' FLOPs (what Keras computes); dnb's sparse first layer
// skips the zero inputs' share of them.

import Engine

/// One Keras-tutorial recipe: widths, epochs, batch size, validation split.
struct Recipe: Sendable {
    /// Short name used on the command line and in reports: `a` or `b`.
    let name: String
    /// What a reader sees in the report, e.g. `seed A 784-15-10`.
    let title: String
    let hidden: Int
    let epochs: Int
    let batchSize: Int
    /// Keras's validation_split (0 for none): the last fraction of the training arrays.
    let validationFraction: Double

    static let seedA = Recipe(
        name: "a", title: "seed A 784-15-10", hidden: 15, epochs: 10, batchSize: 32, validationFraction: 0)
    static let seedB = Recipe(
        name: "b", title: "seed B 784-128-10", hidden: 128, epochs: 10, batchSize: 32, validationFraction: 0.2)
    static let all = [seedA, seedB]

    /// 784 → hidden relu → 10 softmax.
    func architecture(inputWidth: Int) -> Architecture {
        Architecture(
            inputWidth: inputWidth,
            layers: [DenseSpec(units: hidden, activation: .relu), DenseSpec(units: 10, activation: .softmax)])
    }

    /// Floating-point operations of one training sample's forward and backward products.
    static func trainingFlops(_ architecture: Architecture) -> Double {
        var total = 0.0
        var inputs = architecture.inputWidth
        for (index, layer) in architecture.layers.enumerated() {
            let product = 2 * Double(inputs) * Double(layer.units)
            total += index == 0 ? 2 * product : 3 * product
            inputs = layer.units
        }
        return total
    }

    /// Floating-point operations of one sample's forward products.
    static func inferenceFlops(_ architecture: Architecture) -> Double {
        var total = 0.0
        var inputs = architecture.inputWidth
        for layer in architecture.layers {
            total += 2 * Double(inputs) * Double(layer.units)
            inputs = layer.units
        }
        return total
    }
}
