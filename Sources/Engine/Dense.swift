// Dense layer forward and backward on flat buffers, all products through
// OpenBLAS `cblas_sgemm`.
//
// Shapes: `N` batch rows, `I` layer inputs, `O` layer outputs; all row-major.
//   x  N×I   input (the previous layer's activations, or the batch)
//   W  I×O   kernel,  b  O  bias
//   a  N×O   output, a = f(x·W + b)
//   dz N×O   gradient of the loss w.r.t. x·W + b
//   dW I×O = xᵀ·dz,   db O = Σ_rows dz,   dx N×I = dz·Wᵀ

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
        let db = gradients + layer.biasOffset
        db.update(repeating: 0, count: outputs)
        for r in 0..<rows {
            let row = dz + r * outputs
            for j in 0..<outputs { db[j] += row[j] }
        }
        if let dx = inputGradient {
            gemm(
                transposeA: false, transposeB: true, m: rows, n: inputs, k: outputs,
                a: dz, lda: outputs, b: parameters + layer.kernelOffset, ldb: outputs,
                c: dx, ldc: inputs)
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
