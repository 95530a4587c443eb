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
//   sparse                         the pass's non-zero inputs, when few enough
//
// Every pass first tries to read its input rows as `SparseRows` (at most
// `SparseRows.maximumDensity` of the values non-zero, as for MNIST's
// pixels); the first layer then works on the non-zeros only. A denser pass
// uses the dense product (rows picked by index are gathered first). The
// choice depends only on the pass's own rows, so results stay a function of
// the data, the seed and the thread count.

#if ENGINE_AVX2
    import _Builtin_intrinsics.intel
#endif

final class Workspace {
    let plan: [LayerPlan]
    /// Most rows one pass may use.
    let capacity: Int
    private let activations: [UnsafeMutablePointer<Float>]
    private let deltas: [UnsafeMutablePointer<Float>]
    /// Wᵀ of the layer whose dx is being computed (training only; O×I of
    /// the largest layer after the first).
    private let transposedKernel: UnsafeMutablePointer<Float>
    /// Input rows gathered by index or converted from pixels (training, or
    /// built for pixels).
    private let batch: UnsafeMutablePointer<Float>?
    /// The non-zero inputs of the current pass; nil for narrow inputs.
    let sparse: SparseRows?
    /// What the last forward read: its dense rows, or nil when it used `sparse`.
    private var denseInput: UnsafePointer<Float>?
    /// Whether the last forward's first layer took the sparse sums.
    var lastPassWasSparse: Bool { denseInput == nil && rowsInPass > 0 }
    private var rowsInPass = 0

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
    /// (activations and deltas), plus the batch buffer's input row when
    /// training or converting `pixels`; plus room for the row's non-zeros
    /// (index and value: 2 per input at most `maximumDensity`, and the
    /// column-major copy when training: 2 more).
    static func floatsPerRow(_ plan: [LayerPlan], training: Bool, pixels: Bool = false) -> Int {
        let outputs = plan.reduce(0) { $0 + $1.outputs }
        let inputs = plan.first?.inputs ?? 0
        let sparse = usesSparse(plan) ? (training ? 3 : 1) * inputs : 0
        let batch = training || pixels ? inputs : 0
        return (training ? 2 * outputs : outputs) + batch + sparse
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
        activations = plan.map { layer in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: capacity * layer.outputs)
            buffer.initialize(repeating: 0, count: capacity * layer.outputs)
            return buffer
        }
        deltas =
            training
            ? plan.dropLast().map { layer in
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: capacity * layer.outputs)
                buffer.initialize(repeating: 0, count: capacity * layer.outputs)
                return buffer
            } : []
        let kernelSize = training ? plan.dropFirst().map { $0.inputs * $0.outputs }.max() ?? 0 : 0
        transposedKernel = .allocate(capacity: kernelSize)
        transposedKernel.initialize(repeating: 0, count: kernelSize)
        let width = plan[0].inputs
        if training || pixels {
            let batch = UnsafeMutablePointer<Float>.allocate(capacity: capacity * width)
            batch.initialize(repeating: 0, count: capacity * width)
            self.batch = batch
        } else {
            batch = nil
        }
        sparse =
            sparseInput && Self.usesSparse(plan)
            ? SparseRows(capacity: capacity, width: width, columns: training) : nil
    }

    deinit {
        for buffer in activations { buffer.deallocate() }
        for buffer in deltas { buffer.deallocate() }
        transposedKernel.deallocate()
        batch?.deallocate()
    }

    /// The last layer's output: `rows × classes` probabilities after a
    /// forward without gradient.
    var output: UnsafePointer<Float> { UnsafePointer(activations[activations.count - 1]) }

    /// Forward through every layer for `rows` rows of `input` (N×I_0).
    ///
    /// Without `labels` the last layer ends in softmax and nothing is
    /// returned. With `labels` it ends in the fused softmax + cross-entropy,
    /// returning summed loss and correct count; `gradientScale` (1/N for the
    /// batch mean) then also leaves dL/dz of the last layer in place for
    /// `backward`.
    @discardableResult
    func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?, startingFrom start: SoftmaxCrossEntropy.Totals = .init()
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(rows > 0 && rows <= capacity, "rows exceed the workspace")
        let width = plan[0].inputs
        let isSparse = sparse?.load(rows: rows, row: { input + $0 * width }) ?? false
        denseInput = isSparse ? nil : input
        return forwardLayers(
            rows: rows, parameters: parameters, labels: labels, gradientScale: gradientScale, startingFrom: start)
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
            precondition(rows > 0 && rows <= capacity, "rows exceed the workspace")
            guard let batch else { preconditionFailure("workspace was not built for pixels") }
            conversion.convert(rows: rows, width: width, row: { p + (first + $0) * width }, into: batch)
            return forward(
                input: batch, rows: rows, parameters: parameters, labels: labels, gradientScale: gradientScale,
                startingFrom: start)
        }
    }

    /// `forward` on rows `indices[0..<rows]` of `inputs` (each I_0 wide),
    /// gathered into the batch buffer (and converted, for pixels).
    @discardableResult
    func forward(
        gathering indices: UnsafePointer<Int>, from inputs: InputRows, rows: Int,
        parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>, gradientScale: Float?
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(rows > 0 && rows <= capacity, "rows exceed the workspace")
        guard let batch else { preconditionFailure("workspace was not built for training") }
        let width = plan[0].inputs
        // Copy first, then look for non-zeros in the copy: a plain copy keeps
        // more of the rows' cache misses in flight than the scan would.
        switch inputs.source {
        case .features(let x):
            for r in 0..<rows {
                (batch + r * width).update(from: x + indices[r] * width, count: width)
            }
        case .pixels(let p, let conversion):
            conversion.convert(rows: rows, width: width, row: { p + indices[$0] * width }, into: batch)
        }
        return forward(
            input: batch, rows: rows, parameters: parameters, labels: labels, gradientScale: gradientScale)
    }

    /// The layers after the input was prepared (`denseInput`, or `sparse` when nil).
    /// The dense first-layer input of this pass; only read on the dense path.
    private var gatheredDenseInput: UnsafePointer<Float> {
        guard let denseInput else { preconditionFailure("the dense path ran without a gathered input") }
        return UnsafePointer(denseInput)
    }

    private func forwardLayers(
        rows: Int, parameters: UnsafePointer<Float>, labels: UnsafePointer<UInt8>?, gradientScale: Float?,
        startingFrom start: SoftmaxCrossEntropy.Totals
    ) -> SoftmaxCrossEntropy.Totals {
        rowsInPass = rows
        let last = plan.count - 1
        let pool = ComputePool.shared
        for l in 0...last {
            let output = activations[l]
            let activate = l < last
            let layer = plan[l]
            if l == 0, denseInput == nil, let sparse {
                let cost = sparse.rows > 0 ? sparse.rowEnds[rows - 1] / rows * layer.outputs : 0
                pool.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: cost) { range in
                    Dense.forward(
                        sparse: sparse, rows: range, layer: layer, parameters: parameters, output: output,
                        activate: activate)
                }
            } else {
                let x = l == 0 ? gatheredDenseInput : UnsafePointer(activations[l - 1])
                pool.forEachPiece(of: rows, piece: Self.rowsPerPiece, cost: layer.inputs * layer.outputs) { range in
                    Dense.forward(
                        input: x, rows: range, layer: layer, parameters: parameters, output: output,
                        activate: activate)
                }
            }
        }
        let layer = plan[last]
        let z = activations[last]
        let bias = parameters + layer.biasOffset
        guard let labels else {
            SoftmaxCrossEntropy.forward(z, bias: bias, rows: rows, classes: layer.outputs)
            return SoftmaxCrossEntropy.Totals()
        }
        return SoftmaxCrossEntropy.forwardLoss(
            z, bias: bias, labels: labels, rows: rows, classes: layer.outputs, gradientScale: gradientScale,
            startingFrom: start)
    }

    /// Backward after a training `forward` (with labels and a gradient
    /// scale), on the same rows: writes every layer's dW and db into
    /// `gradients` (mirroring the parameter buffer). dx is skipped for the
    /// first layer.
    func backward(parameters: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>) {
        precondition(deltas.count == plan.count - 1, "workspace was not built for training")
        let rows = rowsInPass
        precondition(rows > 0, "backward before forward")
        let pool = ComputePool.shared
        var l = plan.count - 1
        var dz = UnsafePointer(activations[l])
        while true {
            let layer = plan[l]
            let outputGradient = dz
            if l == 0, denseInput == nil, let sparse {
                let cost = sparse.rowEnds[rows - 1] / layer.inputs * layer.outputs
                pool.forEachPiece(of: layer.inputs, piece: Self.kernelRowsPerPiece, cost: cost) { range in
                    Dense.kernelGradient(
                        sparse: sparse, layer: layer, outputGradient: outputGradient, gradients: gradients,
                        kernelRows: range)
                }
            } else {
                let x = l > 0 ? UnsafePointer(activations[l - 1]) : gatheredDenseInput
                pool.forEachPiece(of: layer.inputs, piece: Self.kernelRowsPerPiece, cost: rows * layer.outputs) {
                    range in
                    Dense.kernelGradient(
                        input: x, rows: rows, layer: layer, outputGradient: outputGradient, gradients: gradients,
                        kernelRows: range)
                }
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

/// The non-zero values of one pass's input rows, row by row (for x·W) and,
/// when built with columns, column by column (for xᵀ·dz).
///
/// Shapes: `N` rows (≤ capacity), `I` = width.
///   rowEnds     N         row r's non-zeros are entries rowEnds[r-1]..<rowEnds[r]
///   columns     ≤ limit   the input index k of each entry, increasing within a row
///   values      ≤ limit   x[r,k] of each entry
///   columnCounts I        how many rows have a non-zero input k
///   columnRows  I×capacity  for input k, those rows in increasing order ...
///   columnValues I×capacity ... and their values
final class SparseRows {
    /// Passes with more non-zeros than this fraction of their values use
    /// the dense product (at this density the two take about as long).
    static let maximumDensity = 0.5

    let capacity: Int
    let width: Int
    /// Most non-zeros a pass may have to count as sparse.
    let limit: Int
    /// Rows of the current pass.
    private(set) var rows = 0
    let rowEnds: UnsafeMutablePointer<Int>
    let columns: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Float>
    let hasColumns: Bool
    let columnCounts: UnsafeMutablePointer<Int32>
    let columnRows: UnsafeMutablePointer<Int32>
    let columnValues: UnsafeMutablePointer<Float>

    /// Room for `capacity` rows of `width` inputs; `columns` adds the column-major copy.
    init(capacity: Int, width: Int, columns withColumns: Bool) {
        self.capacity = capacity
        self.width = width
        limit = Int(Double(capacity * width) * Self.maximumDensity)
        rowEnds = .allocate(capacity: capacity)
        rowEnds.initialize(repeating: 0, count: capacity)
        // 8 entries of slack: a chunk of 8 inputs is stored before the limit is checked.
        columns = .allocate(capacity: limit + 8)
        columns.initialize(repeating: 0, count: limit + 8)
        values = .allocate(capacity: limit + 8)
        values.initialize(repeating: 0, count: limit + 8)
        hasColumns = withColumns
        let columnEntries = withColumns ? width * capacity : 0
        columnCounts = .allocate(capacity: withColumns ? width : 0)
        columnCounts.initialize(repeating: 0, count: withColumns ? width : 0)
        columnRows = .allocate(capacity: columnEntries)
        columnRows.initialize(repeating: 0, count: columnEntries)
        columnValues = .allocate(capacity: columnEntries)
        columnValues.initialize(repeating: 0, count: columnEntries)
    }

    deinit {
        rowEnds.deallocate()
        columns.deallocate()
        values.deallocate()
        columnCounts.deallocate()
        columnRows.deallocate()
        columnValues.deallocate()
    }

    /// Reads the non-zeros of `rows` rows (`row(r)` points at row r's
    /// `width` values). Returns false, leaving the pass unusable, as soon as
    /// they pass `limit`. A value counts as non-zero when `x != 0` (so NaN
    /// does, and -0 does not).
    func load(rows: Int, row: (Int) -> UnsafePointer<Float>) -> Bool {
        precondition(rows > 0 && rows <= capacity, "rows exceed the sparse buffers")
        self.rows = 0
        let whole = width - width % 8
        var n = 0
        let loaded = Self.packedLanes.withUnsafeBufferPointer { table -> Bool in
            guard let table = table.baseAddress else { return false }
            for r in 0..<rows {
                let x = row(r)
                // Eight inputs at a time without a branch per value (random
                // zeros would mispredict): store all eight lanes packed left
                // (non-zeros first; 8 entries of slack take the rest) and
                // advance by the number of non-zeros.
                var i = 0
                while i < whole {
                    let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                    let bits = nonzeroLanes(v)
                    let lanes = table[Int(bits)]
                    UnsafeMutableRawPointer(columns + n).storeBytes(
                        of: lanes &+ SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: i)), as: SIMD8<Int32>.self)
                    UnsafeMutableRawPointer(values + n).storeBytes(of: packLeft(v, lanes), as: SIMD8<Float>.self)
                    n += bits.nonzeroBitCount
                    if n > limit { return false }
                    i += 8
                }
                for k in whole..<width where x[k] != 0 {
                    columns[n] = Int32(truncatingIfNeeded: k)
                    values[n] = x[k]
                    n += 1
                    if n > limit { return false }
                }
                rowEnds[r] = n
            }
            return true
        }
        guard loaded else { return false }
        self.rows = rows
        if hasColumns { buildColumns() }
        return true
    }

    /// For each 8-bit mask, the numbers of its set bits in increasing
    /// order, then zeros: lanes[j] is where the j-th non-zero lane sits.
    private static let packedLanes: [SIMD8<Int32>] = (0..<256).map { mask in
        var lanes = SIMD8<Int32>()
        var count = 0
        for j in 0..<8 where mask & (1 << j) != 0 {
            lanes[count] = Int32(j)
            count += 1
        }
        return lanes
    }

    /// `v[lanes[j]]` in lane j.
    @inline(__always)
    private func packLeft(_ v: SIMD8<Float>, _ lanes: SIMD8<Int32>) -> SIMD8<Float> {
        #if ENGINE_AVX2
            return _mm256_permutevar8x32_ps(v, unsafeBitCast(lanes, to: SIMD4<Int64>.self))
        #else
            var packed = SIMD8<Float>()
            for j in 0..<8 { packed[j] = v[Int(lanes[j])] }
            return packed
        #endif
    }

    /// The column-major copy of the current pass, rows in increasing order.
    private func buildColumns() {
        columnCounts.update(repeating: 0, count: width)
        var start = 0
        for r in 0..<rows {
            let end = rowEnds[r]
            for e in start..<end {
                let k = Int(columns[e])
                let slot = k * capacity + Int(columnCounts[k])
                columnRows[slot] = Int32(truncatingIfNeeded: r)
                columnValues[slot] = values[e]
                columnCounts[k] += 1
            }
            start = end
        }
    }

    /// Bit j set when lane j is non-zero (`!= 0`).
    @inline(__always)
    private func nonzeroLanes(_ v: SIMD8<Float>) -> UInt32 {
        let mask = SIMD8<Int32>(repeating: 0).replacing(with: -1, where: v .!= SIMD8<Float>(repeating: 0))
        #if ENGINE_AVX2
            return UInt32(truncatingIfNeeded: _mm256_movemask_ps(unsafeBitCast(mask, to: SIMD8<Float>.self)))
        #else
            let bits = SIMD8<Int32>(1, 2, 4, 8, 16, 32, 64, 128)
            return UInt32(truncatingIfNeeded: (mask & bits).wrappedSum())
        #endif
    }
}
