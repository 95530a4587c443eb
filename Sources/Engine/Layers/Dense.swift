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
        db.update(repeating: 0, count: outputs)
        for r in 0..<rows {
            let row = dz + r * outputs
            for j in 0..<outputs { db[j] += row[j] }
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
