import JSON

// Dense layer forward and backward on flat buffers. Every product is a
// `MatrixProduct`, whose order of summation is defined in this engine (one
// FMA chain per output element, over the shared dimension ascending), so the
// same inputs give the same bits on every CPU and thread count.
//
// Shapes: `N` batch rows, `I` layer inputs, `O` layer outputs; all row-major.
//   x  N×I   input (the previous layer's activations, or the batch)
//   W  I×O   kernel,  b  O  bias
//   a  N×O   output, a = f(x·W + b)
//   dz N×O   gradient of the loss w.r.t. x·W + b
//   dW I×O = xᵀ·dz   (dW[i,o]: chain over the rows n ascending)
//   db O   = Σ_rows dz (rows ascending, plain additions)
//   dx N×I = dz·Wᵀ   (dx[n,i]: chain over the outputs o ascending; Wᵀ is
//                     copied into a scratch buffer so the product reads rows)
//
// A first layer whose input is mostly zeros (MNIST: ~19% of pixels are
// non-zero) can take its input as `SparseRows` instead: x·W and xᵀ·dz then
// run the same chains over the non-zero inputs only (see
// `sumOfScaledRows`) — 4-5x less work and, for finite weights, the same
// bits as the dense product, since a zero term leaves a chain unchanged.

enum Dense {
    /// `a = f(x·W + b)`: the product lands in `output`, then the activation
    /// pass adds the bias. For softmax the caller applies
    /// `SoftmaxCrossEntropy` to the raw product (pass `activate: false`).
    /// `rows` may be a sub-range of the batch (the rest is left alone).
    static func forward(
        input x: UnsafePointer<Float>, rows: Range<Int>, layer: LayerPlan,
        parameters: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, activate: Bool = true
    ) {
        let outputs = layer.outputs
        MatrixProduct.multiply(
            m: rows.upperBound, n: outputs, k: layer.inputs, a: x, rowStride: layer.inputs, columnStride: 1,
            b: parameters + layer.kernelOffset, ldb: outputs, c: output, ldc: outputs, rows: rows)
        if activate {
            layer.activation.forward(
                output + rows.lowerBound * outputs, bias: parameters + layer.biasOffset, rows: rows.count,
                columns: outputs)
        }
    }

    /// Given `dz` (N×O), writes rows `kernelRows` of `dW = xᵀ·dz` into the
    /// layer's kernel slice of `gradients` (overwriting them).
    static func kernelGradient(
        input x: UnsafePointer<Float>, rows: Int, layer: LayerPlan, outputGradient dz: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, kernelRows: Range<Int>
    ) {
        MatrixProduct.multiply(
            m: layer.inputs, n: layer.outputs, k: rows, a: x, rowStride: 1, columnStride: layer.inputs,
            b: dz, ldb: layer.outputs, c: gradients + layer.kernelOffset, ldc: layer.outputs, rows: kernelRows)
    }

    /// Rows `rows` of `dx = dz·Wᵀ`, with `transposedKernel` holding Wᵀ (O×I).
    static func inputGradient(
        outputGradient dz: UnsafePointer<Float>, rows: Range<Int>, layer: LayerPlan,
        transposedKernel: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        MatrixProduct.multiply(
            m: rows.upperBound, n: layer.inputs, k: layer.outputs, a: dz, rowStride: layer.outputs, columnStride: 1,
            b: transposedKernel, ldb: layer.inputs, c: dx, ldc: layer.inputs, rows: rows)
    }

    /// `a = f(x·W + b)` for rows `rows` given by their non-zero inputs:
    /// row r of the product is the chain of `forward` over the non-zeros k
    /// of row r (ascending k, one FMA each, from +0), then the activation
    /// pass as in `forward`. The same bits as the dense product for finite
    /// weights (0·inf or 0·NaN in W is skipped here).
    static func forward(
        sparse x: SparseRows, rows: Range<Int>, layer: LayerPlan, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, activate: Bool = true
    ) {
        precondition(x.width == layer.inputs, "sparse rows are \(x.width) wide, the layer takes \(layer.inputs)")
        let outputs = layer.outputs
        let kernel = parameters + layer.kernelOffset
        for r in rows {
            sumOfScaledRows(
                count: x.counts[r], indices: x.columns + r * x.stride, values: x.values + r * x.stride,
                matrix: kernel, stride: outputs, columns: outputs, into: output + r * outputs)
        }
        if activate {
            layer.activation.forward(
                output + rows.lowerBound * outputs, bias: parameters + layer.biasOffset, rows: rows.count,
                columns: outputs)
        }
    }

    /// `kernelGradient` for a first layer fed `SparseRows` (`rows` rows),
    /// rows `kernelRows` of dW: `dW[k,:]` is the chain over the batch rows r
    /// where input k is non-zero, r ascending (from +0; zeros where input k
    /// is zero in every row) — the dense chain without its zero terms.
    ///
    /// `scratch` has room for `kernelRows.count × rows` (row, value) pairs:
    /// the chunk's non-zeros are first listed by input, rows in order, then
    /// each dW row is summed in registers and stored once.
    static func kernelGradient(
        sparse x: SparseRows, rows: Int, layer: LayerPlan, outputGradient dz: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, kernelRows: Range<Int>,
        scratch: (counts: UnsafeMutablePointer<Int>, rows: UnsafeMutablePointer<Int32>, values: UnsafeMutablePointer<Float>)
    ) {
        precondition(x.width == layer.inputs, "sparse rows are \(x.width) wide, the layer takes \(layer.inputs)")
        let outputs = layer.outputs
        let dW = gradients + layer.kernelOffset
        let first = kernelRows.lowerBound
        scratch.counts.update(repeating: 0, count: kernelRows.count)
        for r in 0..<rows {
            let columns = x.columns + r * x.stride
            let values = x.values + r * x.stride
            let count = x.counts[r]
            var e = x.firstEntry(row: r, atLeast: first)
            while e < count, Int(columns[e]) < kernelRows.upperBound {
                let k = Int(columns[e]) - first
                let slot = k * rows + scratch.counts[k]
                scratch.rows[slot] = Int32(truncatingIfNeeded: r)
                scratch.values[slot] = values[e]
                scratch.counts[k] += 1
                e += 1
            }
        }
        for k in 0..<kernelRows.count {
            sumOfScaledRows(
                count: scratch.counts[k], indices: scratch.rows + k * rows, values: scratch.values + k * rows,
                matrix: dz, stride: outputs, columns: outputs, into: dW + (first + k) * outputs)
        }
    }

    /// `out[0..<columns] = Σ_i values[i] · matrix[indices[i]·stride + (0..<columns)]`,
    /// summed from 0 in list order, one fused multiply-add per term and
    /// column (the same arithmetic whatever the width, so every column's
    /// result depends only on its own terms). Zero terms give zeros.
    static func sumOfScaledRows(
        count: Int, indices: UnsafePointer<Int32>, values: UnsafePointer<Float>, matrix: UnsafePointer<Float>,
        stride: Int, columns: Int, into out: UnsafeMutablePointer<Float>
    ) {
        var j = 0
        while columns - j >= 64 {
            sum64(count, indices, values, matrix + j, stride, out + j)
            j += 64
        }
        while columns - j >= 16 {
            sumPair(count, indices, values, matrix, stride, j, j + 8, out)
            j += 16
        }
        let rest = columns - j
        if rest > 8 {
            // The last 8 lanes overlap lanes of the first 8: they are
            // recomputed with the same operations, so they get the same bits.
            sumPair(count, indices, values, matrix, stride, j, columns - 8, out)
        } else if rest > 0, columns >= 8 {
            sumPair(count, indices, values, matrix, stride, columns - 8, columns - 8, out)
        } else if rest > 0 {
            for c in j..<columns {
                var sum: Float = 0
                for i in 0..<count { sum = sum.addingProduct(values[i], matrix[Int(indices[i]) * stride + c]) }
                out[c] = sum
            }
        }
    }

    /// 64 columns: eight 8-lane accumulators, enough independent FMAs to
    /// hide their latency.
    @inline(__always)
    private static func sum64(
        _ count: Int, _ indices: UnsafePointer<Int32>, _ values: UnsafePointer<Float>,
        _ matrix: UnsafePointer<Float>, _ stride: Int, _ out: UnsafeMutablePointer<Float>
    ) {
        var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
        var s4 = Lanes(), s5 = Lanes(), s6 = Lanes(), s7 = Lanes()
        for i in 0..<count {
            let v = Lanes(repeating: values[i])
            let row = matrix + Int(indices[i]) * stride
            s0 = s0.addingProduct(v, .load(row, 0))
            s1 = s1.addingProduct(v, .load(row, 8))
            s2 = s2.addingProduct(v, .load(row, 16))
            s3 = s3.addingProduct(v, .load(row, 24))
            s4 = s4.addingProduct(v, .load(row, 32))
            s5 = s5.addingProduct(v, .load(row, 40))
            s6 = s6.addingProduct(v, .load(row, 48))
            s7 = s7.addingProduct(v, .load(row, 56))
        }
        s0.store(out, 0)
        s1.store(out, 8)
        s2.store(out, 16)
        s3.store(out, 24)
        s4.store(out, 32)
        s5.store(out, 40)
        s6.store(out, 48)
        s7.store(out, 56)
    }

    /// Two 8-lane accumulators at columns `a` and `b` (which may be equal or overlap).
    @inline(__always)
    private static func sumPair(
        _ count: Int, _ indices: UnsafePointer<Int32>, _ values: UnsafePointer<Float>,
        _ matrix: UnsafePointer<Float>, _ stride: Int, _ a: Int, _ b: Int, _ out: UnsafeMutablePointer<Float>
    ) {
        var sa = Lanes(), sb = Lanes()
        for i in 0..<count {
            let v = Lanes(repeating: values[i])
            let row = matrix + Int(indices[i]) * stride
            sa = sa.addingProduct(v, .load(row, a))
            sb = sb.addingProduct(v, .load(row, b))
        }
        sa.store(out, a)
        sb.store(out, b)
    }

    /// `db[j] = Σ_rows dz[r][j]`, rows in order.
    static func biasGradient(
        _ dz: UnsafePointer<Float>, rows: Int, outputs: Int, into db: UnsafeMutablePointer<Float>
    ) {
        columnSums(dz, rows: rows, stride: outputs, columns: outputs, into: db, continuing: false)
    }

    /// `db[j] = (start + dz[0][j]) + dz[1][j] + …` over `rows` rows `stride`
    /// apart, rows in order, for j < `columns`: `start` is +0, or db[j]
    /// itself when `continuing` (a long sum computed in pieces of rows, with
    /// the bits of the whole). The sums stay in registers, 32, 16 and 8
    /// columns at a time (a convolution's rows are its positions: 86k rows
    /// a step for 26×26).
    static func columnSums(
        _ dz: UnsafePointer<Float>, rows: Int, stride: Int, columns: Int, into db: UnsafeMutablePointer<Float>,
        continuing: Bool
    ) {
        @inline(__always) func start(_ j: Int) -> Lanes { continuing ? .load(UnsafePointer(db), j) : Lanes() }
        var j = 0
        while columns - j >= 32 {
            var (s0, s1, s2, s3) = (start(j), start(j + 8), start(j + 16), start(j + 24))
            for r in 0..<rows {
                let row = dz + r * stride + j
                s0 += .load(row, 0)
                s1 += .load(row, 8)
                s2 += .load(row, 16)
                s3 += .load(row, 24)
            }
            s0.store(db + j, 0)
            s1.store(db + j, 8)
            s2.store(db + j, 16)
            s3.store(db + j, 24)
            j += 32
        }
        if columns - j >= 16 {
            var (s0, s1) = (start(j), start(j + 8))
            for r in 0..<rows {
                s0 += .load(dz + r * stride + j, 0)
                s1 += .load(dz + r * stride + j, 8)
            }
            s0.store(db + j, 0)
            s1.store(db + j, 8)
            j += 16
        }
        if columns - j >= 8 {
            var sum = start(j)
            for r in 0..<rows { sum += .load(dz + r * stride + j, 0) }
            sum.store(db + j, 0)
            j += 8
        }
        for column in j..<columns {
            var sum: Float = continuing ? db[column] : 0
            for r in 0..<rows { sum += dz[r * stride + column] }
            db[column] = sum
        }
    }
}

// Eight-float lanes for the sparse sums (kept in this file: builds without
// whole-module optimisation do not inline across files).
private typealias Lanes = SIMD8<Float>

extension SIMD8 where Scalar == Float {
    /// Lanes `i..<i+8` of `p` (no alignment needed).
    @inline(__always)
    fileprivate static func load(_ p: UnsafePointer<Float>, _ i: Int) -> Self {
        UnsafeRawPointer(p + i).loadUnaligned(as: Self.self)
    }

    /// Writes the lanes to `p[i..<i+8]` (no alignment needed).
    @inline(__always)
    fileprivate func store(_ p: UnsafeMutablePointer<Float>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: Self.self)
    }
}

/// One Dense layer located in the parameter buffer: kernel I×O at
/// `kernelOffset`, bias O at `biasOffset`.
struct LayerPlan: Equatable, Sendable {
    var inputs: Int
    var outputs: Int
    var activation: Activation
    var kernelOffset: Int
    var biasOffset: Int

    var kernelRange: Range<Int> { kernelOffset..<(kernelOffset + inputs * outputs) }
    var biasRange: Range<Int> { biasOffset..<(biasOffset + outputs) }
}

/// Keras's `Dense`: `output = activation(dot(input, kernel) + bias)` on a
/// flat input of I features. The kernel has shape `(I, units)` (input-major,
/// as in Keras) and the bias `units` values; Glorot-uniform kernel, zero bias.
public struct DenseLayer: Layer, Equatable {
    /// Width of the layer's output (Keras `units`), at least 1.
    public var units: Int
    /// Element-wise activation; `softmax` only on the last layer.
    public var activation: Activation

    public init(units: Int, activation: Activation) {
        self.units = units
        self.activation = activation
    }

    public var appliedActivation: Activation? { activation }

    public static let declaration = LayerDeclaration(
        word: "dense", className: "Dense", baseName: "dense",
        arguments: [.word("UNITS", .integer(1...1_000_000), noun: "units"), ArgumentDeclaration.activation],
        summary: "Dense: activation(dot(input, kernel) + bias), on flat input", readsImages: false)

    public init(_ arguments: ArgumentValues) {
        self.init(units: arguments.integer("UNITS"), activation: Activation(rawValue: arguments.text("ACTIVATION")) ?? .linear)
    }

    public static let configKeys = ["units", "activation"]

    public init(config: JSONValue) throws(LayerConfigError) {
        guard let units = config["units"]?.integer, units > 0 else { throw LayerConfigError("needs units, a positive integer") }
        self.init(units: units, activation: try Activation(config: config))
    }

    public var config: [JSONValue.Member] {
        [
            .init(key: "units", value: .number(units)),
            .init(key: "activation", value: .string(activation.rawValue)),
        ]
    }

    public var description: String { "dense \(units) \(activation.rawValue)" }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        guard units > 0 else { return .failure(.init("units must be a positive integer. Received: units=\(units)")) }
        guard input.count == 1 else {
            return .failure(
                .init("dense takes a flat input but receives \(Architecture.shapeText(input)); add flatten before it"))
        }
        return .success([units])
    }

    func weights(input: [Int]) -> [WeightSpec] {
        let inputs = input.reduce(1, &*)
        return [
            WeightSpec(
                name: "kernel", shape: [inputs, units], initializer: .glorotUniform(fans: inputs &+ units), trainable: true),
            WeightSpec(name: "bias", shape: [units], initializer: .zeros, trainable: true),
        ]
    }

    public func shapeLine(output: [Int]) -> String { description }

    func plan(_ layer: PlacedLayer) -> LayerPlan {
        LayerPlan(
            inputs: layer.inputSize, outputs: units, activation: activation,
            kernelOffset: layer.offset("kernel"), biasOffset: layer.offset("bias"))
    }

    /// Inputs narrower than this always take the dense product.
    static let minimumSparseWidth = 32
    /// First layers narrower than this always take the dense product: the
    /// sparse sums gain little on them and finding the non-zeros costs more.
    static let minimumSparseOutputs = 32

    /// Whether a first layer of this shape tries the sparse sums.
    func usesSparse(_ layer: PlacedLayer) -> Bool {
        layer.sparseInput && layer.index == 0 && layer.inputSize >= Self.minimumSparseWidth
            && units >= Self.minimumSparseOutputs
    }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        DensePass(
            plan: plan(layer), capacity: capacity, training: training && layer.index > 0, sparse: usesSparse(layer),
            sparseTraining: training, isLast: layer.isLast)
    }

    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int {
        usesSparse(layer) ? SparseRows.floatsPerRow(width: layer.inputSize) + (training ? 2 * layer.inputSize : 0) : 0
    }

    func cost(_ layer: PlacedLayer) -> Int { layer.inputSize * units / (usesSparse(layer) ? 4 : 1) }

    // The order (ReferenceTraining.swift): z[n,o] = fma chain over i
    // ascending from +0 of x[n,i]·W[i,o], then + b[o]; a = f(z) (the last
    // layer keeps z: softmax is fused with the loss).
    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters w: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        let plan = plan(layer)
        var a = [Float](repeating: 0, count: rows * units)
        for n in 0..<rows {
            for o in 0..<units {
                var sum: Float = 0
                for i in 0..<plan.inputs {
                    sum = sum.addingProduct(x[n * plan.inputs + i], w[plan.kernelOffset + i * units + o])
                }
                let z = sum + w[plan.biasOffset + o]
                a[n * units + o] = layer.isLast ? z : ReferenceTraining.activate(plan.activation, z)
            }
        }
        return ReferenceOutput(output: a)
    }

    // dz = f'(g) (not on the last layer); dW[i,o] = fma chain over n of
    // x[n,i]·dz[n,o]; db[o] = Σ_n dz[n,o]; dx[n,i] = fma chain over o of dz[n,o]·W[i,o].
    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters w: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        let plan = plan(layer)
        let (inputs, outputs) = (plan.inputs, units)
        var dz = g
        if !layer.isLast {
            for i in dz.indices { dz[i] = ReferenceTraining.activationDerivative(plan.activation, g[i], forward.output[i]) }
        }
        for i in 0..<inputs {
            for o in 0..<outputs {
                var sum: Float = 0
                for n in 0..<rows { sum = sum.addingProduct(x[n * inputs + i], dz[n * outputs + o]) }
                gradients[plan.kernelOffset + i * outputs + o] = sum
            }
        }
        for o in 0..<outputs {
            var sum: Float = 0
            for n in 0..<rows { sum += dz[n * outputs + o] }
            gradients[plan.biasOffset + o] = sum
        }
        var dx = [Float](repeating: 0, count: rows * inputs)
        for n in 0..<rows {
            for i in 0..<inputs {
                var sum: Float = 0
                for o in 0..<outputs { sum = sum.addingProduct(dz[n * outputs + o], w[plan.kernelOffset + i * outputs + o]) }
                dx[n * inputs + i] = sum
            }
        }
        return dx
    }
}

extension LayerSpec {
    /// A Dense layer.
    public static func dense(_ layer: DenseLayer) -> LayerSpec { LayerSpec(layer) }
}

/// A Dense layer's buffers and passes: the product (or, for a wide first
/// layer on mostly-zero rows, the sparse sums), Wᵀ for dx.
final class DensePass: LayerPass {
    let plan: LayerPlan
    let isLast: Bool
    /// The non-zero inputs of the current pass; nil when the layer is not a
    /// first layer wide enough for the sparse sums to pay.
    let sparse: SparseRows?
    /// Per kernel-row chunk: the non-zeros listed by input (training with
    /// sparse rows only; see `Dense.kernelGradient(sparse:)`).
    private let listCounts: UnsafeMutablePointer<Int>
    private let listRows: UnsafeMutablePointer<Int32>
    private let listValues: UnsafeMutablePointer<Float>
    /// Wᵀ (O×I) while dx is computed (training).
    private let transposedKernel: UnsafeMutablePointer<Float>
    private let capacity: Int

    /// Kernel rows of the kernel gradient one task takes: fixed, so the work
    /// splits the same way whatever the thread count.
    static let kernelRowsPerPiece = 64

    /// `training`: room for dx (Wᵀ); `sparseTraining`: the sparse kernel gradient's lists.
    init(plan: LayerPlan, capacity: Int, training: Bool, sparse useSparse: Bool, sparseTraining: Bool, isLast: Bool) {
        self.plan = plan
        self.isLast = isLast
        self.capacity = capacity
        sparse = useSparse ? SparseRows(capacity: capacity, width: plan.inputs) : nil
        // One list per input, room for every row: a chunk of kernel rows
        // uses its own inputs' lists, so chunks never share one.
        let lists = sparseTraining && useSparse ? plan.inputs * capacity : 0
        listCounts = layerBuffer(sparseTraining && useSparse ? plan.inputs : 0, 0)
        listRows = layerBuffer(lists, Int32(0))
        listValues = layerBuffer(lists, Float(0))
        transposedKernel = layerBuffer(training ? plan.inputs * plan.outputs : 0, Float(0))
    }

    deinit {
        listCounts.deallocate()
        listRows.deallocate()
        listValues.deallocate()
        transposedKernel.deallocate()
    }

    var hasWeights: Bool { true }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        if let sparse {
            for r in chunk { sparse.load(row: r, from: io.input + r * plan.inputs) }
            if sparse.isSparse(chunk) {
                Dense.forward(
                    sparse: sparse, rows: chunk, layer: plan, parameters: io.parameters, output: io.output,
                    activate: !isLast)
                return
            }
        }
        Dense.forward(
            input: io.input, rows: chunk, layer: plan, parameters: io.parameters, output: io.output, activate: !isLast)
    }

    var earlyParameters: Range<Int> { plan.kernelRange }

    func weightGradients(
        rows: Int, _ io: LayerIO, dz: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        done: ((Range<Int>) -> Void)?
    ) {
        let plan = plan
        let sparse = self.sparse.flatMap { $0.isSparse(0..<rows) ? $0 : nil }
        let cost = rows * plan.outputs / (sparse == nil ? 1 : 4)
        let x = io.input
        ComputePool.shared.forEachPiece(of: plan.inputs, piece: Self.kernelRowsPerPiece, cost: cost) { kernelRows in
            if let sparse {
                let lists = kernelRows.lowerBound * rows
                Dense.kernelGradient(
                    sparse: sparse, rows: rows, layer: plan, outputGradient: dz, gradients: gradients,
                    kernelRows: kernelRows,
                    scratch: (self.listCounts + kernelRows.lowerBound, self.listRows + lists, self.listValues + lists))
            } else {
                Dense.kernelGradient(
                    input: x, rows: rows, layer: plan, outputGradient: dz, gradients: gradients, kernelRows: kernelRows)
            }
            done?(
                (plan.kernelOffset + kernelRows.lowerBound * plan.outputs)..<(plan.kernelOffset + kernelRows.upperBound
                    * plan.outputs))
        }
        Dense.biasGradient(dz, rows: rows, outputs: plan.outputs, into: gradients + plan.biasOffset)
    }

    func prepareInputGradient(_ io: LayerIO) {
        MatrixProduct.transpose(
            io.parameters + plan.kernelOffset, rows: plan.outputs, columns: plan.inputs, into: transposedKernel)
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        Dense.inputGradient(
            outputGradient: dz, rows: chunk, layer: plan, transposedKernel: UnsafePointer(transposedKernel), into: dx)
    }

    /// The layer above applies this layer's activation derivative.
    private var derivativeAppliedAbove = false

    func skipActivationDerivative() { derivativeAppliedAbove = true }

    func activationDerivative(_ chunk: Range<Int>, _ io: LayerIO, gradient: UnsafeMutablePointer<Float>) {
        guard !derivativeAppliedAbove else { return }
        let size = plan.outputs
        plan.activation.backward(
            gradient: gradient + chunk.lowerBound * size, output: io.output + chunk.lowerBound * size,
            count: chunk.count * size)
    }
}

// Keras files and ONNX: Keras variables `kernel` (I, O) and `bias` (O), as
// the engine's; ONNX `Gemm` on the flat (NHWC-ordered) input, then the activation.
extension DenseLayer {
    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        let members: [JSONValue.Member] = [
            .init(key: "units", value: keras.config["units"] ?? .null),
            .init(key: "activation", value: .string(try keras.activation().rawValue)),
        ]
        return .layer(try keras.layer(Self.self, members), omitsBias: !keras.usesBias)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        graph.channelsLastImage()
        let kernel = weights["kernel"] ?? []
        let name = graph.unique("dense")
        let kernelName = graph.constant(name + ".kernel", dims: [kernel.count / units, units], kernel)
        let biasName = graph.constant(name + ".bias", dims: [units], weights["bias"] ?? [])
        graph.apply("Gemm", [kernelName, biasName], shape: [units])
        graph.activation(activation)
    }
}
