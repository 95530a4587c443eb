// The specification of the engine's arithmetic, in plain scalar loops.
//
// Shapes: `N` batch rows; layer l maps `D_{l-1}` to `D_l` floats per row;
// all buffers row-major (NHWC for images); `P` parameters laid out as in
// `Model`.
//
// The fast path (Workspace, each layer's `LayerPass`, MatrixProduct,
// SoftmaxCrossEntropy, Optimizer) tiles, vectorises, skips zero inputs and
// splits work between threads; this file and each layer kind's
// `referenceForward` / `referenceBackward` do none of that, and the tests
// require the two to give identical bits for weights, state, losses and
// metrics. Each kind writes its own order beside its reference (Dense:
// z[n,o] = fma chain over i ascending from +0 of x[n,i]·W[i,o], then + b[o];
// dW[i,o] = fma chain over n ascending; db[o] = Σ_n dz[n,o] from +0; dx[n,i] =
// fma chain over o ascending). Here:
//   softmax: m = max_j z_j; s = Σ_j e^(z_j − m) (j ascending); p_j = e_j · (1/s)
//   loss    = Σ_rows (log(s) − (z_y − m)) in Double, rows ascending
//             (smoothed: log(s) − Σ_j t_j·(z_j − m), see SoftmaxCrossEntropy)
//   a step's rate: the schedule's at the updates so far, else the optimizer's;
//   weight decay p −= p·wd·rate on every parameter, then the optimizer
// with `ElementaryFunctions` for exp, log and tanh, and each optimizer's
// formula evaluated left to right as written in `Optimizer`.
// A hidden weighted layer's dL/dz is its activation derivative applied to dL/da.

enum ReferenceTraining {
    /// Per-epoch figures of `fit` (timings left out).
    struct Epoch: Equatable {
        var loss: Double
        var accuracy: Double
        var validationLoss: Double?
        var validationAccuracy: Double?
    }

    /// `Model.fit` in plain loops: the same epochs, order, batches and
    /// updates, starting from `parameters` and `state` with fresh optimizer
    /// slots. Returns the final parameters and state, and every epoch's figures.
    static func fit(
        layers: [PlacedLayer], parameters start: [Float], state startState: [Float] = [], training: Examples,
        validation: Examples?, optimizer: Optimizer, configuration: FitConfiguration
    ) -> (parameters: [Float], state: [Float], epochs: [Epoch]) {
        var parameters = start
        var state = startState
        var slots = [[Float]](repeating: [Float](repeating: 0, count: start.count), count: optimizer.slotCount)
        let x = training.features
        let labels = training.labels
        let (count, width) = (training.count, training.width)
        let inputShape = layers.first?.inputShape ?? []
        var order = [Int](0..<count)
        var step = 0
        var epochs: [Epoch] = []
        for epoch in 0..<configuration.epochs {
            if configuration.shuffle {
                order.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    epochPermutation(count: count, seed: configuration.seed, epoch: epoch, into: base)
                }
            }
            var lossSum: Double = 0
            var correct = 0
            var first = 0
            while first < count {
                let rows = min(configuration.batchSize, count - first)
                var batch = [Float](repeating: 0, count: rows * width)
                var batchLabels = [UInt8](repeating: 0, count: rows)
                for r in 0..<rows {
                    let source = order[first + r]
                    for i in 0..<width { batch[r * width + i] = x[source * width + i] }
                    batchLabels[r] = labels[source]
                }
                step += 1
                if let augmentation = configuration.augmentation, inputShape.count == 3 {
                    batch = augmented(batch, rows: rows, shape: inputShape, augmentation, seed: configuration.seed, step: step)
                }
                let (gradients, totals) = self.gradients(
                    layers: layers, parameters: parameters, state: &state, batch: batch, labels: batchLabels,
                    seed: configuration.seed, step: step, labelSmoothing: configuration.labelSmoothing)
                let rate = configuration.learningRate(of: optimizer, afterIterations: step - 1)
                if configuration.weightDecay > 0 {
                    WeightDecay.apply(to: &parameters, decay: configuration.weightDecay, rate: rate)
                }
                update(
                    optimizer.with(learningRate: rate), parameters: &parameters, gradients: gradients, slots: &slots,
                    step: step)
                lossSum += totals.loss
                correct += totals.correct
                first += rows
            }
            var figures = Epoch(loss: lossSum / Double(count), accuracy: Double(correct) / Double(count))
            if let validation {
                let totals = evaluate(
                    layers: layers, parameters: parameters, state: state, features: validation.features,
                    labels: validation.labels)
                figures.validationLoss = totals.loss / Double(validation.count)
                figures.validationAccuracy = Double(totals.correct) / Double(validation.count)
            }
            epochs.append(figures)
        }
        return (parameters, state, epochs)
    }

    /// Rows of `batch` warped by their random transforms (`Augmentation.warp`
    /// is its own scalar specification).
    static func augmented(
        _ batch: [Float], rows: Int, shape: [Int], _ augmentation: Augmentation, seed: UInt64, step: Int
    ) -> [Float] {
        var batch = batch
        let size = shape[0] * shape[1] * shape[2]
        for r in 0..<rows {
            let image = Array(batch[(r * size)..<((r + 1) * size)])
            var warped = [Float](repeating: 0, count: size)
            let transform = augmentation.transform(seed: seed, step: step, row: r, height: shape[0], width: shape[1])
            image.withUnsafeBufferPointer { source in
                warped.withUnsafeMutableBufferPointer { target in
                    guard let source = source.baseAddress, let target = target.baseAddress else { return }
                    Augmentation.warp(
                        source, height: shape[0], width: shape[1], channels: shape[2], transform: transform, into: target)
                }
            }
            batch.replaceSubrange((r * size)..<((r + 1) * size), with: warped)
        }
        return batch
    }

    /// Summed loss and correct count of `labels.count` rows (inference: no
    /// random masks, moving statistics).
    static func evaluate(
        layers: [PlacedLayer], parameters: [Float], state: [Float] = [], features: [Float], labels: [UInt8]
    ) -> SoftmaxCrossEntropy.Totals {
        var state = state
        let outputs = forward(
            layers: layers, parameters: parameters, state: &state, input: features, rows: labels.count, training: nil)
        return softmaxCrossEntropy(
            logits: outputs[outputs.count - 1].output, labels: labels, classes: layers[layers.count - 1].outputSize
        ).totals
    }

    /// Every layer's output for `rows` rows (the last is its raw logits),
    /// with what each keeps for the backward. `training` (fit seed and
    /// step) makes it a training forward: random masks, batch statistics
    /// (which update `state`).
    static func forward(
        layers: [PlacedLayer], parameters: [Float], state: inout [Float], input: [Float], rows: Int,
        training: (seed: UInt64, step: Int)?
    ) -> [ReferenceOutput] {
        var outputs: [ReferenceOutput] = []
        var x = input
        for layer in layers {
            let output = layer.layer.referenceForward(
                layer, x, rows: rows, parameters: parameters, state: &state, training: training)
            outputs.append(output)
            x = output.output
        }
        return outputs
    }

    /// The batch-mean loss's gradient with respect to every parameter, and
    /// the batch's totals, from a training forward (seed and step) that
    /// also updates `state`.
    static func gradients(
        layers: [PlacedLayer], parameters: [Float], state: inout [Float], batch: [Float], labels: [UInt8], seed: UInt64,
        step: Int, labelSmoothing: Float = 0
    ) -> (gradients: [Float], totals: SoftmaxCrossEntropy.Totals) {
        let rows = labels.count
        let outputs = forward(
            layers: layers, parameters: parameters, state: &state, input: batch, rows: rows, training: (seed, step))
        let last = layers.count - 1
        let (totals, outputGradient) = softmaxCrossEntropy(
            logits: outputs[last].output, labels: labels, classes: layers[last].outputSize, gradientScale: 1 / Float(rows),
            labelSmoothing: labelSmoothing)
        var g = outputGradient
        var gradients = [Float](repeating: 0, count: parameters.count)
        for l in stride(from: last, through: 0, by: -1) {
            let layer = layers[l]
            let x = l == 0 ? batch : outputs[l - 1].output
            g = layer.layer.referenceBackward(
                layer, x, outputs[l], g, rows: rows, parameters: parameters, gradients: &gradients)
        }
        return (gradients, totals)
    }

    /// f(z) of a hidden layer.
    static func activate(_ activation: Activation, _ z: Float) -> Float {
        switch activation {
        case .linear, .softmax: z
        case .relu: max(z, 0)
        case .sigmoid: ElementaryFunctions.sigmoid(z)
        case .tanh: ElementaryFunctions.tanh(z)
        }
    }

    /// dL/dz from dL/da and the output a.
    static func activationDerivative(_ activation: Activation, _ gradient: Float, _ a: Float) -> Float {
        switch activation {
        case .linear, .softmax: gradient
        case .relu: a > 0 ? gradient : 0
        case .sigmoid: gradient * (a * (1 - a))
        case .tanh: gradient * (1 - a * a)
        }
    }

    /// Softmax + cross-entropy of each row of `logits`: the totals, and
    /// `(p − onehot(y)) · gradientScale`.
    static func softmaxCrossEntropy(
        logits: [Float], labels: [UInt8], classes: Int, gradientScale: Float = 1, labelSmoothing: Float = 0
    ) -> (totals: SoftmaxCrossEntropy.Totals, gradient: [Float]) {
        // Smoothed targets: s/O off the label, (1 − s) + s/O on it.
        let off = labelSmoothing / Float(classes)
        let on = (1 - labelSmoothing) + off
        var totals = SoftmaxCrossEntropy.Totals()
        var gradient = logits
        for r in 0..<labels.count {
            let y = Int(labels[r])
            let z = Array(logits[(r * classes)..<((r + 1) * classes)])
            var m = -Float.infinity
            for j in 0..<classes { m = max(m, z[j]) }
            var e = [Float](repeating: 0, count: classes)
            var s: Float = 0
            for j in 0..<classes {
                e[j] = ElementaryFunctions.exp(z[j] - m)
                s += e[j]
            }
            let inverse = 1 / s
            var best = 0
            var bestValue = -Float.infinity
            for j in 0..<classes {
                let p = e[j] * inverse
                if p > bestValue {
                    bestValue = p
                    best = j
                }
                gradient[r * classes + j] =
                    labelSmoothing > 0
                    ? (p - (j == y ? on : off)) * gradientScale : ((j == y ? p - 1 : p)) * gradientScale
            }
            if labelSmoothing > 0 {
                var weighted = 0.0
                for j in 0..<classes { weighted += Double(j == y ? on : off) * Double(z[j] - m) }
                totals.loss += ElementaryFunctions.log(Double(s)) - weighted
            } else {
                totals.loss += ElementaryFunctions.log(Double(s)) - Double(z[y] - m)
            }
            if best == y { totals.correct += 1 }
        }
        return (totals, gradient)
    }

    /// One optimizer update, element by element, as its kind writes it.
    static func update(
        _ optimizer: Optimizer, parameters p: inout [Float], gradients g: [Float], slots: inout [[Float]], step: Int
    ) {
        optimizer.rule.referenceUpdate(parameters: &p, gradients: g, slots: &slots, step: step)
    }
}
