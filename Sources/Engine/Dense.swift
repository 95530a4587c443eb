// Dense layer forward and backward on flat buffers, all products through
// OpenBLAS `cblas_sgemm`.
//
// Shapes: `N` batch rows, `I` layer inputs, `O` layer outputs; all row-major.
//   x  N×I   input (the previous layer's activations, or the batch)
//   W  I×O   kernel,  b  O  bias
//   a  N×O   output, a = f(x·W + b)
//   dz N×O   gradient of the loss w.r.t. x·W + b
//   dW I×O = xᵀ·dz,   db O = Σ_rows dz,   dx N×I = dz·Wᵀ
//
// A first layer whose input is mostly zeros (MNIST: ~19% of pixels are
// non-zero) can take its input as `SparseRows` instead: x·W and xᵀ·dz then
// sum only over the non-zero inputs, in a fixed order (see
// `sumOfScaledRows`), which is 4-5x less work than the dense product.

import COpenBLAS

enum Dense {
    /// `a = f(x·W + b)`: the product lands in `output` (beta = 0), then the
    /// activation pass adds the bias. For softmax the caller applies
    /// `SoftmaxCrossEntropy` to the raw product (pass `activate: false`).
    static func forward(
        input x: UnsafePointer<Float>, rows: Int, layer: LayerPlan,
        parameters: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, activate: Bool = true
    ) {
        gemm(
            transposeA: false, transposeB: false, m: rows, n: layer.outputs, k: layer.inputs,
            a: x, lda: layer.inputs, b: parameters + layer.kernelOffset, ldb: layer.outputs,
            c: output, ldc: layer.outputs)
        if activate {
            layer.activation.forward(
                output, bias: parameters + layer.biasOffset, rows: rows, columns: layer.outputs)
        }
    }

    /// Given `dz` (N×O), writes `dW = xᵀ·dz` and `db = Σ_rows dz` into the
    /// layer's slices of `gradients` (overwriting them), and `dx = dz·Wᵀ`
    /// into `inputGradient` when it is non-nil (skipped for the first layer).
    static func backward(
        input x: UnsafePointer<Float>, rows: Int, layer: LayerPlan,
        parameters: UnsafePointer<Float>, outputGradient dz: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?
    ) {
        let inputs = layer.inputs
        let outputs = layer.outputs
        gemm(
            transposeA: true, transposeB: false, m: inputs, n: outputs, k: rows,
            a: x, lda: inputs, b: dz, ldb: outputs,
            c: gradients + layer.kernelOffset, ldc: outputs)
        biasGradient(dz, rows: rows, outputs: outputs, into: gradients + layer.biasOffset)
        if let dx = inputGradient {
            gemm(
                transposeA: false, transposeB: true, m: rows, n: inputs, k: outputs,
                a: dz, lda: outputs, b: parameters + layer.kernelOffset, ldb: outputs,
                c: dx, ldc: inputs)
        }
    }

    /// `a = f(x·W + b)` for rows given by their non-zero inputs: row r of
    /// the product is `Σ x[r,k]·W[k,:]` over the non-zeros k of row r in
    /// increasing k (one FMA each, from 0), then the activation pass as in
    /// `forward`. Differs from the dense product only in rounding order
    /// (and where W holds ±inf or NaN against a zero input: 0·inf is skipped).
    static func forward(
        sparse x: SparseRows, layer: LayerPlan, parameters: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, activate: Bool = true
    ) {
        precondition(x.width == layer.inputs, "sparse rows are \(x.width) wide, the layer takes \(layer.inputs)")
        let outputs = layer.outputs
        let kernel = parameters + layer.kernelOffset
        var start = 0
        for r in 0..<x.rows {
            let end = x.rowEnds[r]
            sumOfScaledRows(
                count: end - start, indices: x.columns + start, values: x.values + start, matrix: kernel,
                stride: outputs, columns: outputs, into: output + r * outputs)
            start = end
        }
        if activate {
            layer.activation.forward(output, bias: parameters + layer.biasOffset, rows: x.rows, columns: outputs)
        }
    }

    /// `backward` for a first layer fed `SparseRows` (built with columns):
    /// `dW[k,:] = Σ x[r,k]·dz[r,:]` over the rows r where input k is
    /// non-zero, in increasing r (zero rows of dW where input k is zero in
    /// every row), and `db` as in `backward`. No dx: nothing needs it.
    static func backward(
        sparse x: SparseRows, layer: LayerPlan, outputGradient dz: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>
    ) {
        precondition(x.hasColumns && x.width == layer.inputs, "sparse rows without columns")
        let outputs = layer.outputs
        let rows = x.rows
        let dW = gradients + layer.kernelOffset
        for k in 0..<layer.inputs {
            sumOfScaledRows(
                count: Int(x.columnCounts[k]), indices: x.columnRows + k * x.capacity,
                values: x.columnValues + k * x.capacity, matrix: dz, stride: outputs, columns: outputs,
                into: dW + k * outputs)
        }
        biasGradient(dz, rows: rows, outputs: outputs, into: gradients + layer.biasOffset)
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

    /// `C (m×n) = op(A) (m×k) · op(B) (k×n)`, row-major, beta = 0.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), 1, a, blasint(lda), b, blasint(ldb), 0, c, blasint(ldc))
    }

    /// The naive triple loop `gemm` must agree with (reference for tests).
    static func referenceGemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        a: [Float], lda: Int, b: [Float], ldb: Int, ldc: Int
    ) -> [Float] {
        var c = [Float](repeating: 0, count: m * ldc)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Double = 0
                for p in 0..<k {
                    let aValue = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let bValue = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(aValue) * Double(bValue)
                }
                c[i * ldc + j] = Float(sum)
            }
        }
        return c
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
