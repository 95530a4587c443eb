// Buffers and passes for a model with any layers (Conv2D, MaxPooling2D,
// Flatten, Dropout, Dense), sized once per batch shape, like `Workspace`
// (which keeps the dense-only models' path).
//
// Shapes: `N` rows (≤ capacity); layer l maps `D_{l-1}` to `D_l` floats per
// row (NHWC for images).
//   outputs[l]    capacity×D_l  the layer's output; for the last layer its
//                               logits, then probabilities, or dL/dz after
//                               a training forward (fused softmax + CE)
//   gradients[l]  capacity×D_l  dL/d(output of layer l), l < last (training)
//   cols[l]       capacity×P×K·K·C  a Conv2D layer's patches (its dcols in
//                               the backward)
//   argmax[l]     capacity×D_l  a MaxPooling2D layer's winners
//   masks[l]      capacity×D_l  a Dropout layer's mask (training)
//
// Threads (see ComputeThreads.swift): a forward is one parallel pass over
// fixed chunks of 8 rows through every layer and the loss, the rows'
// losses then summed in row order. A backward splits each layer's kernel
// gradient by kernel rows (fixed pieces) and its input gradient by batch
// rows; bias gradients run on the caller. No sum crosses two tasks, so
// any thread count gives the same bits. The order of every sum is written
// in Dense.swift, Convolution.swift, MaxPooling.swift and Dropout.swift.

/// The passes `Model` runs over a batch: the dense `Workspace` or the
/// general `NetworkWorkspace`.
protocol Pass: AnyObject {
    /// Most rows one pass may use.
    var capacity: Int { get }
    /// The last layer's output: `rows × classes` probabilities after a forward without labels.
    var output: UnsafePointer<Float> { get }
    /// The parameters the backward may hand to `firstKernelDone` (and so
    /// must not read afterwards); empty when it hands none.
    var earlyParameters: Range<Int> { get }
    /// The fit seed and 1-based step of the next training forward (dropout
    /// masks), and the augmentation its images get.
    func setTrainingStep(seed: UInt64, step: Int, augmentation: Augmentation?)
    /// Label smoothing of the training forwards' loss (0: none); evaluation forwards never smooth.
    var labelSmoothing: Float { get set }
    func forward(
        _ inputs: InputRows, first: Int, rows: Int, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals
    ) -> SoftmaxCrossEntropy.Totals
    func forward(
        gathering indices: UnsafePointer<Int>, from inputs: InputRows, rows: Int,
        parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, gradientScale: Float?
    ) -> SoftmaxCrossEntropy.Totals
    func backward(
        parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        firstKernelDone: ((Range<Int>) -> Void)?
    )
}

final class NetworkWorkspace: Pass {
    let layers: [NetworkLayer]
    let capacity: Int
    private let outputs: [UnsafeMutablePointer<Float>]
    private let outputGradients: [UnsafeMutablePointer<Float>]
    private let cols: [UnsafeMutablePointer<Float>?]
    private let argmax: [UnsafeMutablePointer<Int32>?]
    private let masks: [UnsafeMutablePointer<Float>?]
    /// Wᵀ of the layer whose dx is being computed (training).
    private let transposedKernel: UnsafeMutablePointer<Float>
    /// Input rows gathered by index or converted from pixels.
    private let batch: UnsafeMutablePointer<Float>?
    private let rowLoss: UnsafeMutablePointer<Double>
    private let rowCorrect: UnsafeMutablePointer<Bool>
    private var input: UnsafePointer<Float>?
    private var rowsInPass = 0
    private var trainingStep: (seed: UInt64, step: Int)?
    private var augmentation: Augmentation?
    var labelSmoothing: Float = 0
    /// The model's input shape (augmentation needs its height, width and channels).
    let inputShape: [Int]
    /// A copy of each row before it is resampled (training on images).
    private let augmentationScratch: UnsafeMutablePointer<Float>?
    /// Whether the last forward applied dropout masks (a training step).
    private var dropped = false

    static let rowsPerPiece = 8

    var earlyParameters: Range<Int> { 0..<0 }

    /// Floats (or same-sized values) one row costs; see the buffers above.
    static func floatsPerRow(_ layers: [NetworkLayer], training: Bool, pixels: Bool = false) -> Int {
        var total = 3
        for (l, layer) in layers.enumerated() {
            total += layer.outputSize * (training && l < layers.count - 1 ? 2 : 1)
            switch layer.kind {
            case .conv(let plan): total += plan.positions * plan.patch
            case .maxPool: total += layer.outputSize
            case .dropout: total += training ? layer.outputSize : 0
            default: break
            }
        }
        if training || pixels { total += layers.first?.inputSize ?? 0 }
        if training { total += layers.first?.inputSize ?? 0 }
        return total
    }

    /// Most rows that fit under `Workspace.maximumFloats` (at least 1).
    static func maximumRows(_ layers: [NetworkLayer], training: Bool, pixels: Bool = false) -> Int {
        max(1, Workspace.maximumFloats / max(1, floatsPerRow(layers, training: training, pixels: pixels)))
    }

    init(layers: [NetworkLayer], inputShape: [Int], capacity: Int, training: Bool, pixels: Bool = false) {
        precondition(capacity > 0 && !layers.isEmpty, "workspace needs rows and layers")
        self.layers = layers
        self.inputShape = inputShape
        self.capacity = capacity
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
            buffer.initialize(repeating: value, count: max(count, 1))
            return buffer
        }
        outputs = layers.map { buffer(capacity * $0.outputSize, Float(0)) }
        outputGradients = training ? layers.dropLast().map { buffer(capacity * $0.outputSize, Float(0)) } : []
        cols = layers.map { layer in
            if case .conv(let plan) = layer.kind { buffer(capacity * plan.positions * plan.patch, Float(0)) } else { nil }
        }
        argmax = layers.map { layer in
            if case .maxPool = layer.kind { buffer(capacity * layer.outputSize, Int32(0)) } else { nil }
        }
        masks = layers.map { layer in
            if training, case .dropout = layer.kind { buffer(capacity * layer.outputSize, Float(0)) } else { nil }
        }
        var transposedSize = 0
        if training {
            for layer in layers.dropFirst() {
                switch layer.kind {
                case .dense(let plan): transposedSize = max(transposedSize, plan.inputs * plan.outputs)
                case .conv(let plan): transposedSize = max(transposedSize, plan.patch * plan.filters)
                default: break
                }
            }
        }
        transposedKernel = buffer(transposedSize, Float(0))
        batch = training || pixels ? buffer(capacity * layers[0].inputSize, Float(0)) : nil
        augmentationScratch = training && inputShape.count == 3 ? buffer(capacity * layers[0].inputSize, Float(0)) : nil
        rowLoss = buffer(capacity, 0.0)
        rowCorrect = buffer(capacity, false)
    }

    deinit {
        for buffer in outputs { buffer.deallocate() }
        for buffer in outputGradients { buffer.deallocate() }
        for buffer in cols { buffer?.deallocate() }
        for buffer in argmax { buffer?.deallocate() }
        for buffer in masks { buffer?.deallocate() }
        transposedKernel.deallocate()
        batch?.deallocate()
        augmentationScratch?.deallocate()
        rowLoss.deallocate()
        rowCorrect.deallocate()
    }

    var output: UnsafePointer<Float> { UnsafePointer(outputs[outputs.count - 1]) }

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
            let transform = augmentation.transform(
                seed: step.seed, step: step.step, row: r, height: height, width: width)
            (scratch + r * size).update(from: batch + r * size, count: size)
            Augmentation.warp(
                scratch + r * size, height: height, width: width, channels: channels, transform: transform,
                into: batch + r * size)
        }
    }

    func forward(
        _ inputs: InputRows, first: Int, rows: Int, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals
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
                    }, parameters: parameters, labels: labels, gradientScale: gradientScale, startingFrom: start)
            }
            return pass(
                rows: rows, input: x + first * width, prepare: nil, parameters: parameters, labels: labels,
                gradientScale: gradientScale, startingFrom: start)
        case .pixels(let p, let conversion):
            guard let batch else { preconditionFailure("workspace was not built for pixels") }
            return pass(
                rows: rows, input: batch,
                prepare: { chunk in
                    conversion.convert(
                        rows: chunk.count, width: width, row: { p + (first + chunk.lowerBound + $0) * width },
                        into: batch + chunk.lowerBound * width)
                }, parameters: parameters, labels: labels, gradientScale: gradientScale, startingFrom: start)
        }
    }

    func forward(
        gathering indices: UnsafePointer<Int>, from inputs: InputRows, rows: Int,
        parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, gradientScale: Float?
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
            rows: rows, input: batch, prepare: prepare, parameters: parameters, labels: labels,
            gradientScale: gradientScale, startingFrom: .init())
    }

    /// One forward: chunks of rows in parallel through every layer and the
    /// loss, then the rows' losses summed in order. A training step's
    /// dropout applies only when `gradientScale` is given.
    private func pass(
        rows: Int, input: UnsafePointer<Float>, prepare: ((Range<Int>) -> Void)?, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(rows > 0 && rows <= capacity, "rows exceed the workspace")
        rowsInPass = rows
        self.input = input
        let step = gradientScale == nil ? nil : trainingStep
        dropped = step != nil
        let cost = layers.reduce(0) { total, layer in
            switch layer.kind {
            case .dense(let plan): total + plan.inputs * plan.outputs
            case .conv(let plan): total + plan.positions * plan.patch * plan.filters
            default: total + layer.outputSize
            }
        }
        let augmentation = step == nil ? nil : self.augmentation
        ComputePool.shared.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: cost) { chunk in
            prepare?(chunk)
            if let step, let augmentation, prepare != nil { self.augment(chunk, step: step, augmentation: augmentation) }
            self.forwardChunk(
                chunk, input: input, parameters: parameters, labels: labels, gradientScale: gradientScale, step: step)
        }
        guard labels != nil else { return start }
        var totals = start
        for r in 0..<rows {
            totals.loss += rowLoss[r]
            if rowCorrect[r] { totals.correct += 1 }
        }
        return totals
    }

    /// Rows `chunk` through every layer, and the softmax (with the loss when `labels`).
    private func forwardChunk(
        _ chunk: Range<Int>, input: UnsafePointer<Float>, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, step: (seed: UInt64, step: Int)?
    ) {
        let last = layers.count - 1
        for (l, layer) in layers.enumerated() {
            let x = l == 0 ? input : UnsafePointer(outputs[l - 1])
            let out = outputs[l]
            let (inSize, outSize) = (layer.inputSize, layer.outputSize)
            switch layer.kind {
            case .dense(let plan):
                Dense.forward(input: x, rows: chunk, layer: plan, parameters: parameters, output: out, activate: l < last)
            case .conv(let plan):
                guard let cols = cols[l] else { preconditionFailure("no patch buffer") }
                Convolution.forward(input: x, rows: chunk, plan: plan, parameters: parameters, cols: cols, output: out)
            case .maxPool(let plan):
                guard let argmax = argmax[l] else { preconditionFailure("no argmax buffer") }
                for r in chunk {
                    MaxPooling.forward(x + r * inSize, plan, output: out + r * outSize, argmax: argmax + r * outSize)
                }
            case .flatten:
                (out + chunk.lowerBound * outSize).update(from: x + chunk.lowerBound * inSize, count: chunk.count * inSize)
            case .dropout(let rate):
                if let step, let mask = masks[l] {
                    for r in chunk {
                        Dropout.forward(
                            x + r * inSize, count: inSize, rate: rate, seed: step.seed, step: step.step, layer: l, row: r,
                            mask: mask + r * inSize, output: out + r * inSize)
                    }
                } else {
                    (out + chunk.lowerBound * outSize).update(
                        from: x + chunk.lowerBound * inSize, count: chunk.count * inSize)
                }
            }
        }
        guard case .dense(let plan) = layers[last].kind else { preconditionFailure("the last layer is not dense") }
        let bias = parameters + plan.biasOffset
        let z = outputs[last]
        guard let labels else {
            SoftmaxCrossEntropy.forward(
                z + chunk.lowerBound * plan.outputs, bias: bias, rows: chunk.count, classes: plan.outputs)
            return
        }
        for r in chunk {
            let row = SoftmaxCrossEntropy.rowLoss(
                z + r * plan.outputs, bias: bias, label: Int(labels[r]), classes: plan.outputs,
                gradientScale: gradientScale, labelSmoothing: gradientScale == nil ? 0 : labelSmoothing)
            rowLoss[r] = row.loss
            rowCorrect[r] = row.correct
        }
    }

    /// Backward after a training forward on the same rows: every layer's dW
    /// and db into `gradients` (mirroring the parameters). `firstKernelDone`
    /// is not used (nothing is handed early).
    ///
    /// Per weighted layer, from the last down: its kernel gradient (tasks
    /// over kernel rows) and bias gradient (on the caller); then, only when
    /// a weighted layer lies below, ONE pass over chunks of batch rows that
    /// takes each chunk's gradient down to that layer: this layer's dx, the
    /// backward of every pooling, flatten and dropout layer in between, and
    /// the lower layer's activation derivative (dL/da → dL/dz). Each row's
    /// values are computed by the same operations as layer by layer; the
    /// grouping only saves passes (and a chunk's gradients stay in cache).
    func backward(
        parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        firstKernelDone: ((Range<Int>) -> Void)? = nil
    ) {
        precondition(outputGradients.count == layers.count - 1, "workspace was not built for training")
        let rows = rowsInPass
        guard rows > 0, let input else { preconditionFailure("backward before forward") }
        let pool = ComputePool.shared
        var l = layers.count - 1
        // dL/dz of layer l (the fused softmax + cross-entropy left it for the last layer).
        var dz = UnsafePointer(outputs[l])
        while true {
            let layer = layers[l]
            let x = l > 0 ? UnsafePointer(outputs[l - 1]) : input
            let dzNow = dz
            var rowCost = 0
            switch layer.kind {
            case .dense(let plan):
                pool.forEachPiece(of: plan.inputs, piece: Workspace.kernelRowsPerPiece, cost: rows * plan.outputs) {
                    kernelRows in
                    Dense.kernelGradient(
                        input: x, rows: rows, layer: plan, outputGradient: dzNow, gradients: gradients,
                        kernelRows: kernelRows)
                }
                Dense.biasGradient(dz, rows: rows, outputs: plan.outputs, into: gradients + plan.biasOffset)
                rowCost = plan.inputs * plan.outputs
            case .conv(let plan):
                guard let cols = cols[l] else { preconditionFailure("no patch buffer") }
                let tasks = Convolution.kernelGradientTasks(plan)
                pool.forEachPiece(
                    of: tasks.count, piece: 1, cost: rows * plan.positions * plan.patch * plan.filters / tasks.count
                ) { range in
                    for task in range {
                        Convolution.kernelGradient(
                            cols: cols, rows: rows, plan: plan, outputGradient: dzNow, gradients: gradients,
                            kernelRows: tasks[task].rows, columns: tasks[task].columns)
                    }
                }
                Dense.biasGradient(
                    dz, rows: rows * plan.positions, outputs: plan.filters, into: gradients + plan.biasOffset)
                rowCost = plan.positions * plan.patch * plan.filters
            default:
                preconditionFailure("backward starts at a weighted layer")
            }
            // The next weighted layer below; nothing needs a gradient under the lowest.
            guard let below = (0..<l).last(where: { layers[$0].parameters.count > 0 }) else { break }
            switch layer.kind {
            case .dense(let plan):
                MatrixProduct.transpose(
                    parameters + plan.kernelOffset, rows: plan.outputs, columns: plan.inputs, into: transposedKernel)
            case .conv(let plan):
                MatrixProduct.transpose(
                    parameters + plan.kernelOffset, rows: plan.filters, columns: plan.patch, into: transposedKernel)
            default:
                break
            }
            let top = l
            pool.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: rowCost) { chunk in
                self.rowsBackward(chunk, from: top, to: below, outputGradient: dzNow, parameters: parameters)
            }
            l = below
            dz = UnsafePointer(outputGradients[below])
        }
    }

    /// Rows `chunk`: layer `top`'s dx from its dL/dz, down through the
    /// layers without weights to layer `below`'s output gradient, then
    /// `below`'s activation derivative, in place in `outputGradients[below]`.
    /// `transposedKernel` holds layer `top`'s Wᵀ.
    private func rowsBackward(
        _ chunk: Range<Int>, from top: Int, to below: Int, outputGradient dz: UnsafePointer<Float>,
        parameters: UnsafePointer<Float>
    ) {
        let transposed = UnsafePointer(transposedKernel)
        let dx = outputGradients[top - 1]
        switch layers[top].kind {
        case .dense(let plan):
            Dense.inputGradient(outputGradient: dz, rows: chunk, layer: plan, transposedKernel: transposed, into: dx)
        case .conv(let plan):
            guard let cols = cols[top] else { preconditionFailure("no patch buffer") }
            Convolution.inputGradient(
                outputGradient: dz, rows: chunk, plan: plan, transposedKernel: transposed, cols: cols, into: dx)
        default:
            preconditionFailure("rows backward starts at a weighted layer")
        }
        var m = top - 1
        while m > below {
            let layer = layers[m]
            let (inSize, outSize) = (layer.inputSize, layer.outputSize)
            let g = UnsafePointer(outputGradients[m])
            let into = outputGradients[m - 1]
            switch layer.kind {
            case .maxPool(let plan):
                guard let argmax = argmax[m] else { preconditionFailure("no argmax buffer") }
                for r in chunk {
                    MaxPooling.backward(g + r * outSize, plan, argmax: argmax + r * outSize, into: into + r * inSize)
                }
            case .flatten:
                (into + chunk.lowerBound * inSize).update(from: g + chunk.lowerBound * inSize, count: chunk.count * inSize)
            case .dropout:
                let offset = chunk.lowerBound * inSize
                if dropped, let mask = masks[m] {
                    Dropout.backward(g + offset, mask: mask + offset, count: chunk.count * inSize, into: into + offset)
                } else {
                    (into + offset).update(from: g + offset, count: chunk.count * inSize)
                }
            case .dense, .conv:
                preconditionFailure("a weighted layer between two weighted layers")
            }
            m -= 1
        }
        let size = layers[below].outputSize
        let activation: Activation
        switch layers[below].kind {
        case .dense(let plan): activation = plan.activation
        case .conv(let plan): activation = plan.activation
        default: preconditionFailure("the lower layer has no weights")
        }
        activation.backward(
            gradient: outputGradients[below] + chunk.lowerBound * size,
            output: outputs[below] + chunk.lowerBound * size, count: chunk.count * size)
    }
}
