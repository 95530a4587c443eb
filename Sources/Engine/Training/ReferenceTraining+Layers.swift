// The specification of the convolution, pooling, flatten and dropout
// layers' arithmetic (and of Dense layers among them), in plain scalar
// loops; `NetworkWorkspace` must give the same bits. The order it writes
// (shapes NHWC; P output positions; k = (ky, kx, c), c fastest):
//   conv    z[n,p,f]  = fma chain over k ascending from +0 of x_patch[n,p,k]·W[k,f], + b[f], then f
//                       (a patch value in the padding is +0)
//           dW[k,f]   = fma chain over (n, p) ascending from +0 of x_patch[n,p,k]·dz[n,p,f]
//           db[f]     = Σ over (n, p) ascending from +0 of dz[n,p,f]
//           dcols[n,p,k] = fma chain over f ascending from +0 of dz[n,p,f]·W[k,f]
//           dx[n,y,x,c]  = +0, + dcols[n,p,k] for each p ascending whose window covers it
//   maxpool a = first maximum of the window, (py, px) ascending, by `>`;
//           dx = +0, dx[argmax] = dz
//   flatten the identity (NHWC order)
//   dropout a = x · mask, dx = dz · mask, mask from `Dropout.generator`
//           (training steps only; the identity otherwise)
//   dense   as in ReferenceTraining.swift
// A hidden layer's dL/dz is its activation derivative applied to dL/da.

extension ReferenceTraining {
    /// `Model.fit` in plain loops for any layers, as `fit(plan:...)` is for
    /// dense stacks; `inputShape` (`[H, W, C]`) for the augmentation, if any
    /// (`Augmentation.warp` is its own scalar specification).
    static func fit(
        network: [NetworkLayer], inputShape: [Int]? = nil, parameters start: [Float], training: Examples, validation: Examples?,
        optimizer: Optimizer, configuration: FitConfiguration
    ) -> (parameters: [Float], epochs: [Epoch]) {
        var parameters = start
        var slots = [[Float]](repeating: [Float](repeating: 0, count: start.count), count: optimizer.slotCount)
        let x = training.features
        let labels = training.labels
        let (count, width) = (training.count, training.width)
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
                if let augmentation = configuration.augmentation, let shape = inputShape, shape.count == 3 {
                    let size = shape[0] * shape[1] * shape[2]
                    for r in 0..<rows {
                        let image = Array(batch[(r * size)..<((r + 1) * size)])
                        var warped = [Float](repeating: 0, count: size)
                        let transform = augmentation.transform(
                            seed: configuration.seed, step: step, row: r, height: shape[0], width: shape[1])
                        image.withUnsafeBufferPointer { source in
                            warped.withUnsafeMutableBufferPointer { target in
                                guard let source = source.baseAddress, let target = target.baseAddress else { return }
                                Augmentation.warp(
                                    source, height: shape[0], width: shape[1], channels: shape[2], transform: transform,
                                    into: target)
                            }
                        }
                        batch.replaceSubrange((r * size)..<((r + 1) * size), with: warped)
                    }
                }
                let rate = configuration.learningRate(of: optimizer, afterIterations: step - 1)
                let totals = trainingStep(
                    network: network, parameters: &parameters, slots: &slots, batch: batch, labels: batchLabels,
                    optimizer: optimizer.withLearningRate(rate), seed: configuration.seed, step: step,
                    weightDecay: configuration.weightDecay, labelSmoothing: configuration.labelSmoothing)
                lossSum += totals.loss
                correct += totals.correct
                first += rows
            }
            var figures = Epoch(loss: lossSum / Double(count), accuracy: Double(correct) / Double(count))
            if let validation {
                let totals = evaluate(
                    network: network, parameters: parameters, features: validation.features, labels: validation.labels)
                figures.validationLoss = totals.loss / Double(validation.count)
                figures.validationAccuracy = Double(totals.correct) / Double(validation.count)
            }
            epochs.append(figures)
        }
        return (parameters, epochs)
    }

    /// Summed loss and correct count of `labels.count` rows (no dropout).
    static func evaluate(
        network: [NetworkLayer], parameters: [Float], features: [Float], labels: [UInt8]
    ) -> SoftmaxCrossEntropy.Totals {
        let pass = forward(network: network, parameters: parameters, input: features, rows: labels.count, dropout: nil)
        return softmaxCrossEntropy(
            logits: pass.outputs[pass.outputs.count - 1], labels: labels, classes: network[network.count - 1].outputSize
        ).totals
    }

    /// What a forward leaves for the backward: every layer's output, and
    /// the pooling winners and dropout masks (empty for other layers).
    struct Pass {
        var outputs: [[Float]]
        var argmax: [[Int]]
        var masks: [[Float]]
    }

    /// Every layer's output for `rows` rows; the last is its raw logits.
    /// `dropout` (fit seed and step) turns on the dropout masks.
    static func forward(
        network: [NetworkLayer], parameters w: [Float], input: [Float], rows: Int, dropout: (seed: UInt64, step: Int)?
    ) -> Pass {
        var pass = Pass(outputs: [], argmax: [], masks: [])
        var x = input
        let last = network.count - 1
        for (l, layer) in network.enumerated() {
            let (inSize, outSize) = (layer.inputSize, layer.outputSize)
            var a = [Float](repeating: 0, count: rows * outSize)
            var argmax: [Int] = []
            var mask: [Float] = []
            switch layer.kind {
            case .dense(let plan):
                for n in 0..<rows {
                    for o in 0..<plan.outputs {
                        var sum: Float = 0
                        for i in 0..<plan.inputs {
                            sum = sum.addingProduct(x[n * inSize + i], w[plan.kernelOffset + i * plan.outputs + o])
                        }
                        let z = sum + w[plan.biasOffset + o]
                        a[n * outSize + o] = l == last ? z : activate(plan.activation, z)
                    }
                }
            case .conv(let plan):
                let patches = patches(x, rows: rows, plan)
                for n in 0..<rows {
                    for p in 0..<plan.positions {
                        for f in 0..<plan.filters {
                            var sum: Float = 0
                            for k in 0..<plan.patch {
                                sum = sum.addingProduct(
                                    patches[(n * plan.positions + p) * plan.patch + k],
                                    w[plan.kernelOffset + k * plan.filters + f])
                            }
                            a[(n * plan.positions + p) * plan.filters + f] = activate(
                                plan.activation, sum + w[plan.biasOffset + f])
                        }
                    }
                }
            case .maxPool(let plan):
                argmax = [Int](repeating: 0, count: rows * outSize)
                let c = plan.channels
                for n in 0..<rows {
                    for oy in 0..<plan.outHeight {
                        for ox in 0..<plan.outWidth {
                            for ch in 0..<c {
                                var best = -1
                                for py in 0..<plan.size {
                                    for px in 0..<plan.size {
                                        let i = ((oy * plan.size + py) * plan.inWidth + ox * plan.size + px) * c + ch
                                        if best < 0 || x[n * inSize + i] > x[n * inSize + best] { best = i }
                                    }
                                }
                                let o = n * outSize + (oy * plan.outWidth + ox) * c + ch
                                a[o] = x[n * inSize + best]
                                argmax[o] = best
                            }
                        }
                    }
                }
            case .flatten:
                a = x
            case .dropout(let rate):
                if let dropout {
                    mask = [Float](repeating: 0, count: rows * outSize)
                    let scale = Float(1 / (1 - rate))
                    for n in 0..<rows {
                        var generator = Dropout.generator(seed: dropout.seed, step: dropout.step, layer: l, row: n)
                        for i in 0..<outSize {
                            mask[n * outSize + i] = generator.nextUnit() >= rate ? scale : 0
                            a[n * outSize + i] = x[n * inSize + i] * mask[n * outSize + i]
                        }
                    }
                } else {
                    a = x
                }
            }
            pass.outputs.append(a)
            pass.argmax.append(argmax)
            pass.masks.append(mask)
            x = a
        }
        return pass
    }

    /// Every example's patches, rows × P × (K·K·C), +0 in the padding.
    static func patches(_ x: [Float], rows: Int, _ plan: ConvolutionPlan) -> [Float] {
        var cols = [Float](repeating: 0, count: rows * plan.positions * plan.patch)
        for n in 0..<rows {
            for oy in 0..<plan.outHeight {
                for ox in 0..<plan.outWidth {
                    for ky in 0..<plan.kernel {
                        for kx in 0..<plan.kernel {
                            for c in 0..<plan.channels {
                                let y = oy * plan.stride + ky - plan.padTop
                                let xx = ox * plan.stride + kx - plan.padLeft
                                guard y >= 0, y < plan.inHeight, xx >= 0, xx < plan.inWidth else { continue }
                                let p = oy * plan.outWidth + ox
                                let k = (ky * plan.kernel + kx) * plan.channels + c
                                cols[(n * plan.positions + p) * plan.patch + k] =
                                    x[n * plan.inputSize + (y * plan.inWidth + xx) * plan.channels + c]
                            }
                        }
                    }
                }
            }
        }
        return cols
    }

    /// One step on a gathered batch (dropout on, from `seed` and `step`):
    /// forward, loss, backward, update.
    static func trainingStep(
        network: [NetworkLayer], parameters: inout [Float], slots: inout [[Float]], batch: [Float], labels: [UInt8],
        optimizer: Optimizer, seed: UInt64, step: Int, weightDecay: Float = 0, labelSmoothing: Float = 0
    ) -> SoftmaxCrossEntropy.Totals {
        let gradients = gradients(
            network: network, parameters: parameters, batch: batch, labels: labels, seed: seed, step: step,
            labelSmoothing: labelSmoothing)
        if weightDecay > 0 { WeightDecay.apply(to: &parameters, decay: weightDecay, rate: optimizer.learningRate) }
        update(optimizer, parameters: &parameters, gradients: gradients.gradients, slots: &slots, step: step)
        return gradients.totals
    }

    /// The batch-mean loss's gradient with respect to every parameter, and the batch's totals.
    static func gradients(
        network: [NetworkLayer], parameters w: [Float], batch: [Float], labels: [UInt8], seed: UInt64, step: Int,
        labelSmoothing: Float = 0
    ) -> (gradients: [Float], totals: SoftmaxCrossEntropy.Totals) {
        let rows = labels.count
        let pass = forward(network: network, parameters: w, input: batch, rows: rows, dropout: (seed, step))
        let last = network.count - 1
        let (totals, outputGradient) = softmaxCrossEntropy(
            logits: pass.outputs[last], labels: labels, classes: network[last].outputSize, gradientScale: 1 / Float(rows),
            labelSmoothing: labelSmoothing)
        var g = outputGradient
        var gradients = [Float](repeating: 0, count: w.count)
        for l in stride(from: last, through: 0, by: -1) {
            let layer = network[l]
            let (inSize, outSize) = (layer.inputSize, layer.outputSize)
            let x = l == 0 ? batch : pass.outputs[l - 1]
            var dx = [Float](repeating: 0, count: rows * inSize)
            switch layer.kind {
            case .dense(let plan):
                var dz = g
                if l < last {
                    for i in dz.indices { dz[i] = activationDerivative(plan.activation, g[i], pass.outputs[l][i]) }
                }
                for i in 0..<plan.inputs {
                    for o in 0..<plan.outputs {
                        var sum: Float = 0
                        for n in 0..<rows { sum = sum.addingProduct(x[n * inSize + i], dz[n * outSize + o]) }
                        gradients[plan.kernelOffset + i * plan.outputs + o] = sum
                    }
                }
                for o in 0..<plan.outputs {
                    var sum: Float = 0
                    for n in 0..<rows { sum += dz[n * outSize + o] }
                    gradients[plan.biasOffset + o] = sum
                }
                for n in 0..<rows {
                    for i in 0..<plan.inputs {
                        var sum: Float = 0
                        for o in 0..<plan.outputs {
                            sum = sum.addingProduct(dz[n * outSize + o], w[plan.kernelOffset + i * plan.outputs + o])
                        }
                        dx[n * inSize + i] = sum
                    }
                }
            case .conv(let plan):
                var dz = g
                for i in dz.indices { dz[i] = activationDerivative(plan.activation, g[i], pass.outputs[l][i]) }
                let cols = patches(x, rows: rows, plan)
                let (positions, patch, filters) = (plan.positions, plan.patch, plan.filters)
                for k in 0..<patch {
                    for f in 0..<filters {
                        var sum: Float = 0
                        for np in 0..<(rows * positions) {
                            sum = sum.addingProduct(cols[np * patch + k], dz[np * filters + f])
                        }
                        gradients[plan.kernelOffset + k * filters + f] = sum
                    }
                }
                for f in 0..<filters {
                    var sum: Float = 0
                    for np in 0..<(rows * positions) { sum += dz[np * filters + f] }
                    gradients[plan.biasOffset + f] = sum
                }
                for n in 0..<rows {
                    for oy in 0..<plan.outHeight {
                        for ox in 0..<plan.outWidth {
                            let np = n * positions + oy * plan.outWidth + ox
                            for ky in 0..<plan.kernel {
                                for kx in 0..<plan.kernel {
                                    for c in 0..<plan.channels {
                                        let k = (ky * plan.kernel + kx) * plan.channels + c
                                        var sum: Float = 0
                                        for f in 0..<filters {
                                            sum = sum.addingProduct(dz[np * filters + f], w[plan.kernelOffset + k * filters + f])
                                        }
                                        let y = oy * plan.stride + ky - plan.padTop
                                        let xx = ox * plan.stride + kx - plan.padLeft
                                        guard y >= 0, y < plan.inHeight, xx >= 0, xx < plan.inWidth else { continue }
                                        dx[n * inSize + (y * plan.inWidth + xx) * plan.channels + c] += sum
                                    }
                                }
                            }
                        }
                    }
                }
            case .maxPool:
                for n in 0..<rows {
                    for j in 0..<outSize { dx[n * inSize + pass.argmax[l][n * outSize + j]] = g[n * outSize + j] }
                }
            case .flatten:
                dx = g
            case .dropout:
                for i in dx.indices { dx[i] = g[i] * pass.masks[l][i] }
            }
            g = dx
        }
        return (gradients, totals)
    }
}
