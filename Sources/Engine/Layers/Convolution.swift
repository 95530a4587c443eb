// Conv2D forward and backward on flat NHWC buffers, as im2col + products
// whose every sum has the order written here.
//
// Shapes (per example; `N` batch rows):
//   x      H×W×C          input, NHWC
//   W      K×K×C×F        kernel (Keras's HWIO), read as a (K·K·C)×F matrix
//   b      F              bias
//   cols   P×(K·K·C)      the patches, P = OH·OW output positions (oy, ox
//                         row-major); column (ky, kx, c), c fastest; a patch
//                         position in the padding holds +0
//   z, a   OH×OW×F        a = f(cols·W + b), NHWC
//   dz     OH×OW×F        dL/dz
//
// The defined order:
//   z[n,p,f]  = fma chain over (ky, kx, c) ascending from +0 of
//               cols[n,p,(ky,kx,c)]·W[ky,kx,c,f], then + b[f], then f
//               (a padding term is fma(+0, w, s) = s: it changes nothing)
//   dW[k,f]   = fma chain over (n, p) ascending from +0 of cols[n,p,k]·dz[n,p,f]
//               (computed in blocks of rows, each block continuing the chains
//               the previous one left in dW: the same operations in the same order)
//   db[f]     = dz[0,0,f] + dz[0,1,f] + … over (n, p) ascending, from +0
//   dcols[n,p,k] = fma chain over f ascending from +0 of dz[n,p,f]·W[k,f]
//               (its zero terms skipped where dz is mostly zeros: same bits)
//   dx[n,y,x,c] = +0, then + dcols[n,p,(ky,kx,c)] for every p ascending
//               whose window covers (y, x) (plain additions; col2im)
// Every product vectorises across output columns (f, or k for dcols), so
// each lane runs exactly its chain. Threads split the batch rows (forward,
// dcols, col2im) or the rows k of dW: no sum crosses two tasks.

/// A Conv2D layer located in the parameter buffer, with its geometry.
struct ConvolutionPlan: Equatable, Sendable {
    var inHeight: Int, inWidth: Int, channels: Int
    var outHeight: Int, outWidth: Int, filters: Int
    var kernel: Int, stride: Int
    /// Rows and columns of zeros before the input (`same` padding).
    var padTop: Int, padLeft: Int
    var activation: Activation
    var kernelOffset: Int
    var biasOffset: Int

    /// Output positions per example, P = OH·OW.
    var positions: Int { outHeight * outWidth }
    /// Inputs of one output value, K·K·C: the length of its chain.
    var patch: Int { kernel * kernel * channels }
    var inputSize: Int { inHeight * inWidth * channels }
    var outputSize: Int { positions * filters }
    var kernelRange: Range<Int> { kernelOffset..<(kernelOffset + patch * filters) }
    var biasRange: Range<Int> { biasOffset..<(biasOffset + filters) }
}

enum Convolution {
    /// Writes example `x`'s patches (P × K·K·C) to `cols`.
    static func im2col(_ x: UnsafePointer<Float>, _ plan: ConvolutionPlan, into cols: UnsafeMutablePointer<Float>) {
        let (k, c, s) = (plan.kernel, plan.channels, plan.stride)
        let run = k * c
        var out = cols
        for oy in 0..<plan.outHeight {
            for ox in 0..<plan.outWidth {
                let x0 = ox * s - plan.padLeft
                for ky in 0..<k {
                    let y = oy * s + ky - plan.padTop
                    if y < 0 || y >= plan.inHeight {
                        out.update(repeating: 0, count: run)
                    } else if x0 >= 0 && x0 + k <= plan.inWidth {
                        let from = x + (y * plan.inWidth + x0) * c
                        if run <= 16 {
                            for i in 0..<run { out[i] = from[i] }
                        } else {
                            out.update(from: from, count: run)
                        }
                    } else {
                        for kx in 0..<k {
                            let xx = x0 + kx
                            if xx < 0 || xx >= plan.inWidth {
                                (out + kx * c).update(repeating: 0, count: c)
                            } else {
                                (out + kx * c).update(from: x + (y * plan.inWidth + xx) * c, count: c)
                            }
                        }
                    }
                    out += run
                }
            }
        }
    }

    /// Adds example patches' gradients `dcols` (P × K·K·C) into `dx`
    /// (H×W×C, zeroed here first), positions p ascending.
    static func col2im(_ dcols: UnsafePointer<Float>, _ plan: ConvolutionPlan, into dx: UnsafeMutablePointer<Float>) {
        dx.update(repeating: 0, count: plan.inputSize)
        let (k, c, s) = (plan.kernel, plan.channels, plan.stride)
        var source = dcols
        for oy in 0..<plan.outHeight {
            for ox in 0..<plan.outWidth {
                let x0 = ox * s - plan.padLeft
                for ky in 0..<k {
                    let y = oy * s + ky - plan.padTop
                    if y >= 0 && y < plan.inHeight {
                        for kx in 0..<k {
                            let xx = x0 + kx
                            guard xx >= 0 && xx < plan.inWidth else { continue }
                            let target = dx + (y * plan.inWidth + xx) * c
                            let from = source + kx * c
                            for ch in 0..<c { target[ch] += from[ch] }
                        }
                    }
                    source += k * c
                }
            }
        }
    }

    /// Forward for batch rows `rows`: patches into `cols` (N×P×K·K·C),
    /// product into `output` (N×P×F), then bias and activation (not softmax).
    static func forward(
        input x: UnsafePointer<Float>, rows: Range<Int>, plan: ConvolutionPlan, parameters: UnsafePointer<Float>,
        cols: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let (p, patch, f) = (plan.positions, plan.patch, plan.filters)
        for r in rows { im2col(x + r * plan.inputSize, plan, into: cols + r * p * patch) }
        ProductKernels.multiply(
            rows: (rows.lowerBound * p)..<(rows.upperBound * p), n: f, k: patch, a: cols, lda: patch,
            b: parameters + plan.kernelOffset, ldb: f, c: output, ldc: f)
        plan.activation.forward(
            output + rows.lowerBound * p * f, bias: parameters + plan.biasOffset, rows: rows.count * p, columns: f)
    }

    /// Rows `kernelRows` of `dW = colsᵀ·dz` over `rows` batch rows, into the
    /// layer's kernel slice of `gradients`: each chain over (n, p) ascending,
    /// computed in blocks of `blockRows` (n, p) rows that continue it.
    static func kernelGradient(
        cols: UnsafePointer<Float>, rows: Int, plan: ConvolutionPlan, outputGradient dz: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>, kernelRows: Range<Int>, columns: Range<Int>
    ) {
        let (patch, f) = (plan.patch, plan.filters)
        let dW = gradients + plan.kernelOffset + kernelRows.lowerBound * f + columns.lowerBound
        for i in 0..<kernelRows.count { (dW + i * f).update(repeating: 0, count: columns.count) }
        let total = rows * plan.positions
        var start = 0
        while start < total {
            let count = min(blockRows, total - start)
            ProductKernels.accumulateTransposed(
                m: kernelRows.count, n: columns.count, k: count, a: cols + start * patch + kernelRows.lowerBound,
                lda: patch, b: dz + start * f + columns.lowerBound, ldb: f, c: dW, ldc: f)
            start += count
        }
    }

    /// The kernel gradient's tasks: kernel rows in pieces of `kernelRowsPerPiece`;
    /// a kernel with few rows (a first layer's K·K·C) also splits its columns
    /// in pieces of at least 16. Fixed by the layer's shape alone.
    static func kernelGradientTasks(_ plan: ConvolutionPlan) -> [(rows: Range<Int>, columns: Range<Int>)] {
        let rowPieces = (plan.patch + kernelRowsPerPiece - 1) / kernelRowsPerPiece
        let columnPieces = plan.patch < 2 * kernelRowsPerPiece ? max(1, plan.filters / 16) : 1
        var tasks: [(rows: Range<Int>, columns: Range<Int>)] = []
        for r in 0..<rowPieces {
            let rows = (r * kernelRowsPerPiece)..<min(plan.patch, (r + 1) * kernelRowsPerPiece)
            for j in 0..<columnPieces {
                tasks.append((rows, (j * plan.filters / columnPieces)..<((j + 1) * plan.filters / columnPieces)))
            }
        }
        return tasks
    }

    /// Kernel rows per kernel-gradient task (a multiple of the product's 6-row tiles).
    /// Each task streams all of dz once, so few large pieces (4 for a 3×3×32
    /// kernel) keep the memory traffic down.
    static let kernelRowsPerPiece = 72

    /// (n, p) rows per block of the kernel gradient: a block's patches and
    /// dz stay in cache while every kernel row of the task reads them.
    static let blockRows = 64

    /// dx for batch rows `rows`: `dcols = dz·Wᵀ` (written over `cols`,
    /// which the kernel gradient has finished with), then col2im into `dx`.
    /// `transposedKernel` holds Wᵀ (F × K·K·C).
    static func inputGradient(
        outputGradient dz: UnsafePointer<Float>, rows: Range<Int>, plan: ConvolutionPlan,
        transposedKernel: UnsafePointer<Float>, cols: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        let (p, patch, f) = (plan.positions, plan.patch, plan.filters)
        let products = (rows.lowerBound * p)..<(rows.upperBound * p)
        // Below a max pooling most of dz is zero: walk only its nonzero
        // terms (the same chains, so the same bits) when they are few.
        var zeros = 0
        for i in (products.lowerBound * f)..<(products.upperBound * f) where dz[i] == 0 { zeros += 1 }
        if patch >= 8, zeros * 2 >= products.count * f {
            ProductKernels.multiplySkippingZeros(
                rows: products, n: patch, k: f, a: dz, lda: f, b: transposedKernel, ldb: patch, c: cols, ldc: patch)
        } else {
            ProductKernels.multiply(
                rows: products, n: patch, k: f, a: dz, lda: f, b: transposedKernel, ldb: patch, c: cols, ldc: patch)
        }
        for r in rows { col2im(cols + r * p * patch, plan, into: dx + r * plan.inputSize) }
    }
}
