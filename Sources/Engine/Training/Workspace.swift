// Activation and gradient buffers for one batch shape, allocated once and
// reused for every batch (a smaller last batch just uses fewer rows), and the
// whole network's forward and backward passes over them.
//
// Shapes: `N` rows (≤ capacity), layer l maps `I_l` inputs to `O_l` outputs.
//   activations[l]  capacity×O_l   a_l = f_l(a_{l-1}·W_l + b_l); for the last
//                                  layer: probabilities, or dL/dz after a
//                                  training forward (fused softmax + CE)
//   deltas[l]       capacity×O_l   dL/dz_l of hidden layers (training only)
//   batch           capacity×I_0   rows gathered by index (training), or
//                                  converted from pixels (any pass on pixels)
//   sparse                         the pass's non-zero inputs (wide first layers)
//   rowLoss, rowCorrect  capacity  each row's loss and argmax hit
//
// Threads (see ComputeThreads.swift). A forward runs as one parallel pass
// over fixed chunks of 8 rows: each chunk gathers or converts its rows,
// finds their non-zeros, and takes them through every layer and the loss;
// the rows' losses are then summed in row order. A backward runs each
// layer's kernel gradient over fixed chunks of 64 kernel rows (the first
// layer's chunks may apply the optimizer to their rows straight away, while
// they are in cache), and the small products on the caller.
//
// The first layer takes the sparse sums (non-zero inputs only) when a chunk's
// rows are at most half non-zero; they give the dense product's bits, so
// this choice, like the thread count, changes only the speed.

final class Workspace: Pass {
    let plan: [LayerPlan]
    /// Most rows one pass may use.
    let capacity: Int
    var labelSmoothing: Float = 0
    private let activations: [UnsafeMutablePointer<Float>]
    private let deltas: [UnsafeMutablePointer<Float>]
    /// Wᵀ of the layer whose dx is being computed (training only; O×I of
    /// the largest layer after the first).
    private let transposedKernel: UnsafeMutablePointer<Float>
    /// Input rows gathered by index or converted from pixels (training, or
    /// built for pixels).
    private let batch: UnsafeMutablePointer<Float>?
    /// The non-zero inputs of the current pass; nil when the first layer is
    /// too narrow for the sparse sums to pay.
    let sparse: SparseRows?
    /// Per kernel-row chunk of the first layer: its non-zeros listed by
    /// input (training with sparse rows only; see `Dense.kernelGradient(sparse:)`).
    private let listCounts: UnsafeMutablePointer<Int>
    private let listRows: UnsafeMutablePointer<Int32>
    private let listValues: UnsafeMutablePointer<Float>
    private let rowLoss: UnsafeMutablePointer<Double>
    private let rowCorrect: UnsafeMutablePointer<Bool>
    /// The dense rows the last forward read (the batch buffer or the caller's features).
    private var input: UnsafePointer<Float>?
    private var rowsInPass = 0
    /// Whether the last forward's rows, taken together, suit the sparse sums.
    private(set) var lastPassWasSparse = false

    /// Rows of a pass, and rows of a kernel gradient, one task takes: fixed,
    /// so the work splits the same way whatever the thread count.
    static let rowsPerPiece = 8
    static let kernelRowsPerPiece = 64

    /// Most floats the buffers of one workspace may take (4 GiB).
    static let maximumFloats = 1 << 30

    /// Inputs narrower than this always take the dense product.
    static let minimumSparseWidth = 32
    /// First layers narrower than this always take the dense product: the
    /// sparse sums gain little on them and finding the non-zeros costs more.
    static let minimumSparseOutputs = 32

    /// Whether passes try the sparse first layer: wide enough inputs and outputs.
    static func usesSparse(_ plan: [LayerPlan]) -> Bool {
        guard let first = plan.first else { return false }
        return first.inputs >= minimumSparseWidth && first.outputs >= minimumSparseOutputs
    }

    /// Floats one row costs: every layer's outputs, twice when training
    /// (activations and deltas), the batch buffer's input row when training
    /// or converting `pixels`, the row's non-zeros (index and value) when
    /// the first layer may take them, and its loss.
    static func floatsPerRow(_ plan: [LayerPlan], training: Bool, pixels: Bool = false) -> Int {
        let outputs = plan.reduce(0) { $0 + $1.outputs }
        let inputs = plan.first?.inputs ?? 0
        let sparse = usesSparse(plan) ? SparseRows.floatsPerRow(width: inputs) + (training ? 2 * inputs : 0) : 0
        let batch = training || pixels ? inputs : 0
        return (training ? 2 * outputs : outputs) + batch + sparse + 3
    }

    /// Most rows that fit under `maximumFloats` (at least 1).
    static func maximumRows(_ plan: [LayerPlan], training: Bool, pixels: Bool = false) -> Int {
        max(1, maximumFloats / max(1, floatsPerRow(plan, training: training, pixels: pixels)))
    }

    /// Buffers for up to `capacity` rows; `training` adds the gradient
    /// buffers, `training` or `pixels` the batch buffer (which passes over
    /// pixel rows need). `sparseInput: false` keeps every pass on the dense
    /// product.
    init(plan: [LayerPlan], capacity: Int, training: Bool, pixels: Bool = false, sparseInput: Bool = true) {
        precondition(capacity > 0 && !plan.isEmpty, "workspace needs rows and layers")
        self.plan = plan
        self.capacity = capacity
        func buffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: count)
            buffer.initialize(repeating: value, count: count)
            return buffer
        }
        activations = plan.map { buffer(capacity * $0.outputs, Float(0)) }
        deltas = training ? plan.dropLast().map { buffer(capacity * $0.outputs, Float(0)) } : []
        transposedKernel = buffer(training ? plan.dropFirst().map { $0.inputs * $0.outputs }.max() ?? 0 : 0, Float(0))
        let width = plan[0].inputs
        batch = training || pixels ? buffer(capacity * width, Float(0)) : nil
        sparse = sparseInput && Self.usesSparse(plan) ? SparseRows(capacity: capacity, width: width) : nil
        // One list per input of the first layer, room for every row: a chunk
        // of kernel rows uses its own inputs' lists, so chunks never share one.
        let lists = training && sparse != nil ? width * capacity : 0
        listCounts = buffer(training && sparse != nil ? width : 0, 0)
        listRows = buffer(lists, Int32(0))
        listValues = buffer(lists, Float(0))
        rowLoss = buffer(capacity, 0.0)
        rowCorrect = buffer(capacity, false)
    }

    deinit {
        for buffer in activations { buffer.deallocate() }
        for buffer in deltas { buffer.deallocate() }
        transposedKernel.deallocate()
        batch?.deallocate()
        listCounts.deallocate()
        listRows.deallocate()
        listValues.deallocate()
        rowLoss.deallocate()
        rowCorrect.deallocate()
    }

    /// The first layer's kernel: the backward hands it to `firstKernelDone` piece by piece.
    var earlyParameters: Range<Int> { plan[0].kernelRange }

    /// Dense models have no dropout, and `fit` refuses augmentation for flat inputs: nothing to seed.
    func setTrainingStep(seed: UInt64, step: Int, augmentation: Augmentation?) {}

    /// The last layer's output: `rows × classes` probabilities after a
    /// forward without gradient.
    var output: UnsafePointer<Float> { UnsafePointer(activations[activations.count - 1]) }

    /// Forward through every layer for `rows` rows of `input` (N×I_0).
    ///
    /// Without `labels` the last layer ends in softmax and `start` is
    /// returned. With `labels` it ends in the fused softmax + cross-entropy,
    /// returning `start` plus the rows' summed loss (rows ascending) and
    /// correct count; `gradientScale` (1/N for the batch mean) then also
    /// leaves dL/dz of the last layer in place for `backward`.
    @discardableResult
    func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals = .init()
    ) -> SoftmaxCrossEntropy.Totals {
        pass(
            rows: rows, input: input, prepare: nil, parameters: parameters, labels: labels,
            gradientScale: gradientScale, startingFrom: start)
    }

    /// `forward` on rows `first..<first + rows` of `inputs`: features are
    /// read in place, pixels converted into the batch buffer first.
    @discardableResult
    func forward(
        _ inputs: InputRows, first: Int, rows: Int, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals = .init()
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(first >= 0 && first + rows <= inputs.count, "rows past the end of the inputs")
        let width = plan[0].inputs
        switch inputs.source {
        case .features(let x):
            return forward(
                input: x + first * width, rows: rows, parameters: parameters, labels: labels,
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

    /// `forward` on rows `indices[0..<rows]` of `inputs` (each I_0 wide),
    /// gathered into the batch buffer (and converted, for pixels).
    @discardableResult
    func forward(
        gathering indices: UnsafePointer<Int>, from inputs: InputRows, rows: Int,
        parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, gradientScale: Float?
    ) -> SoftmaxCrossEntropy.Totals {
        guard let batch else { preconditionFailure("workspace was not built for training") }
        let width = plan[0].inputs
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

    /// One forward: chunks of rows in parallel, each prepared (when
    /// `prepare` is given), through every layer and the loss; then the
    /// rows' losses summed in order.
    private func pass(
        rows: Int, input: UnsafePointer<Float>, prepare: ((Range<Int>) -> Void)?, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(rows > 0 && rows <= capacity, "rows exceed the workspace")
        rowsInPass = rows
        self.input = input
        let cost = plan.reduce(0) { $0 + $1.inputs * $1.outputs } / (sparse == nil ? 1 : 4)
        ComputePool.shared.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: cost) { chunk in
            prepare?(chunk)
            self.forwardChunk(chunk, input: input, parameters: parameters, labels: labels, gradientScale: gradientScale)
        }
        if let sparse { lastPassWasSparse = sparse.isSparse(0..<rows) }
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
        labels: UnsafePointer<UInt8>?, gradientScale: Float?
    ) {
        let last = plan.count - 1
        let width = plan[0].inputs
        var useSparse = false
        if let sparse {
            for r in chunk { sparse.load(row: r, from: input + r * width) }
            useSparse = sparse.isSparse(chunk)
        }
        for l in 0...last {
            let layer = plan[l]
            if l == 0, useSparse, let sparse {
                Dense.forward(
                    sparse: sparse, rows: chunk, layer: layer, parameters: parameters, output: activations[0],
                    activate: l < last)
            } else {
                Dense.forward(
                    input: l == 0 ? input : UnsafePointer(activations[l - 1]), rows: chunk, layer: layer,
                    parameters: parameters, output: activations[l], activate: l < last)
            }
        }
        let layer = plan[last]
        let bias = parameters + layer.biasOffset
        let z = activations[last] + chunk.lowerBound * layer.outputs
        guard let labels else {
            SoftmaxCrossEntropy.forward(z, bias: bias, rows: chunk.count, classes: layer.outputs)
            return
        }
        for r in chunk {
            let row = SoftmaxCrossEntropy.rowLoss(
                activations[last] + r * layer.outputs, bias: bias, label: Int(labels[r]), classes: layer.outputs,
                gradientScale: gradientScale, labelSmoothing: gradientScale == nil ? 0 : labelSmoothing)
            rowLoss[r] = row.loss
            rowCorrect[r] = row.correct
        }
    }

    /// Backward after a training `forward` (with labels and a gradient
    /// scale), on the same rows: writes every layer's dW and db into
    /// `gradients` (mirroring the parameter buffer). dx is skipped for the
    /// first layer. `firstKernelDone`, when given, is called with the
    /// parameter indices of each chunk of the first layer's kernel as soon
    /// as its gradient is written (before this returns, perhaps on another
    /// thread): nothing later in the backward reads those parameters.
    func backward(
        parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        firstKernelDone: ((Range<Int>) -> Void)? = nil
    ) {
        precondition(deltas.count == plan.count - 1, "workspace was not built for training")
        let rows = rowsInPass
        guard rows > 0, let input else { preconditionFailure("backward before forward") }
        let pool = ComputePool.shared
        var l = plan.count - 1
        var dz = UnsafePointer(activations[l])
        while true {
            let layer = plan[l]
            let outputGradient = dz
            let x = l > 0 ? UnsafePointer(activations[l - 1]) : input
            let sparse = l == 0 && lastPassWasSparse ? self.sparse : nil
            let done = l == 0 ? firstKernelDone : nil
            let cost = rows * layer.outputs / (sparse == nil ? 1 : 4)
            pool.forEachPiece(of: layer.inputs, piece: Self.kernelRowsPerPiece, cost: cost) { kernelRows in
                if let sparse {
                    let lists = kernelRows.lowerBound * rows
                    Dense.kernelGradient(
                        sparse: sparse, rows: rows, layer: layer, outputGradient: outputGradient,
                        gradients: gradients, kernelRows: kernelRows,
                        scratch: (
                            self.listCounts + kernelRows.lowerBound, self.listRows + lists, self.listValues + lists
                        ))
                } else {
                    Dense.kernelGradient(
                        input: x, rows: rows, layer: layer, outputGradient: outputGradient, gradients: gradients,
                        kernelRows: kernelRows)
                }
                done?(
                    (layer.kernelOffset + kernelRows.lowerBound * layer.outputs)..<(layer.kernelOffset + kernelRows.upperBound
                        * layer.outputs))
            }
            Dense.biasGradient(dz, rows: rows, outputs: layer.outputs, into: gradients + layer.biasOffset)
            guard l > 0 else { break }
            let dx = deltas[l - 1]
            let transposed = UnsafePointer(transposedKernel)
            MatrixProduct.transpose(
                parameters + layer.kernelOffset, rows: layer.outputs, columns: layer.inputs, into: transposedKernel)
            pool.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: layer.inputs * layer.outputs) { range in
                Dense.inputGradient(
                    outputGradient: outputGradient, rows: range, layer: layer, transposedKernel: transposed, into: dx)
            }
            l -= 1
            plan[l].activation.backward(gradient: dx, output: activations[l], count: rows * plan[l].outputs)
            dz = UnsafePointer(dx)
        }
    }
}
