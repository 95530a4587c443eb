import JSON

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
//
// Without padding and at stride 1 (`readsInPlace`), no patches are built:
// row ky of every window is K·C consecutive input values. So the forward is
// one product whose rows are the windows, read in place (each from its
// start in the input), with their terms in K segments, one per ky: the same
// chains in the same order. dW reads the same windows in place, each piece
// of its kernel rows within one ky. dcols is built per example in a scratch buffer, then
// col2im as above.

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

    /// Whether the products read the input in place instead of patches:
    /// stride 1 and no padding.
    var readsInPlace: Bool {
        stride == 1 && padTop == 0 && padLeft == 0 && outHeight == inHeight - kernel + 1
            && outWidth == inWidth - kernel + 1
    }

    /// Where each output position's window starts in one example's input
    /// (a layer that `readsInPlace`).
    func windowOffsets() -> [Int] {
        (0..<positions).map { p in ((p / outWidth) * inWidth + p % outWidth) * channels }
    }
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
                // The window row's columns inside the input: one run of values,
                // each added once, so every value of dx still takes its terms in
                // (oy, ox, ky, kx) order.
                let (first, end) = (max(0, -x0), min(k, plan.inWidth - x0))
                for ky in 0..<k {
                    let y = oy * s + ky - plan.padTop
                    if y >= 0 && y < plan.inHeight && first < end {
                        addRun(
                            source + first * c, into: dx + (y * plan.inWidth + x0 + first) * c, count: (end - first) * c)
                    }
                    source += k * c
                }
            }
        }
    }

    /// target[i] += from[i] for i < count, eight lanes at a time: one window
    /// row of patch gradients added into dx.
    @inline(__always)
    static func addRun(_ from: UnsafePointer<Float>, into target: UnsafeMutablePointer<Float>, count: Int) {
        let whole = count - count % 8
        for i in stride(from: 0, to: whole, by: 8) {
            let sum =
                UnsafeRawPointer(target + i).loadUnaligned(as: SIMD8<Float>.self)
                + UnsafeRawPointer(from + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(target + i).storeBytes(of: sum, as: SIMD8<Float>.self)
        }
        for i in whole..<count { target[i] += from[i] }
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

    /// Forward for batch rows `rows` of a layer that `readsInPlace`: per
    /// example, the product over its windows in place (`offsets`, from
    /// `windowOffsets`) with its bias and activation.
    static func forwardInPlace(
        input x: UnsafePointer<Float>, rows: Range<Int>, plan: ConvolutionPlan, parameters: UnsafePointer<Float>,
        offsets: UnsafePointer<Int>, output: UnsafeMutablePointer<Float>
    ) {
        let (k, c, f) = (plan.kernel, plan.channels, plan.filters)
        for r in rows {
            ProductKernels.windowProduct(
                m: plan.positions, n: f, segments: k, length: k * c, a: x + r * plan.inputSize, rowOffsets: offsets,
                rowStride: c, segmentStride: plan.inWidth * c, b: parameters + plan.kernelOffset, ldb: f,
                c: output + r * plan.outputSize, ldc: f, bias: parameters + plan.biasOffset, activation: plan.activation)
        }
    }

    /// `forwardInPlace` followed by the max pooling `pooling` of its output,
    /// into `output` (N × the pooling's output) and, in training, the
    /// maxima's places into `argmax` (as `MaxPooling.forward`): on the
    /// AVX-512 tiles, a pool of 2 after linear or relu pools each tile's
    /// positions before its one store, computing only the positions a
    /// window covers; else each example's product goes to a `scratch`
    /// buffer (P×F) and `MaxPooling.forward` reads it back while it is in
    /// cache. The same values compared in the same order either way.
    static func forwardPooled(
        input x: UnsafePointer<Float>, rows: Range<Int>, plan: ConvolutionPlan, pooling: PoolingPlan,
        parameters: UnsafePointer<Float>, offsets: UnsafePointer<Int>, scratch: ScratchBuffers,
        output: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?
    ) {
        let (k, c, f) = (plan.kernel, plan.channels, plan.filters)
        let tiles = ProductKernels.wideTiles && pooling.size == 2 && (plan.activation == .relu || plan.activation == .linear)
        for r in rows {
            let (image, out, winners) = (
                x + r * plan.inputSize, output + r * pooling.outputSize, argmax.map { $0 + r * pooling.outputSize }
            )
            if tiles {
                ProductKernels.pooledWindowProduct(
                    pooledHeight: pooling.outHeight, pooledWidth: pooling.outWidth, width: plan.outWidth, n: f,
                    segments: k, length: k * c, a: image, rowOffsets: offsets, segmentStride: plan.inWidth * c,
                    b: parameters + plan.kernelOffset, ldb: f, c: out, argmax: winners,
                    bias: parameters + plan.biasOffset, activation: plan.activation)
                continue
            }
            scratch.withBuffer { z in
                ProductKernels.windowProduct(
                    m: plan.positions, n: f, segments: k, length: k * c, a: image, rowOffsets: offsets, rowStride: c,
                    segmentStride: plan.inWidth * c, b: parameters + plan.kernelOffset, ldb: f, c: z, ldc: f,
                    bias: parameters + plan.biasOffset, activation: plan.activation)
                if let winners {
                    MaxPooling.forward(z, pooling, output: out, argmax: winners)
                } else {
                    MaxPooling.forward(z, pooling, output: out)
                }
            }
        }
    }

    /// `kernelGradient` for a layer that `readsInPlace`, reading its input
    /// `x` in place (`offsets` from `windowOffsets`): the same chains over
    /// (n, p) ascending, one example at a time, each piece of the task's
    /// kernel rows within one ky. With `withBias`, the bias gradient of the
    /// task's columns too (`Dense.biasGradient`'s sums over (n, p) in
    /// order), each example's share while its dz is in cache.
    static func kernelGradientInPlace(
        input x: UnsafePointer<Float>, rows: Int, plan: ConvolutionPlan, offsets: UnsafePointer<Int>,
        outputGradient dz: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>, kernelRows: Range<Int>,
        columns: Range<Int>, withBias: Bool
    ) {
        let (f, c, w, run) = (plan.filters, plan.channels, plan.inWidth, plan.kernel * plan.channels)
        let dW = gradients + plan.kernelOffset + kernelRows.lowerBound * f + columns.lowerBound
        for i in 0..<kernelRows.count { (dW + i * f).update(repeating: 0, count: columns.count) }
        // The task's kernel rows cut where ky changes: row (ky, j) of a window is x[start + ky·W·C + j].
        var pieces: [(ky: Int, rows: Range<Int>)] = []
        var start = kernelRows.lowerBound
        while start < kernelRows.upperBound {
            let ky = start / run
            let end = min(kernelRows.upperBound, (ky + 1) * run)
            pieces.append((ky, start..<end))
            start = end
        }
        for n in 0..<rows {
            let image = x + n * plan.inputSize
            for piece in pieces {
                ProductKernels.accumulateWindows(
                    m: piece.rows.count, n: columns.count, k: plan.positions,
                    a: image + piece.ky * w * c + (piece.rows.lowerBound - piece.ky * run), termOffsets: offsets,
                    termStride: c, b: dz + n * plan.positions * f + columns.lowerBound, ldb: f,
                    c: dW + (piece.rows.lowerBound - kernelRows.lowerBound) * f, ldc: f)
            }
            if withBias {
                Dense.columnSums(
                    dz + n * plan.positions * f + columns.lowerBound, rows: plan.positions, stride: f,
                    columns: columns.count, into: gradients + plan.biasOffset + columns.lowerBound, continuing: n > 0)
            }
        }
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

    /// How many of `values[0..<count]` are zero, eight at a time.
    static func zeroCount(_ values: UnsafePointer<Float>, _ count: Int) -> Int {
        var zeros = SIMD8<Int32>()
        var i = 0
        while count - i >= 8 {
            let lanes = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD8<Float>.self)
            // A true lane is all ones, -1.
            zeros &-= unsafeBitCast(lanes .== SIMD8<Float>(repeating: 0), to: SIMD8<Int32>.self)
            i += 8
        }
        var total = Int(zeros.wrappedSum())
        while i < count {
            if values[i] == 0 { total += 1 }
            i += 1
        }
        return total
    }

    /// Kernel rows per kernel-gradient task (a multiple of the product's 6-row tiles).
    /// Each task streams all of dz once, so few large pieces (4 for a 3×3×32
    /// kernel) keep the memory traffic down.
    static let kernelRowsPerPiece = 72

    /// (n, p) rows per block of the kernel gradient: a block's patches and
    /// dz stay in cache while every kernel row of the task reads them.
    static let blockRows = 64

    /// dx for batch row `row`: `dcols = dz·Wᵀ` into `dcols` (P × K·K·C),
    /// then col2im into `dx`. `transposedKernel` holds Wᵀ (F × K·K·C).
    static func inputGradient(
        outputGradient dz: UnsafePointer<Float>, row: Int, plan: ConvolutionPlan,
        transposedKernel: UnsafePointer<Float>, dcols: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        let (p, patch, f) = (plan.positions, plan.patch, plan.filters)
        let gradient = dz + row * p * f
        // Below a pooling that picks one winner per window most of dz is zero: walk only its nonzero
        // terms (the same chains, so the same bits) when they are few.
        if patch >= 8, zeroCount(gradient, p * f) * 2 >= p * f {
            if plan.readsInPlace {
                sparseInputGradient(
                    gradient, plan: plan, transposedKernel: transposedKernel, row: dcols, into: dx + row * plan.inputSize)
                return
            }
            ProductKernels.multiplySkippingZeros(
                rows: 0..<p, n: patch, k: f, a: gradient, lda: f, b: transposedKernel, ldb: patch, c: dcols, ldc: patch)
        } else {
            ProductKernels.multiply(
                rows: 0..<p, n: patch, k: f, a: gradient, lda: f, b: transposedKernel, ldb: patch, c: dcols, ldc: patch)
        }
        col2im(dcols, plan, into: dx + row * plan.inputSize)
    }
}

extension Convolution {
    /// `inputGradient`'s sparse case for a layer that `readsInPlace`: each
    /// position's row of dcols (its nonzero terms only) is built in `row`
    /// and added straight into dx, positions ascending as col2im adds them,
    /// each window row one run of K·C values. A position without terms adds
    /// +0 in col2im, which changes no value of dx (it starts at +0 and a sum
    /// that starts at +0 is never −0), so it is skipped.
    static func sparseInputGradient(
        _ dz: UnsafePointer<Float>, plan: ConvolutionPlan, transposedKernel: UnsafePointer<Float>,
        row: UnsafeMutablePointer<Float>, into dx: UnsafeMutablePointer<Float>
    ) {
        let (f, patch, run) = (plan.filters, plan.patch, plan.kernel * plan.channels)
        dx.update(repeating: 0, count: plan.inputSize)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: f) { buffer in
            guard let terms = buffer.baseAddress else { return }
            for p in 0..<plan.positions {
                let gradient = dz + p * f
                let count = ProductKernels.nonzeroTerms(gradient, k: f, into: terms)
                guard count > 0 else { continue }
                ProductKernels.sparseRow(gradient, count, terms, n: patch, b: transposedKernel, ldb: patch, into: row)
                let corner = dx + ((p / plan.outWidth) * plan.inWidth + p % plan.outWidth) * plan.channels
                for ky in 0..<plan.kernel {
                    addRun(row + ky * run, into: corner + ky * plan.inWidth * plan.channels, count: run)
                }
            }
        }
    }
}

/// Keras's `padding` of a Conv2D layer.
public enum Padding: String, CaseIterable, Sendable, Equatable {
    /// No padding: `out = ⌊(in − kernel) / stride⌋ + 1`.
    case valid
    /// Zeros around the input so that `out = ⌈in / stride⌉`; TensorFlow's
    /// split: `total = max((out − 1)·stride + kernel − in, 0)`, `total / 2`
    /// before (top, left), the rest after.
    case same
}

/// Keras's `Conv2D`: `output = activation(conv2d(input, kernel) + bias)`
/// over an `[H, W, C]` input. The kernel has Keras's shape
/// `(kernelSize, kernelSize, C, filters)` (HWIO) and the bias `filters`
/// values; Glorot-uniform kernel (fans K·K·C and K·K·F), zero bias.
public struct Conv2DLayer: Layer, Equatable {
    /// Output channels (Keras `filters`), at least 1.
    public var filters: Int
    /// Height and width of the square kernel (Keras `kernel_size`), at least 1.
    public var kernelSize: Int
    /// Step between windows in both directions (Keras `strides`). Default 1.
    public var strides: Int
    /// `valid` (default) or `same`.
    public var padding: Padding
    /// Element-wise activation; not softmax. Default linear (Keras's `None`).
    public var activation: Activation

    public init(
        filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, activation: Activation = .linear
    ) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }

    public var appliedActivation: Activation? { activation }

    public static let declaration = LayerDeclaration(
        word: "conv", className: "Conv2D", baseName: "conv2d",
        arguments: [
            .word("FILTERS", .integer(1...100_000), noun: "filters"),
            .word("KxK", .squareSize(1...1024), noun: "kernel size"), ArgumentDeclaration.activation,
            .option(
                "padding", .choice(Padding.allCases.map(\.rawValue)), default: .text(Padding.valid.rawValue),
                "same: zeros around the input, so out = ⌈in / stride⌉"),
            .option("stride", .integer(1...1024), default: .integer(1), "step between windows (Keras's strides)"),
        ],
        summary: "Conv2D: FILTERS kernels of KxK over an image", readsImages: true)

    public init(_ arguments: ArgumentValues) {
        self.init(
            filters: arguments.integer("FILTERS"), kernelSize: arguments.integer("KxK"), strides: arguments.integer("stride"),
            padding: Padding(rawValue: arguments.text("padding")) ?? .valid,
            activation: Activation(rawValue: arguments.text("ACTIVATION")) ?? .linear)
    }

    public static let configKeys = ["filters", "kernel_size", "strides", "padding", "activation"]

    public init(config: JSONValue) throws(LayerConfigError) {
        guard let filters = config["filters"]?.integer, filters > 0 else {
            throw LayerConfigError("needs filters, a positive integer")
        }
        guard let paddingName = config["padding"]?.string, let padding = Padding(rawValue: paddingName) else {
            throw LayerConfigError("needs padding, \"valid\" or \"same\"")
        }
        self.init(
            filters: filters, kernelSize: try config.squarePair("kernel_size"), strides: try config.squarePair("strides"),
            padding: padding, activation: try Activation(config: config))
    }

    public var config: [JSONValue.Member] {
        [
            .init(key: "filters", value: .number(filters)),
            .init(key: "kernel_size", value: .array([.number(kernelSize), .number(kernelSize)])),
            .init(key: "strides", value: .array([.number(strides), .number(strides)])),
            .init(key: "padding", value: .string(padding.rawValue)),
            .init(key: "activation", value: .string(activation.rawValue)),
        ]
    }

    public var description: String {
        var text = "conv \(filters) \(kernelSize)x\(kernelSize) \(activation.rawValue)"
        if padding != .valid { text += " padding=\(padding.rawValue)" }
        if strides != 1 { text += " stride=\(strides)" }
        return text
    }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        guard filters > 0 else { return .failure(.init("filters must be a positive integer. Received: filters=\(filters)")) }
        guard kernelSize > 0 else {
            return .failure(.init("kernel_size must be a positive integer. Received: kernel_size=\(kernelSize)"))
        }
        guard strides > 0 else { return .failure(.init("strides must be a positive integer. Received: strides=\(strides)")) }
        guard input.count == 3 else {
            return .failure(
                .init("conv2d takes an image (height, width, channels) but receives \(Architecture.shapeText(input))"))
        }
        let s = strides
        switch padding {
        case .valid:
            guard input[0] >= kernelSize, input[1] >= kernelSize else {
                return .failure(
                    .init(
                        "the \(kernelSize)x\(kernelSize) kernel is larger than its input "
                            + "\(Architecture.shapeText(input)); use a smaller kernel or padding=same"))
            }
            return .success([(input[0] - kernelSize) / s + 1, (input[1] - kernelSize) / s + 1, filters])
        case .same:
            return .success([(input[0] + s - 1) / s, (input[1] + s - 1) / s, filters])
        }
    }

    func weights(input: [Int]) -> [WeightSpec] {
        let channels = input.count == 3 ? input[2] : 0
        let area = kernelSize &* kernelSize
        return [
            WeightSpec(
                name: "kernel", shape: [kernelSize, kernelSize, channels, filters],
                initializer: .glorotUniform(fans: area &* (channels &+ filters)), trainable: true),
            WeightSpec(name: "bias", shape: [filters], initializer: .zeros, trainable: true),
        ]
    }

    public func shapeLine(output: [Int]) -> String {
        "conv \(output.map(String.init).joined(separator: "×")) \(activation.rawValue)"
    }

    func plan(_ layer: PlacedLayer) -> ConvolutionPlan {
        let (input, output, k) = (layer.inputShape, layer.outputShape, kernelSize)
        var (padTop, padLeft) = (0, 0)
        if padding == .same {
            padTop = max((output[0] - 1) * strides + k - input[0], 0) / 2
            padLeft = max((output[1] - 1) * strides + k - input[1], 0) / 2
        }
        return ConvolutionPlan(
            inHeight: input[0], inWidth: input[1], channels: input[2], outHeight: output[0], outWidth: output[1],
            filters: filters, kernel: k, stride: strides, padTop: padTop, padLeft: padLeft, activation: activation,
            kernelOffset: layer.offset("kernel"), biasOffset: layer.offset("bias"))
    }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        ConvolutionPass(plan: plan(layer), capacity: capacity, training: training && layer.index > 0)
    }

    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int {
        let plan = plan(layer)
        return plan.readsInPlace ? 0 : plan.positions * plan.patch
    }

    func cost(_ layer: PlacedLayer) -> Int {
        let plan = plan(layer)
        return plan.positions * plan.patch * plan.filters
    }

    // The order is written at the top of this file; a patch value in the padding is +0.
    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters w: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        let plan = plan(layer)
        let patches = Self.patches(x, rows: rows, plan)
        var a = [Float](repeating: 0, count: rows * plan.outputSize)
        for n in 0..<rows {
            for p in 0..<plan.positions {
                for f in 0..<plan.filters {
                    var sum: Float = 0
                    for k in 0..<plan.patch {
                        sum = sum.addingProduct(
                            patches[(n * plan.positions + p) * plan.patch + k], w[plan.kernelOffset + k * plan.filters + f])
                    }
                    a[(n * plan.positions + p) * plan.filters + f] = ReferenceTraining.activate(
                        plan.activation, sum + w[plan.biasOffset + f])
                }
            }
        }
        return ReferenceOutput(output: a)
    }

    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters w: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        let plan = plan(layer)
        var dz = g
        for i in dz.indices { dz[i] = ReferenceTraining.activationDerivative(plan.activation, g[i], forward.output[i]) }
        let cols = Self.patches(x, rows: rows, plan)
        let (positions, patch, filters) = (plan.positions, plan.patch, plan.filters)
        for k in 0..<patch {
            for f in 0..<filters {
                var sum: Float = 0
                for np in 0..<(rows * positions) { sum = sum.addingProduct(cols[np * patch + k], dz[np * filters + f]) }
                gradients[plan.kernelOffset + k * filters + f] = sum
            }
        }
        for f in 0..<filters {
            var sum: Float = 0
            for np in 0..<(rows * positions) { sum += dz[np * filters + f] }
            gradients[plan.biasOffset + f] = sum
        }
        var dx = [Float](repeating: 0, count: rows * plan.inputSize)
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
                                dx[n * plan.inputSize + (y * plan.inWidth + xx) * plan.channels + c] += sum
                            }
                        }
                    }
                }
            }
        }
        return dx
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
}

extension LayerSpec {
    /// A Conv2D layer.
    public static func conv2D(_ layer: Conv2DLayer) -> LayerSpec { LayerSpec(layer) }
}

extension JSONValue {
    /// A config's `[k, k]` pair of equal positive integers.
    func squarePair(_ key: String) throws(LayerConfigError) -> Int {
        guard case .array(let pair)? = self[key], pair.count == 2, let a = pair[0].integer, a > 0, pair[1].integer == a
        else {
            throw LayerConfigError("needs \(key), two equal positive integers")
        }
        return a
    }
}

/// A Conv2D layer's buffers (patches or window offsets, dcols scratch, Wᵀ) and passes.
final class ConvolutionPass: LayerPass {
    let plan: ConvolutionPlan
    /// The patches of the pass's rows, for a layer that does not read its input in place.
    private let cols: UnsafeMutablePointer<Float>?
    /// Where each position's window starts, for a layer that does.
    private let offsets: UnsafeMutablePointer<Int>
    /// One example's dcols, per running task.
    private let scratch: ScratchBuffers
    private let transposedKernel: UnsafeMutablePointer<Float>
    private let tasks: [(rows: Range<Int>, columns: Range<Int>)]
    /// The max pooling above (and where it keeps its maxima's places, in
    /// training), done in this layer's forward (`fusesForwardAbove`).
    private var poolingAbove: (plan: PoolingPlan, argmax: UnsafeMutablePointer<Int32>?)?
    /// One example's output before its pooling, per running task (off the AVX-512 tiles).
    private let unpooled: ScratchBuffers

    init(plan: ConvolutionPlan, capacity: Int, training: Bool) {
        self.plan = plan
        cols = plan.readsInPlace ? nil : layerBuffer(capacity * plan.positions * plan.patch, Float(0))
        let windows = plan.readsInPlace ? plan.windowOffsets() : []
        offsets = layerBuffer(windows.count, 0)
        offsets.update(from: windows, count: windows.count)
        scratch = ScratchBuffers(count: training ? plan.positions * plan.patch : 0)
        transposedKernel = layerBuffer(training ? plan.patch * plan.filters : 0, Float(0))
        tasks = Convolution.kernelGradientTasks(plan)
        unpooled = ScratchBuffers(count: plan.outputSize)
    }

    deinit {
        cols?.deallocate()
        offsets.deallocate()
        transposedKernel.deallocate()
    }

    var hasWeights: Bool { true }

    // A layer reading its input in place may pool its output as it goes:
    // no pass writes its full output to read it back. In training only if
    // no backward reads that output: its activation derivative is taken by
    // the pooling above (relu) or is none (linear).
    func fusesForwardAbove(_ forward: FusibleForward) -> Bool {
        guard case .maxPooling(let pooling, let argmax) = forward, plan.readsInPlace,
            argmax == nil || derivativeAppliedAbove || plan.activation == .linear
        else { return false }
        poolingAbove = (pooling, argmax)
        return true
    }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        if let pooling = poolingAbove {
            Convolution.forwardPooled(
                input: io.input, rows: chunk, plan: plan, pooling: pooling.plan, parameters: io.parameters,
                offsets: offsets, scratch: unpooled, output: io.output, argmax: pooling.argmax)
        } else if let cols {
            Convolution.forward(
                input: io.input, rows: chunk, plan: plan, parameters: io.parameters, cols: cols, output: io.output)
        } else {
            Convolution.forwardInPlace(
                input: io.input, rows: chunk, plan: plan, parameters: io.parameters, offsets: offsets, output: io.output)
        }
    }

    func weightGradients(
        rows: Int, _ io: LayerIO, dz: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        done: ((Range<Int>) -> Void)?
    ) {
        let (plan, tasks, cols, input, offsets) = (plan, tasks, cols.map { UnsafePointer($0) }, io.input, UnsafePointer(offsets))
        ComputePool.shared.forEachPiece(
            of: tasks.count, piece: 1, cost: rows * plan.positions * plan.patch * plan.filters / tasks.count
        ) { range in
            for task in range {
                if let cols {
                    Convolution.kernelGradient(
                        cols: cols, rows: rows, plan: plan, outputGradient: dz, gradients: gradients,
                        kernelRows: tasks[task].rows, columns: tasks[task].columns)
                } else {
                    // The tasks of the first kernel rows cover every column once: they take the bias too.
                    Convolution.kernelGradientInPlace(
                        input: input, rows: rows, plan: plan, offsets: offsets, outputGradient: dz, gradients: gradients,
                        kernelRows: tasks[task].rows, columns: tasks[task].columns,
                        withBias: tasks[task].rows.lowerBound == 0)
                }
            }
        }
        if cols != nil {
            Dense.biasGradient(dz, rows: rows * plan.positions, outputs: plan.filters, into: gradients + plan.biasOffset)
        }
    }

    func prepareInputGradient(_ io: LayerIO) {
        MatrixProduct.transpose(
            io.parameters + plan.kernelOffset, rows: plan.filters, columns: plan.patch, into: transposedKernel)
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        scratch.withBuffer { dcols in
            for row in chunk {
                Convolution.inputGradient(
                    outputGradient: dz, row: row, plan: plan, transposedKernel: UnsafePointer(transposedKernel),
                    dcols: dcols, into: dx)
            }
        }
    }

    /// The layer above applies this layer's activation derivative (it took it over: `appliesDerivativeBelow`).
    private var derivativeAppliedAbove = false

    func skipActivationDerivative() { derivativeAppliedAbove = true }

    func activationDerivative(_ chunk: Range<Int>, _ io: LayerIO, gradient: UnsafeMutablePointer<Float>) {
        guard !derivativeAppliedAbove else { return }
        let size = plan.outputSize
        plan.activation.backward(
            gradient: gradient + chunk.lowerBound * size, output: io.output + chunk.lowerBound * size,
            count: chunk.count * size)
    }
}

// Keras files and ONNX: Keras variables `kernel` (K, K, C, F) and `bias`
// (F). ONNX `Conv` on NCHW, the kernel as (F, C, K, K), with TensorFlow's
// `same` split of the padding (the smaller half before).
extension Conv2DLayer {
    static let kerasAliases = ["Convolution2D"]

    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        try keras.channelsLast()
        if try keras.square("dilation_rate", fallback: 1) != 1 {
            throw LayerConfigError("dnb has no dilated convolutions")
        }
        if let groups = keras.config["groups"]?.integer, groups != 1 {
            throw LayerConfigError("dnb has no grouped convolutions. Received: groups=\(groups)")
        }
        let pair = { (value: Int) in JSONValue.array([.number(value), .number(value)]) }
        let members: [JSONValue.Member] = [
            .init(key: "filters", value: .number(try keras.positive("filters"))),
            .init(key: "kernel_size", value: pair(try keras.square("kernel_size"))),
            .init(key: "strides", value: pair(try keras.square("strides", fallback: 1))),
            .init(key: "padding", value: .string(try keras.padding().rawValue)),
            .init(key: "activation", value: .string(try keras.activation().rawValue)),
        ]
        return .layer(try keras.layer(Self.self, members), omitsBias: !keras.usesBias)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        let input = graph.shape
        let (k, c, f) = (kernelSize, input[2], filters)
        let hwio = weights["kernel"] ?? []
        var kernel = [Float](repeating: 0, count: k * k * c * f)
        for y in 0..<k {
            for x in 0..<k {
                for i in 0..<c {
                    for o in 0..<f { kernel[((o * c + i) * k + y) * k + x] = hwio[((y * k + x) * c + i) * f + o] }
                }
            }
        }
        var pads = [0, 0, 0, 0]
        if padding == .same {
            let totalH = max((output[0] - 1) * strides + k - input[0], 0)
            let totalW = max((output[1] - 1) * strides + k - input[1], 0)
            pads = [totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2]
        }
        graph.channelsFirstImage()
        let name = graph.unique("conv2d")
        let kernelName = graph.constant(name + ".kernel", dims: [f, c, k, k], kernel)
        let biasName = graph.constant(name + ".bias", dims: [f], weights["bias"] ?? [])
        graph.apply(
            "Conv", [kernelName, biasName],
            [
                .ints("kernel_shape", [k, k]), .ints("strides", [strides, strides]), .ints("pads", pads),
                .ints("dilations", [1, 1]), .int("group", 1),
            ], shape: output)
        graph.activation(activation)
    }
}
