import JSON

// MaxPooling2D forward and backward on flat NHWC buffers.
//
// Shapes (per example): x H×W×C, a OH×OW×C with OH = ⌊H/S⌋, OW = ⌊W/S⌋
// (S the pool size and stride; `valid`: the last H mod S rows and W mod S
// columns are never read).
//
// The defined order: a[oy,ox,c] is the first maximum of the window, read
// (py, px) ascending, compared with `>` (so a NaN wins only in first place);
// `argmax` keeps its flat input index. Backward: dx = +0 everywhere, then
// dx[argmax[j]] = dz[j] (windows do not overlap, so no sums); the fast path
// writes each value once, and may fold in the relu derivative below it.

/// A MaxPooling2D layer's geometry.
struct PoolingPlan: Equatable, Sendable {
    var inHeight: Int, inWidth: Int, channels: Int
    var outHeight: Int, outWidth: Int
    /// Pool size and stride.
    var size: Int

    var inputSize: Int { inHeight * inWidth * channels }
    var outputSize: Int { outHeight * outWidth * channels }
}

enum MaxPooling {
    /// One example: `a` (OH×OW×C) and the input index of each maximum.
    /// Eight channels at a time where it can (the same comparisons per
    /// channel, in the same order, as the scalar loop).
    static func forward(
        _ x: UnsafePointer<Float>, _ plan: PoolingPlan, output a: UnsafeMutablePointer<Float>,
        argmax: UnsafeMutablePointer<Int32>
    ) {
        forward(x, plan, output: a, argmax: argmax, keepsIndices: true)
    }

    /// One example's `a` alone (inference: no backward will ask where the maxima were).
    static func forward(_ x: UnsafePointer<Float>, _ plan: PoolingPlan, output a: UnsafeMutablePointer<Float>) {
        // Never written: `keepsIndices` is false.
        var unused: Int32 = 0
        forward(x, plan, output: a, argmax: &unused, keepsIndices: false)
    }

    @inline(__always)
    private static func forward(
        _ x: UnsafePointer<Float>, _ plan: PoolingPlan, output a: UnsafeMutablePointer<Float>,
        argmax: UnsafeMutablePointer<Int32>, keepsIndices: Bool
    ) {
        let (c, s, w) = (plan.channels, plan.size, plan.inWidth)
        let vectorChannels = c - c % 8
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        // Where each window value after the first lies from the window's
        // corner, (py, px) ascending: one short loop instead of two with a test.
        let others = s * s - 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(others, 1)) { buffer in
            guard let offsets = buffer.baseAddress else { return }
            for k in 0..<others { offsets[k] = (((k + 1) / s) * w + (k + 1) % s) * c }
            for oy in 0..<plan.outHeight {
                for ox in 0..<plan.outWidth {
                    let out = (oy * plan.outWidth + ox) * c
                    let first = (oy * s * w + ox * s) * c
                    var ch = 0
                    // Two vectors of channels at a time: two independent chains of comparisons.
                    while vectorChannels - ch >= 16 {
                        var best0 = UnsafeRawPointer(x + first + ch).loadUnaligned(as: SIMD8<Float>.self)
                        var best1 = UnsafeRawPointer(x + first + ch + 8).loadUnaligned(as: SIMD8<Float>.self)
                        var index0 = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: first &+ ch)) &+ lanes
                        var index1 = index0 &+ 8
                        for k in 0..<others {
                            let at = first &+ offsets[k] &+ ch
                            let v0 = UnsafeRawPointer(x + at).loadUnaligned(as: SIMD8<Float>.self)
                            let v1 = UnsafeRawPointer(x + at + 8).loadUnaligned(as: SIMD8<Float>.self)
                            let larger0 = v0 .> best0
                            let larger1 = v1 .> best1
                            best0.replace(with: v0, where: larger0)
                            best1.replace(with: v1, where: larger1)
                            if keepsIndices {
                                let here = SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: at)) &+ lanes
                                index0.replace(with: here, where: larger0)
                                index1.replace(with: here &+ 8, where: larger1)
                            }
                        }
                        UnsafeMutableRawPointer(a + out + ch).storeBytes(of: best0, as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(a + out + ch + 8).storeBytes(of: best1, as: SIMD8<Float>.self)
                        if keepsIndices {
                            UnsafeMutableRawPointer(argmax + out + ch).storeBytes(of: index0, as: SIMD8<Int32>.self)
                            UnsafeMutableRawPointer(argmax + out + ch + 8).storeBytes(of: index1, as: SIMD8<Int32>.self)
                        }
                        ch += 16
                    }
                    while ch < vectorChannels {
                        var best = UnsafeRawPointer(x + first + ch).loadUnaligned(as: SIMD8<Float>.self)
                        var index = SIMD8<Int32>(repeating: Int32(first + ch)) &+ lanes
                        for k in 0..<others {
                            let at = first + offsets[k] + ch
                            let v = UnsafeRawPointer(x + at).loadUnaligned(as: SIMD8<Float>.self)
                            let larger = v .> best
                            best.replace(with: v, where: larger)
                            if keepsIndices {
                                index.replace(with: SIMD8<Int32>(repeating: Int32(at)) &+ lanes, where: larger)
                            }
                        }
                        UnsafeMutableRawPointer(a + out + ch).storeBytes(of: best, as: SIMD8<Float>.self)
                        if keepsIndices {
                            UnsafeMutableRawPointer(argmax + out + ch).storeBytes(of: index, as: SIMD8<Int32>.self)
                        }
                        ch += 8
                    }
                    for ch in vectorChannels..<c {
                        a[out + ch] = x[first + ch]
                        if keepsIndices { argmax[out + ch] = Int32(truncatingIfNeeded: first + ch) }
                    }
                    guard vectorChannels < c else { continue }
                    for k in 0..<others {
                        let index = first + offsets[k]
                        for ch in vectorChannels..<c where x[index + ch] > a[out + ch] {
                            a[out + ch] = x[index + ch]
                            if keepsIndices { argmax[out + ch] = Int32(truncatingIfNeeded: index + ch) }
                        }
                    }
                }
            }
        }
    }

    /// One example: `dx` (H×W×C) from `dz` (OH×OW×C) and the forward's
    /// `argmax`, each value of dx written once: a window's winner gets dz,
    /// the rest +0 (no separate clearing pass). With `maxima` (the forward's
    /// `a`), the relu derivative of the layer below is applied as well: a
    /// winner is a live relu output exactly when its maximum is above 0, and
    /// +0 is what the relu's own backward would leave.
    static func backward(
        _ dz: UnsafePointer<Float>, _ plan: PoolingPlan, argmax: UnsafePointer<Int32>, maxima: UnsafePointer<Float>?,
        into dx: UnsafeMutablePointer<Float>
    ) {
        let (c, s, w) = (plan.channels, plan.size, plan.inWidth)
        // What no window reads (`valid` leaves the last H mod S rows and W mod S columns).
        let (coveredRows, coveredColumns) = (plan.outHeight * s, plan.outWidth * s)
        if coveredColumns < w {
            for y in 0..<coveredRows { (dx + (y * w + coveredColumns) * c).update(repeating: 0, count: (w - coveredColumns) * c) }
        }
        (dx + coveredRows * w * c).update(repeating: 0, count: (plan.inHeight - coveredRows) * w * c)
        let vectorChannels = c - c % 8
        let lanes = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7)
        let zero = SIMD8<Float>(repeating: 0)
        for oy in 0..<plan.outHeight {
            for ox in 0..<plan.outWidth {
                let out = (oy * plan.outWidth + ox) * c
                let topLeft = (oy * s * w + ox * s) * c
                var ch = 0
                while ch < vectorChannels {
                    // Each lane's gradient (+0 where the relu below was dead), and
                    // where its winner sits relative to the window's first place.
                    var g = UnsafeRawPointer(dz + out + ch).loadUnaligned(as: SIMD8<Float>.self)
                    if let maxima {
                        g = zero.replacing(
                            with: g, where: UnsafeRawPointer(maxima + out + ch).loadUnaligned(as: SIMD8<Float>.self) .> zero)
                    }
                    let winner =
                        UnsafeRawPointer(argmax + out + ch).loadUnaligned(as: SIMD8<Int32>.self)
                        &- (SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: topLeft + ch)) &+ lanes)
                    for py in 0..<s {
                        for px in 0..<s {
                            let place = (py * w + px) * c
                            UnsafeMutableRawPointer(dx + topLeft + place + ch).storeBytes(
                                of: zero.replacing(
                                    with: g, where: winner .== SIMD8<Int32>(repeating: Int32(truncatingIfNeeded: place))),
                                as: SIMD8<Float>.self)
                        }
                    }
                    ch += 8
                }
                for ch in vectorChannels..<c {
                    let g = (maxima.map { $0[out + ch] > 0 } ?? true) ? dz[out + ch] : 0
                    for py in 0..<s {
                        for px in 0..<s {
                            let at = topLeft + (py * w + px) * c + ch
                            dx[at] = Int(argmax[out + ch]) == at ? g : 0
                        }
                    }
                }
            }
        }
    }
}

/// Keras's `MaxPooling2D` with its defaults: the maximum of each
/// `poolSize × poolSize` window, stride `poolSize`, `valid` padding:
/// `out = ⌊in / poolSize⌋`.
public struct MaxPooling2DLayer: Layer, Equatable {
    public var poolSize: Int

    public init(poolSize: Int) { self.poolSize = poolSize }

    public static let declaration = LayerDeclaration(
        word: "maxpool", className: "MaxPooling2D", baseName: "max_pooling2d",
        arguments: [.word("N", .integer(1...1024), noun: "pool size")],
        summary: "MaxPooling2D: the largest of each NxN window", readsImages: true)

    public init(_ arguments: ArgumentValues) { self.init(poolSize: arguments.integer("N")) }

    public static let configKeys = ["pool_size", "strides", "padding"]

    public init(config: JSONValue) throws(LayerConfigError) {
        self.init(poolSize: try PoolingPlan.poolSize(config: config))
    }

    public var config: [JSONValue.Member] { PoolingPlan.config(poolSize) }

    public var description: String { "maxpool \(poolSize)" }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        PoolingPlan.outputShape(poolSize, input: input, name: "max_pooling2d")
    }

    public func shapeLine(output: [Int]) -> String { "maxpool \(output.map(String.init).joined(separator: "×"))" }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        MaxPoolingPass(plan: PoolingPlan(layer, size: poolSize), capacity: training ? capacity : 0)
    }

    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int { training ? layer.outputSize : 0 }

    // a = the first maximum of the window, (py, px) ascending, by `>`; the
    // winners' input indices are kept for the backward.
    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        let plan = PoolingPlan(layer, size: poolSize)
        let (inSize, outSize, c) = (plan.inputSize, plan.outputSize, plan.channels)
        var a = [Float](repeating: 0, count: rows * outSize)
        var argmax = [Float](repeating: 0, count: rows * outSize)
        for n in 0..<rows {
            for oy in 0..<plan.outHeight {
                for ox in 0..<plan.outWidth {
                    for ch in 0..<c {
                        var best = -1
                        for py in 0..<plan.size {
                            for px in 0..<plan.size {
                                let i = ((oy * plan.size + py) * plan.inWidth + ox * plan.size + px) * c + ch
                                if best < 0 || x[n * inSize + i] > x[n * inSize + best] { best = i }
                            }
                        }
                        let o = n * outSize + (oy * plan.outWidth + ox) * c + ch
                        a[o] = x[n * inSize + best]
                        argmax[o] = Float(best)
                    }
                }
            }
        }
        return ReferenceOutput(output: a, saved: argmax)
    }

    // dx = +0, dx[argmax] = dz.
    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        let (inSize, outSize) = (layer.inputSize, layer.outputSize)
        var dx = [Float](repeating: 0, count: rows * inSize)
        for n in 0..<rows {
            for j in 0..<outSize { dx[n * inSize + Int(forward.saved[n * outSize + j])] = g[n * outSize + j] }
        }
        return dx
    }
}

extension LayerSpec {
    /// A MaxPooling2D layer.
    public static func maxPooling2D(poolSize: Int) -> LayerSpec { LayerSpec(MaxPooling2DLayer(poolSize: poolSize)) }
}

extension PoolingPlan {
    init(_ layer: PlacedLayer, size: Int) {
        self.init(
            inHeight: layer.inputShape[0], inWidth: layer.inputShape[1], channels: layer.inputShape[2],
            outHeight: layer.outputShape[0], outWidth: layer.outputShape[1], size: size)
    }

    /// `[⌊H/S⌋, ⌊W/S⌋, C]` for a pool of size S, or why it does not fit.
    static func outputShape(_ size: Int, input: [Int], name: String) -> Result<[Int], LayerShapeError> {
        guard size > 0 else { return .failure(.init("pool_size must be a positive integer. Received: pool_size=\(size)")) }
        guard input.count == 3 else {
            return .failure(
                .init("\(name) takes an image (height, width, channels) but receives \(Architecture.shapeText(input))"))
        }
        guard size <= input[0], size <= input[1] else {
            return .failure(.init("a \(size)x\(size) pool leaves nothing of its input \(Architecture.shapeText(input))"))
        }
        return .success([input[0] / size, input[1] / size, input[2]])
    }

    /// A pooling layer's config: Keras's `pool_size`, `strides` (the same) and `padding` (valid).
    static func config(_ size: Int) -> [JSONValue.Member] {
        [
            .init(key: "pool_size", value: .array([.number(size), .number(size)])),
            .init(key: "strides", value: .array([.number(size), .number(size)])),
            .init(key: "padding", value: .string("valid")),
        ]
    }

    static func poolSize(config: JSONValue) throws(LayerConfigError) -> Int {
        let size = try config.squarePair("pool_size")
        guard try config.squarePair("strides") == size, config["padding"]?.string == "valid" else {
            throw LayerConfigError("dnb pools with strides equal to pool_size and padding \"valid\" only")
        }
        return size
    }
}

/// A MaxPooling2D layer's winners and passes.
final class MaxPoolingPass: LayerPass {
    let plan: PoolingPlan
    /// Where each maximum was, for the backward (training passes only).
    private let argmax: UnsafeMutablePointer<Int32>?

    /// `capacity` rows of maxima's places; 0 for a pass that never trains.
    init(plan: PoolingPlan, capacity: Int) {
        self.plan = plan
        argmax = capacity > 0 ? layerBuffer(capacity * plan.outputSize, Int32(0)) : nil
    }

    /// Whether `inputGradient` applies the relu derivative of the layer below too.
    private(set) var appliesReluBelow = false

    deinit { argmax?.deallocate() }

    func appliesDerivativeBelow(_ activation: Activation) -> Bool {
        guard argmax != nil, activation == .relu else { return false }
        appliesReluBelow = true
        return true
    }

    /// The layer below may pool its own output (`fusesForwardAbove`), keeping the maxima's places here in training.
    var fusibleForward: FusibleForward? { .maxPooling(plan, argmax: argmax) }
    private var fusedBelow = false
    func forwardFusedBelow() { fusedBelow = true }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        guard !fusedBelow else { return }
        let (inSize, outSize) = (plan.inputSize, plan.outputSize)
        for r in chunk {
            if let argmax {
                MaxPooling.forward(
                    io.input + r * inSize, plan, output: io.output + r * outSize, argmax: argmax + r * outSize)
            } else {
                MaxPooling.forward(io.input + r * inSize, plan, output: io.output + r * outSize)
            }
        }
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        guard let argmax else { preconditionFailure("max pooling's backward needs a training pass") }
        let (inSize, outSize) = (plan.inputSize, plan.outputSize)
        for r in chunk {
            MaxPooling.backward(
                dz + r * outSize, plan, argmax: argmax + r * outSize,
                maxima: appliesReluBelow ? UnsafePointer(io.output + r * outSize) : nil, into: dx + r * inSize)
        }
    }
}

// Keras files and ONNX: no variables; ONNX `MaxPool` on NCHW.
extension MaxPooling2DLayer {
    static let kerasAliases = ["MaxPool2D"]

    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        .layer(LayerSpec(Self(poolSize: try keras.poolSize())), omitsBias: false)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        graph.pool("MaxPool", size: poolSize, output: output)
    }
}
