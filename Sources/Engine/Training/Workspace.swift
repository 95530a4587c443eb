// Buffers and passes for a model's layer stack over a batch, sized once per
// batch shape and reused for every batch (a smaller last batch just uses
// fewer rows). Each layer kind brings its own buffers and kernels (its
// `LayerPass`); this file only runs them in order.
//
// Shapes: `N` rows (≤ capacity); layer l maps `D_{l-1}` to `D_l` floats per
// row (NHWC for images).
//   outputs[l]    capacity×D_l  the layer's output (capacity×D_{l+1}, the
//                               layer above's, when it does that layer's
//                               forward too); for the last layer its logits,
//                               then probabilities, or dL/dz after a
//                               training forward (fused softmax + CE)
//   gradients[l]  capacity×D_l  dL/d(output of layer l), l < last (training)
//   batch         capacity×D_0  rows gathered by index (training), or
//                               converted from pixels (any pass on pixels)
//   rowLoss, rowCorrect  capacity  each row's loss and argmax hit
//
// Threads (see ComputeThreads.swift): a forward is one parallel pass over
// fixed chunks of 8 rows through every layer and the loss, the rows' losses
// then summed in row order. A layer that needs the whole batch in training
// (batch statistics) splits the forward there: the chunks run up to it, it
// runs on every row in its own defined order, and the chunks go on after
// it. A backward runs, from the last weighted layer down, each weighted
// layer's weight gradients (its kind splits them by fixed pieces), then one
// pass over chunks of rows taking the gradient down to the next weighted
// layer: this layer's dx, the backward of every layer without weights in
// between, and the lower layer's activation derivative. No sum crosses two
// tasks, so any thread count gives the same bits.

final class Workspace {
    let layers: [PlacedLayer]
    let passes: [any LayerPass]
    /// Most rows one pass may use.
    let capacity: Int
    /// Label smoothing of the training forwards' loss (0: none); evaluation forwards never smooth.
    var labelSmoothing: Float = 0
    private let outputs: [UnsafeMutablePointer<Float>]
    private let outputGradients: [UnsafeMutablePointer<Float>]
    /// Input rows gathered by index or converted from pixels.
    private let batch: UnsafeMutablePointer<Float>?
    private let rowLoss: UnsafeMutablePointer<Double>
    private let rowCorrect: UnsafeMutablePointer<Bool>
    /// The last layer's bias, added by the fused softmax.
    private let headBias: Int
    private var input: UnsafePointer<Float>?
    private(set) var rowsInPass = 0
    private var trainingStep: (seed: UInt64, step: Int)?
    private var augmentation: Augmentation?
    /// The model's input shape (augmentation needs its height, width and channels).
    let inputShape: [Int]
    /// A copy of each row before it is resampled (training on images).
    private let augmentationScratch: UnsafeMutablePointer<Float>?
    /// The step of the last forward (nil outside training), for the backward.
    private var lastStep: (seed: UInt64, step: Int)?

    /// Rows of a pass one task takes: fixed, so the work splits the same way
    /// whatever the thread count.
    static let rowsPerPiece = 8

    /// Most floats the buffers of one workspace may take (4 GiB).
    static let maximumFloats = 1 << 30

    /// Floats (or same-sized values) one row costs: every layer's outputs,
    /// twice when training (outputs and gradients), each layer's own
    /// buffers, the batch row when training or converting `pixels`, the
    /// augmentation copy of an image row in training, and its loss.
    static func floatsPerRow(_ layers: [PlacedLayer], training: Bool, pixels: Bool = false) -> Int {
        var total = 3
        for layer in layers {
            total += layer.outputSize * (training && !layer.isLast ? 2 : 1)
            total += layer.layer.floatsPerRow(layer, training: training)
        }
        let inputs = layers.first?.inputSize ?? 0
        if training || pixels { total += inputs }
        if training, layers.first?.inputShape.count == 3 { total += inputs }
        return total
    }

    /// Most rows that fit under `maximumFloats` (at least 1).
    static func maximumRows(_ layers: [PlacedLayer], training: Bool, pixels: Bool = false) -> Int {
        max(1, maximumFloats / max(1, floatsPerRow(layers, training: training, pixels: pixels)))
    }

    /// Buffers for up to `capacity` rows; `training` adds the gradient
    /// buffers, `training` or `pixels` the batch buffer (which passes over
    /// pixel rows need).
    init(layers: [PlacedLayer], capacity: Int, training: Bool, pixels: Bool = false) {
        precondition(capacity > 0 && !layers.isEmpty, "workspace needs rows and layers")
        self.layers = layers
        self.capacity = capacity
        inputShape = layers[0].inputShape
        passes = layers.map { $0.layer.makePass($0, capacity: capacity, training: training) }
        for l in layers.indices.dropFirst() where training {
            if let activation = layers[l - 1].layer.appliedActivation, passes[l].appliesDerivativeBelow(activation) {
                passes[l - 1].skipActivationDerivative()
            }
        }
        // A layer that copies its input has the output buffer of the layer
        // below; a layer whose forward the layer below does (an activation,
        // a max pooling) shares one with it, sized for the upper layer's
        // output (nothing reads the lower layer's own); a layer whose dx may
        // overwrite its dz gets one buffer for both.
        var outputs: [UnsafeMutablePointer<Float>] = []
        var gradients: [UnsafeMutablePointer<Float>] = []
        var fusedBelow = false
        for (l, layer) in layers.enumerated() {
            if l > 0, fusedBelow || passes[l].forwardCopiesInput {
                outputs.append(outputs[l - 1])
                fusedBelow = false
                continue
            }
            var size = layer.outputSize
            if l + 1 < layers.count, let above = passes[l + 1].fusibleForward, passes[l].fusesForwardAbove(above) {
                passes[l + 1].forwardFusedBelow()
                size = layers[l + 1].outputSize
                fusedBelow = true
            }
            outputs.append(layerBuffer(capacity * size, Float(0)))
        }
        for (l, layer) in layers.enumerated().reversed().dropFirst() where training {
            if l + 1 < layers.count - 1, passes[l + 1].inputGradientInPlace {
                gradients.append(gradients[gradients.count - 1])
            } else {
                gradients.append(layerBuffer(capacity * layer.outputSize, Float(0)))
            }
        }
        self.outputs = outputs
        outputGradients = gradients.reversed()
        let width = layers[0].inputSize
        batch = training || pixels ? layerBuffer(capacity * width, Float(0)) : nil
        augmentationScratch = training && inputShape.count == 3 ? layerBuffer(capacity * width, Float(0)) : nil
        rowLoss = layerBuffer(capacity, 0.0)
        rowCorrect = layerBuffer(capacity, false)
        headBias = layers[layers.count - 1].offset("bias")
    }

    deinit {
        // Shared buffers are neighbours: each is freed once.
        for (l, buffer) in outputs.enumerated() where l == 0 || outputs[l - 1] != buffer { buffer.deallocate() }
        for (l, buffer) in outputGradients.enumerated() where l == 0 || outputGradients[l - 1] != buffer {
            buffer.deallocate()
        }
        batch?.deallocate()
        augmentationScratch?.deallocate()
        rowLoss.deallocate()
        rowCorrect.deallocate()
    }

    /// Whether layer `l` has the output buffer of the layer below (a copy,
    /// or a forward that layer does).
    func shares(output l: Int) -> Bool { l > 0 && outputs[l] == outputs[l - 1] }

    /// Whether layer `l`'s output gradient is the one of the layer above
    /// (whose dx overwrites its dz).
    func shares(gradient l: Int) -> Bool {
        l + 1 < outputGradients.count && outputGradients[l] == outputGradients[l + 1]
    }

    /// The last layer's output: `rows × classes` probabilities after a forward without labels.
    var output: UnsafePointer<Float> { UnsafePointer(outputs[outputs.count - 1]) }

    /// The parameters the backward may hand to its `early` hook (and so
    /// must not read afterwards): the lowest weighted layer's.
    var earlyParameters: Range<Int> {
        passes.first(where: { $0.hasWeights })?.earlyParameters ?? 0..<0
    }

    /// The fit seed and 1-based step of the next training forward (random
    /// masks), and the augmentation its images get.
    func setTrainingStep(seed: UInt64, step: Int, augmentation: Augmentation?) {
        trainingStep = (seed, step)
        self.augmentation = augmentation
    }

    /// Resamples rows `chunk` of the batch buffer through their random
    /// transforms (training forwards with an augmentation only).
    private func augment(_ chunk: Range<Int>, step: (seed: UInt64, step: Int), augmentation: Augmentation) {
        guard let batch, let scratch = augmentationScratch, inputShape.count == 3 else { return }
        let (height, width, channels) = (inputShape[0], inputShape[1], inputShape[2])
        let size = height * width * channels
        for r in chunk {
            let transform = augmentation.transform(seed: step.seed, step: step.step, row: r, height: height, width: width)
            (scratch + r * size).update(from: batch + r * size, count: size)
            Augmentation.warp(
                scratch + r * size, height: height, width: width, channels: channels, transform: transform,
                into: batch + r * size)
        }
    }

    /// Forward through every layer for rows `first..<first + rows` of
    /// `inputs`: features are read in place, pixels converted into the
    /// batch buffer first.
    ///
    /// Without `labels` the last layer ends in softmax and `start` is
    /// returned. With `labels` it ends in the fused softmax + cross-entropy,
    /// returning `start` plus the rows' summed loss (rows ascending) and
    /// correct count; `gradientScale` (1/N for the batch mean) makes it a
    /// training forward (random masks, batch statistics, augmentation) and leaves
    /// dL/dz of the last layer in place for `backward`.
    @discardableResult
    func forward(
        _ inputs: InputRows, first: Int, rows: Int, parameters: UnsafePointer<Float>, state: UnsafeMutablePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals = .init()
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(first >= 0 && first + rows <= inputs.count, "rows past the end of the inputs")
        let width = layers[0].inputSize
        switch inputs.source {
        case .features(let x):
            if gradientScale != nil, augmentation != nil, let batch {
                return pass(
                    rows: rows, input: batch,
                    prepare: { chunk in
                        (batch + chunk.lowerBound * width).update(
                            from: x + (first + chunk.lowerBound) * width, count: chunk.count * width)
                    }, parameters: parameters, state: state, labels: labels, gradientScale: gradientScale,
                    startingFrom: start)
            }
            return pass(
                rows: rows, input: x + first * width, prepare: nil, parameters: parameters, state: state, labels: labels,
                gradientScale: gradientScale, startingFrom: start)
        case .pixels(let p, let conversion):
            guard let batch else { preconditionFailure("workspace was not built for pixels") }
            return pass(
                rows: rows, input: batch,
                prepare: { chunk in
                    conversion.convert(
                        rows: chunk.count, width: width, row: { p + (first + chunk.lowerBound + $0) * width },
                        into: batch + chunk.lowerBound * width)
                }, parameters: parameters, state: state, labels: labels, gradientScale: gradientScale,
                startingFrom: start)
        }
    }

    /// `forward` on rows `indices[0..<rows]` of `inputs` (each D_0 wide),
    /// gathered into the batch buffer (and converted, for pixels).
    @discardableResult
    func forward(
        gathering indices: UnsafePointer<Int>, from inputs: InputRows, rows: Int, parameters: UnsafePointer<Float>,
        state: UnsafeMutablePointer<Float>, labels: UnsafePointer<UInt8>, gradientScale: Float?
    ) -> SoftmaxCrossEntropy.Totals {
        guard let batch else { preconditionFailure("workspace was not built for training") }
        let width = layers[0].inputSize
        let prepare: (Range<Int>) -> Void
        switch inputs.source {
        case .features(let x):
            prepare = { chunk in
                for r in chunk { (batch + r * width).update(from: x + indices[r] * width, count: width) }
            }
        case .pixels(let p, let conversion):
            prepare = { chunk in
                conversion.convert(
                    rows: chunk.count, width: width, row: { p + indices[chunk.lowerBound + $0] * width },
                    into: batch + chunk.lowerBound * width)
            }
        }
        return pass(
            rows: rows, input: batch, prepare: prepare, parameters: parameters, state: state, labels: labels,
            gradientScale: gradientScale, startingFrom: .init())
    }

    /// Layer `l`'s buffers in the current pass.
    private func io(_ l: Int, parameters: UnsafePointer<Float>, state: UnsafeMutablePointer<Float>) -> LayerIO {
        guard let input else { preconditionFailure("a pass needs its input") }
        return LayerIO(
            input: l == 0 ? input : UnsafePointer(outputs[l - 1]), output: outputs[l], parameters: parameters,
            state: state, training: lastStep)
    }

    /// One forward: stages of chunks of rows in parallel through the
    /// layers (and, in the last stage, the loss), split at each layer that
    /// needs the whole batch; then the rows' losses summed in order.
    private func pass(
        rows: Int, input: UnsafePointer<Float>, prepare: ((Range<Int>) -> Void)?, parameters: UnsafePointer<Float>,
        state: UnsafeMutablePointer<Float>, labels: UnsafePointer<UInt8>?, gradientScale: Float?,
        startingFrom start: SoftmaxCrossEntropy.Totals
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(rows > 0 && rows <= capacity, "rows exceed the workspace")
        rowsInPass = rows
        self.input = input
        let step = gradientScale == nil ? nil : trainingStep
        lastStep = step
        let augmentation = step == nil ? nil : self.augmentation
        var l = 0
        while true {
            let end = (l..<layers.count).first { step != nil && passes[$0].needsWholeBatch } ?? layers.count
            let stage = l..<end
            let prepareHere = l == 0 ? prepare : nil
            let cost = stage.reduce(0) { $0 + layers[$1].layer.cost(layers[$1]) }
            let ios = stage.map { io($0, parameters: parameters, state: state) }
            let lossHere = end == layers.count
            ComputePool.shared.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: max(cost, 1)) { chunk in
                prepareHere?(chunk)
                if let step, let augmentation, prepareHere != nil {
                    self.augment(chunk, step: step, augmentation: augmentation)
                }
                for (k, l) in stage.enumerated() { self.passes[l].forward(chunk, ios[k]) }
                if lossHere { self.loss(chunk, parameters: parameters, labels: labels, gradientScale: gradientScale) }
            }
            guard end < layers.count else { break }
            passes[end].forwardBatch(rows: rows, io(end, parameters: parameters, state: state))
            l = end + 1
        }
        guard labels != nil else { return start }
        var totals = start
        for r in 0..<rows {
            totals.loss += rowLoss[r]
            if rowCorrect[r] { totals.correct += 1 }
        }
        return totals
    }

    /// Rows `chunk` of the last layer's logits through the softmax (with the loss when `labels`).
    private func loss(
        _ chunk: Range<Int>, parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>?, gradientScale: Float?
    ) {
        let classes = layers[layers.count - 1].outputSize
        let bias = parameters + headBias
        let z = outputs[outputs.count - 1]
        guard let labels else {
            SoftmaxCrossEntropy.forward(z + chunk.lowerBound * classes, bias: bias, rows: chunk.count, classes: classes)
            return
        }
        for r in chunk {
            let row = SoftmaxCrossEntropy.rowLoss(
                z + r * classes, bias: bias, label: Int(labels[r]), classes: classes, gradientScale: gradientScale,
                labelSmoothing: gradientScale == nil ? 0 : labelSmoothing)
            rowLoss[r] = row.loss
            rowCorrect[r] = row.correct
        }
    }

    /// Backward after a training forward on the same rows: every layer's
    /// weight gradients into `gradients` (mirroring the parameters). `early`,
    /// when given, takes the lowest weighted layer's parameter ranges whose
    /// gradients are final (before this returns, perhaps on another thread):
    /// nothing later in the backward reads them.
    func backward(
        parameters: UnsafePointer<Float>, state: UnsafeMutablePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        early: ((Range<Int>) -> Void)? = nil
    ) {
        precondition(outputGradients.count == layers.count - 1, "workspace was not built for training")
        let rows = rowsInPass
        precondition(rows > 0 && input != nil, "backward before forward")
        let lowest = passes.firstIndex { $0.hasWeights }
        var l = layers.count - 1
        // dL/dz of layer l (the fused softmax + cross-entropy left it for the last layer).
        var dz = UnsafePointer(outputs[l])
        while true {
            let io = io(l, parameters: parameters, state: state)
            passes[l].weightGradients(rows: rows, io, dz: dz, gradients: gradients, done: l == lowest ? early : nil)
            // The next weighted layer below; nothing needs a gradient under the lowest.
            guard let below = (0..<l).last(where: { passes[$0].hasWeights }) else { break }
            passes[l].prepareInputGradient(io)
            let ios = (below...l).map { self.io($0, parameters: parameters, state: state) }
            let cost = (below + 1...l).reduce(0) { $0 + layers[$1].layer.cost(layers[$1]) }
            let (top, dzNow) = (l, dz)
            ComputePool.shared.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: max(cost, 1)) { chunk in
                self.rowsBackward(chunk, from: top, to: below, outputGradient: dzNow, ios: ios)
            }
            l = below
            dz = UnsafePointer(outputGradients[below])
        }
    }

    /// Rows `chunk`: layer `top`'s dx from its dL/dz, down through the
    /// layers without weights to layer `below`'s output gradient, then
    /// `below`'s activation derivative, in place in `outputGradients[below]`.
    /// `ios` holds the buffers of layers `below...top`.
    private func rowsBackward(
        _ chunk: Range<Int>, from top: Int, to below: Int, outputGradient dz: UnsafePointer<Float>, ios: [LayerIO]
    ) {
        passes[top].inputGradient(chunk, ios[top - below], dz: dz, into: outputGradients[top - 1])
        var m = top - 1
        while m > below {
            passes[m].inputGradient(
                chunk, ios[m - below], dz: UnsafePointer(outputGradients[m]), into: outputGradients[m - 1])
            m -= 1
        }
        passes[below].activationDerivative(chunk, ios[0], gradient: outputGradients[below])
    }
}
