// The recipes the benchmark trains (seed A, seed B, and on request the
// keras-io MNIST convnet and the batch-normalized convnet of
// notebooks/convnet.dnb), and how many floating-point operations one fit
// of each costs.
//
// FLOP count (multiply and add counted separately, 2·N·I·O per product of an
// N×I by an I×O matrix), per training sample and Dense layer l (I_l → O_l):
//   forward  x·W          2·I·O
//   backward dW = xᵀ·dz   2·I·O
//            dx = dz·Wᵀ   2·I·O   (not for the first layer: nothing needs it)
// A Conv2D layer counts as the product of its patches (P positions × K·K·C)
// by its kernel (K·K·C × F): 2·P·K·K·C·F each way (dx as dz·Wᵀ, then col2im,
// whose additions are not counted); layers without weights are free, and so
// is batch normalization (O(N·C) per sample, like the bias adds).
// Per validation sample 2·I·O per layer (forward only). Bias adds,
// activations, softmax and the optimizer are O(parameters) or O(N·O) and are
// not counted (under 1% of the products for these shapes). These are the
// dense products' FLOPs (what Keras computes); dnb's sparse first layer
// skips the zero inputs' share of them, and a conv under a 2×2 max pooling
// the forward of positions no window reads (an odd output's last row and
// column: 21 of the keras-io second conv's 121, 5.8% of its epoch's count).

import Engine

/// One Keras-tutorial recipe: widths, epochs, batch size, validation split.
struct Recipe: Sendable {
    /// Short name used on the command line and in reports: `a` or `b`.
    let name: String
    /// What a reader sees in the report, e.g. `seed A 784-15-10`.
    let title: String
    let hidden: Int
    var epochs: Int
    let batchSize: Int
    /// Keras's validation_split (0 for none): the last fraction of the training arrays.
    let validationFraction: Double
    /// Layers on a 28x28x1 image instead of the dense 784 → hidden → 10 stack.
    var imageStack: [LayerSpec]? = nil
    /// Adam's learning rate (Keras's default 0.001 unless the recipe says otherwise).
    var learningRate: Float = 0.001
    /// Random shifts, rotations and zoom of the training images (`augment=on`); nil for none.
    var augmentation: Augmentation? = nil
    /// Every step's learning rate (`schedule ...`); nil keeps Adam's.
    var schedule: LearningRateSchedule? = nil
    /// A second `fit` after the first: this many epochs on the digits as
    /// they are (no augmentation, no schedule) at Adam's rate `learningRate`,
    /// continuing the optimizer's state; nil for none.
    var finish: (epochs: Int, learningRate: Float)? = nil

    /// How `fit` trains this recipe: seed 1 (the session's default seed, so
    /// a notebook of the same recipe gives the same numbers), reshuffled
    /// every epoch.
    var configuration: FitConfiguration {
        FitConfiguration(
            epochs: epochs, batchSize: batchSize, shuffle: true, seed: 1, augmentation: augmentation, schedule: schedule)
    }

    static let seedA = Recipe(
        name: "a", title: "seed A 784-15-10", hidden: 15, epochs: 10, batchSize: 32, validationFraction: 0)
    static let seedB = Recipe(
        name: "b", title: "seed B 784-128-10", hidden: 128, epochs: 10, batchSize: 32, validationFraction: 0.2)
    /// The keras-io "Simple MNIST convnet": Adam, batch 128, 15 epochs, validation 0.1.
    static let convnet = Recipe(
        name: "conv", title: "keras-io convnet", hidden: 0, epochs: 15, batchSize: 128, validationFraction: 0.1,
        imageStack: [
            .conv2D(Conv2DLayer(filters: 32, kernelSize: 3, activation: .relu)), .maxPooling2D(poolSize: 2),
            .conv2D(Conv2DLayer(filters: 64, kernelSize: 3, activation: .relu)), .maxPooling2D(poolSize: 2),
            .flatten, .dropout(rate: 0.5), .dense(DenseLayer(units: 10, activation: .softmax)),
        ])
    /// The model of notebooks/convnet.dnb: two pairs of 3x3 convolutions, each
    /// Conv2D (linear) → BatchNormalization (momentum 0.99, epsilon 0.001) →
    /// Activation relu, 2x2 max pooling after each pair, dropout 0.4, Dense 10
    /// softmax; Adam lr 0.002, batch 128, validation 0.1, 15 epochs. Without the
    /// notebook's augmentation and cosine schedule, so that Keras runs the same
    /// work (benchmarks/keras_recipes.py, recipe bnconv).
    static let batchNormalizedConvnet = Recipe(
        name: "bnconv", title: "batch-normalized convnet", hidden: 0, epochs: 15, batchSize: 128,
        validationFraction: 0.1,
        imageStack: [
            .conv2D(Conv2DLayer(filters: 32, kernelSize: 3)), batchNormalization, reluActivation,
            .conv2D(Conv2DLayer(filters: 32, kernelSize: 3)), batchNormalization, reluActivation,
            .maxPooling2D(poolSize: 2),
            .conv2D(Conv2DLayer(filters: 64, kernelSize: 3)), batchNormalization, reluActivation,
            .conv2D(Conv2DLayer(filters: 64, kernelSize: 3)), batchNormalization, reluActivation,
            .maxPooling2D(poolSize: 2),
            .flatten, .dropout(rate: 0.4), .dense(DenseLayer(units: 10, activation: .softmax)),
        ],
        learningRate: 0.002)
    /// notebooks/convnet.dnb's whole recipe: the batch-normalized convnet
    /// trained on augmented digits (`augment=on shear_x=0.3 zoom_width=0.2
    /// elastic=1`) with Adam's rate following Keras's CosineDecay from 0.002
    /// over the notebook's 5,064 steps (12 epochs of 422), batch 128,
    /// validation 0.1; then 2 epochs on the digits as they are at lr 0.0001
    /// (the notebook's second `fit`). What `--time-to` trains.
    static let convnetNotebook = Recipe(
        name: "convnet-notebook", title: "notebooks/convnet.dnb", hidden: 0, epochs: 12, batchSize: 128,
        validationFraction: 0.1, imageStack: batchNormalizedConvnet.imageStack, learningRate: 0.002,
        augmentation: Augmentation(widthZoom: 0.2, shearX: 0.3, elastic: 1),
        schedule: .cosine(initial: 0.002, decaySteps: 5_064, alpha: 0, warmupSteps: 0, warmupTarget: nil),
        finish: (epochs: 2, learningRate: 0.0001))
    /// What `--recipe all` runs (the convnets are run on request: they take minutes).
    static let all = [seedA, seedB]
    static let known = [seedA, seedB, convnet, batchNormalizedConvnet, convnetNotebook]

    /// `batchnorm` with Keras's defaults, as `build` makes it.
    private static let batchNormalization = layer(
        "batchnorm", ["momentum": .number(0.99), "epsilon": .number(0.001)])
    /// `activation relu`, as `build` makes it.
    private static let reluActivation = layer("activation", ["ACTIVATION": .text("relu")])

    /// The layer of kind `word` with `build`'s arguments (the engine's
    /// registry is the one way to make the kinds without a LayerSpec factory).
    private static func layer(_ word: String, _ values: [String: ArgumentValue]) -> LayerSpec {
        guard let spec = LayerSpec(word: word, arguments: ArgumentValues(values)) else {
            preconditionFailure("the engine has no layer kind '\(word)'")
        }
        return spec
    }

    /// 784 → hidden relu → 10 softmax, or the image stack on 28x28x1.
    func architecture(inputWidth: Int) -> Architecture {
        if let imageStack { return Architecture(inputShape: Architecture.mnistImage, stack: imageStack) }
        return Architecture(
            inputWidth: inputWidth,
            layers: [DenseLayer(units: hidden, activation: .relu), DenseLayer(units: 10, activation: .softmax)])
    }

    /// Multiply-add FLOPs of each weighted layer's forward product, and
    /// whether it is the first layer (no dx): 2·I·O for Dense, 2·P·K·K·C·F
    /// for Conv2D (P output positions).
    static func layerFlops(_ architecture: Architecture) -> [(flops: Double, first: Bool)] {
        guard let rows = try? architecture.summary() else { return [] }
        var result: [(Double, Bool)] = []
        var input = architecture.inputShape
        for (index, (layer, row)) in zip(architecture.stack, rows).enumerated() {
            if let spec = layer.kind(DenseLayer.self) {
                result.append((2 * Double(input.reduce(1, *)) * Double(spec.units), index == 0))
            } else if let spec = layer.kind(Conv2DLayer.self) {
                let positions = Double(row.outputShape[0] * row.outputShape[1])
                let patch = Double(spec.kernelSize * spec.kernelSize * input[2])
                result.append((2 * positions * patch * Double(spec.filters), index == 0))
            }
            input = row.outputShape
        }
        return result
    }

    /// Floating-point operations of one training sample's forward and backward products.
    static func trainingFlops(_ architecture: Architecture) -> Double {
        if !architecture.isDense { return layerFlops(architecture).reduce(0) { $0 + $1.flops * ($1.first ? 2 : 3) } }
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
        if !architecture.isDense { return layerFlops(architecture).reduce(0) { $0 + $1.flops } }
        var total = 0.0
        var inputs = architecture.inputWidth
        for layer in architecture.layers {
            total += 2 * Double(inputs) * Double(layer.units)
            inputs = layer.units
        }
        return total
    }
}
