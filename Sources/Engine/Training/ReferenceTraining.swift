// The specification of the engine's arithmetic, in plain scalar loops.
//
// Shapes: `N` batch rows, layer l maps `I_l` inputs to `O_l` outputs; all
// buffers row-major; `P` parameters laid out as in `Model`.
//
// The fast path (Workspace, Dense, MatrixProduct, SoftmaxCrossEntropy,
// Optimizer) tiles, vectorises, skips zero inputs and splits work between
// threads; this file does none of that, and the tests require the two to
// give identical bits for weights, losses and metrics. The order it writes:
//   z[n,o]  = fma chain over i ascending from +0 of x[n,i]·W[i,o], then + b[o]
//   dW[i,o] = fma chain over n ascending from +0 of x[n,i]·dz[n,o]
//   db[o]   = dz[0,o] + dz[1,o] + … (n ascending, from +0)
//   dx[n,i] = fma chain over o ascending from +0 of dz[n,o]·W[i,o]
//   softmax: m = max_j z_j; s = Σ_j e^(z_j − m) (j ascending); p_j = e_j · (1/s)
//   loss    = Σ_rows (log(s) − (z_y − m)) in Double, rows ascending
//             (smoothed: log(s) − Σ_j t_j·(z_j − m), see SoftmaxCrossEntropy)
//   a step's rate: the schedule's at the updates so far, else the optimizer's;
//   weight decay p −= p·wd·rate on every parameter, then the optimizer
// with `ElementaryFunctions` for exp, log and tanh, and each optimizer's
// formula evaluated left to right as written in `Optimizer`.

enum ReferenceTraining {
    /// Per-epoch figures of `fit` (timings left out).
    struct Epoch: Equatable {
        var loss: Double
        var accuracy: Double
        var validationLoss: Double?
        var validationAccuracy: Double?
    }

    /// `Model.fit` in plain loops: the same epochs, order, batches and
    /// updates, starting from `parameters` with fresh optimizer slots.
    /// Returns the final parameters and every epoch's figures.
    static func fit(
        plan: [LayerPlan], parameters start: [Float], training: Examples, validation: Examples?,
        optimizer: Optimizer, configuration: FitConfiguration
    ) -> (parameters: [Float], epochs: [Epoch]) {
        var parameters = start
        var slots = [[Float]](repeating: [Float](repeating: 0, count: start.count), count: optimizer.slotCount)
        let x = training.features
        let labels = training.labels
        let (count, width) = (training.count, training.width)
        let batchSize = configuration.batchSize
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
                let rows = min(batchSize, count - first)
                var batch = [Float](repeating: 0, count: rows * width)
                var batchLabels = [UInt8](repeating: 0, count: rows)
                for r in 0..<rows {
                    let source = order[first + r]
                    for i in 0..<width { batch[r * width + i] = x[source * width + i] }
                    batchLabels[r] = labels[source]
                }
                let rate = configuration.learningRate(of: optimizer, afterIterations: step)
                step += 1
                let totals = trainingStep(
                    plan: plan, parameters: &parameters, slots: &slots, batch: batch, labels: batchLabels,
                    optimizer: optimizer.withLearningRate(rate), step: step, weightDecay: configuration.weightDecay,
                    labelSmoothing: configuration.labelSmoothing)
                lossSum += totals.loss
                correct += totals.correct
                first += rows
            }
            var figures = Epoch(loss: lossSum / Double(count), accuracy: Double(correct) / Double(count))
            if let validation {
                let totals = evaluate(
                    plan: plan, parameters: parameters, features: validation.features, labels: validation.labels)
                figures.validationLoss = totals.loss / Double(validation.count)
                figures.validationAccuracy = Double(totals.correct) / Double(validation.count)
            }
            epochs.append(figures)
        }
        return (parameters, epochs)
    }

    /// Summed loss and correct count of `labels.count` rows of `features`.
    static func evaluate(
        plan: [LayerPlan], parameters: [Float], features: [Float], labels: [UInt8]
    ) -> SoftmaxCrossEntropy.Totals {
        let activations = forward(plan: plan, parameters: parameters, input: features, rows: labels.count)
        return softmaxCrossEntropy(
            logits: activations[activations.count - 1], labels: labels, classes: plan[plan.count - 1].outputs
        ).totals
    }

    /// One step on a gathered batch: forward, loss, backward, update.
    static func trainingStep(
        plan: [LayerPlan], parameters: inout [Float], slots: inout [[Float]], batch: [Float], labels: [UInt8],
        optimizer: Optimizer, step: Int, weightDecay: Float = 0, labelSmoothing: Float = 0
    ) -> SoftmaxCrossEntropy.Totals {
        let rows = labels.count
        let activations = forward(plan: plan, parameters: parameters, input: batch, rows: rows)
        let last = plan.count - 1
        let (totals, outputGradient) = softmaxCrossEntropy(
            logits: activations[last], labels: labels, classes: plan[last].outputs, gradientScale: 1 / Float(rows),
            labelSmoothing: labelSmoothing)
        var dz = outputGradient
        var gradients = [Float](repeating: 0, count: parameters.count)
        for l in stride(from: last, through: 0, by: -1) {
            let layer = plan[l]
            let (inputs, outputs) = (layer.inputs, layer.outputs)
            let x = l == 0 ? batch : activations[l - 1]
            for i in 0..<inputs {
                for o in 0..<outputs {
                    var sum: Float = 0
                    for n in 0..<rows { sum = sum.addingProduct(x[n * inputs + i], dz[n * outputs + o]) }
                    gradients[layer.kernelOffset + i * outputs + o] = sum
                }
            }
            for o in 0..<outputs {
                var sum: Float = 0
                for n in 0..<rows { sum += dz[n * outputs + o] }
                gradients[layer.biasOffset + o] = sum
            }
            guard l > 0 else { break }
            var dx = [Float](repeating: 0, count: rows * inputs)
            for n in 0..<rows {
                for i in 0..<inputs {
                    var sum: Float = 0
                    for o in 0..<outputs {
                        sum = sum.addingProduct(dz[n * outputs + o], parameters[layer.kernelOffset + i * outputs + o])
                    }
                    dx[n * inputs + i] = activationDerivative(plan[l - 1].activation, sum, activations[l - 1][n * inputs + i])
                }
            }
            dz = dx
        }
        if weightDecay > 0 { WeightDecay.apply(to: &parameters, decay: weightDecay, rate: optimizer.learningRate) }
        update(optimizer, parameters: &parameters, gradients: gradients, slots: &slots, step: step)
        return totals
    }

    /// Every layer's output for `rows` rows of `input`; the last layer's
    /// is its raw logits z = x·W + b (softmax is applied by the loss).
    static func forward(plan: [LayerPlan], parameters: [Float], input: [Float], rows: Int) -> [[Float]] {
        var activations: [[Float]] = []
        var x = input
        for (l, layer) in plan.enumerated() {
            let (inputs, outputs) = (layer.inputs, layer.outputs)
            var a = [Float](repeating: 0, count: rows * outputs)
            for n in 0..<rows {
                for o in 0..<outputs {
                    var sum: Float = 0
                    for i in 0..<inputs {
                        sum = sum.addingProduct(x[n * inputs + i], parameters[layer.kernelOffset + i * outputs + o])
                    }
                    let z = sum + parameters[layer.biasOffset + o]
                    a[n * outputs + o] = l == plan.count - 1 ? z : activate(layer.activation, z)
                }
            }
            activations.append(a)
            x = a
        }
        return activations
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

    /// One optimizer update, element by element, as `Optimizer` writes it.
    static func update(
        _ optimizer: Optimizer, parameters p: inout [Float], gradients g: [Float], slots: inout [[Float]], step: Int
    ) {
        func flushed(_ x: Float) -> Float { x < .leastNormalMagnitude && x > -.leastNormalMagnitude ? 0 : x }
        switch optimizer {
        case .sgd(let lr, let momentum, let nesterov):
            for i in p.indices {
                guard momentum != 0 else {
                    p[i] = p[i] - g[i] * lr
                    continue
                }
                let v = flushed(slots[0][i] * momentum - g[i] * lr)
                slots[0][i] = v
                p[i] = p[i] + (nesterov ? v * momentum - g[i] * lr : v)
            }
        case .adam(let lr, let beta1, let beta2, let epsilon):
            let alpha = Float(
                Double(lr) * (1 - ElementaryFunctions.power(Double(beta2), step)).squareRoot()
                    / (1 - ElementaryFunctions.power(Double(beta1), step)))
            for i in p.indices {
                let m = flushed(slots[0][i] + (g[i] - slots[0][i]) * (1 - beta1))
                let v = flushed(slots[1][i] + (g[i] * g[i] - slots[1][i]) * (1 - beta2))
                slots[0][i] = m
                slots[1][i] = v
                p[i] = p[i] - (m * alpha) / (v.squareRoot() + epsilon)
            }
        case .rmsprop(let lr, let rho, let momentum, let epsilon):
            for i in p.indices {
                let v = flushed(rho * slots[0][i] + (1 - rho) * (g[i] * g[i]))
                slots[0][i] = v
                let delta = (lr * g[i]) / (v + epsilon).squareRoot()
                if momentum > 0 {
                    let m = flushed(momentum * slots[1][i] + delta)
                    slots[1][i] = m
                    p[i] = p[i] - m
                } else {
                    p[i] = p[i] - delta
                }
            }
        }
    }
}
