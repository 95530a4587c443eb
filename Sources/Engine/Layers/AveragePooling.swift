import JSON

// AveragePooling2D and GlobalAveragePooling2D on flat NHWC buffers.
//
// Shapes (per example): x H×W×C.
//   avgpool  a OH×OW×C, OH = ⌊H/S⌋, OW = ⌊W/S⌋ (S the pool size and
//            stride, `valid`: the last H mod S rows and W mod S columns are
//            never read)
//   global   a C
// The order: a = (+0 + x[first] + x[second] + …) over the window, (py, px)
// ascending (global: positions ascending), then / Float(window size).
// Backward: dx = dz / Float(window size) on every position of the window
// (windows do not overlap), +0 where no window reads.

/// Keras's `AveragePooling2D` with its defaults: the mean of each
/// `poolSize × poolSize` window, stride `poolSize`, `valid` padding.
public struct AveragePooling2DLayer: Layer, Equatable {
    public var poolSize: Int

    public init(poolSize: Int) { self.poolSize = poolSize }

    public static let declaration = LayerDeclaration(
        word: "avgpool", className: "AveragePooling2D", baseName: "average_pooling2d",
        arguments: [.word("N", .integer(1...1024), noun: "pool size")],
        summary: "AveragePooling2D: the mean of each NxN window", readsImages: true)

    public init(_ arguments: ArgumentValues) { self.init(poolSize: arguments.integer("N")) }

    public static let configKeys = ["pool_size", "strides", "padding"]

    public init(config: JSONValue) throws(LayerConfigError) {
        self.init(poolSize: try PoolingPlan.poolSize(config: config))
    }

    public var config: [JSONValue.Member] { PoolingPlan.config(poolSize) }

    public var description: String { "avgpool \(poolSize)" }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        PoolingPlan.outputShape(poolSize, input: input, name: "average_pooling2d")
    }

    public func shapeLine(output: [Int]) -> String { "avgpool \(output.map(String.init).joined(separator: "×"))" }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        AveragePoolingPass(plan: PoolingPlan(layer, size: poolSize))
    }

    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        let plan = PoolingPlan(layer, size: poolSize)
        let (inSize, outSize, c, s) = (plan.inputSize, plan.outputSize, plan.channels, plan.size)
        let area = Float(s * s)
        var a = [Float](repeating: 0, count: rows * outSize)
        for n in 0..<rows {
            for oy in 0..<plan.outHeight {
                for ox in 0..<plan.outWidth {
                    for ch in 0..<c {
                        var sum: Float = 0
                        for py in 0..<s {
                            for px in 0..<s { sum += x[n * inSize + ((oy * s + py) * plan.inWidth + ox * s + px) * c + ch] }
                        }
                        a[n * outSize + (oy * plan.outWidth + ox) * c + ch] = sum / area
                    }
                }
            }
        }
        return ReferenceOutput(output: a)
    }

    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        let plan = PoolingPlan(layer, size: poolSize)
        let (inSize, outSize, c, s) = (plan.inputSize, plan.outputSize, plan.channels, plan.size)
        let area = Float(s * s)
        var dx = [Float](repeating: 0, count: rows * inSize)
        for n in 0..<rows {
            for oy in 0..<plan.outHeight {
                for ox in 0..<plan.outWidth {
                    for ch in 0..<c {
                        let d = g[n * outSize + (oy * plan.outWidth + ox) * c + ch] / area
                        for py in 0..<s {
                            for px in 0..<s { dx[n * inSize + ((oy * s + py) * plan.inWidth + ox * s + px) * c + ch] = d }
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// An AveragePooling2D layer's passes (no buffers of its own).
final class AveragePoolingPass: LayerPass {
    let plan: PoolingPlan

    init(plan: PoolingPlan) { self.plan = plan }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        let (inSize, outSize, c, s, w) = (plan.inputSize, plan.outputSize, plan.channels, plan.size, plan.inWidth)
        let area = Float(s * s)
        for r in chunk {
            let x = io.input + r * inSize
            let a = io.output + r * outSize
            for oy in 0..<plan.outHeight {
                for ox in 0..<plan.outWidth {
                    let out = a + (oy * plan.outWidth + ox) * c
                    for ch in 0..<c { out[ch] = 0 }
                    for py in 0..<s {
                        for px in 0..<s {
                            let from = x + ((oy * s + py) * w + ox * s + px) * c
                            for ch in 0..<c { out[ch] += from[ch] }
                        }
                    }
                    for ch in 0..<c { out[ch] /= area }
                }
            }
        }
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let (inSize, outSize, c, s, w) = (plan.inputSize, plan.outputSize, plan.channels, plan.size, plan.inWidth)
        let area = Float(s * s)
        for r in chunk {
            let g = dz + r * outSize
            let d = dx + r * inSize
            d.update(repeating: 0, count: inSize)
            for oy in 0..<plan.outHeight {
                for ox in 0..<plan.outWidth {
                    let from = g + (oy * plan.outWidth + ox) * c
                    for py in 0..<s {
                        for px in 0..<s {
                            let to = d + ((oy * s + py) * w + ox * s + px) * c
                            for ch in 0..<c { to[ch] = from[ch] / area }
                        }
                    }
                }
            }
        }
    }
}

/// Keras's `GlobalAveragePooling2D`: each channel's mean over the whole
/// image, `[H, W, C]` to `[C]`.
public struct GlobalAveragePooling2DLayer: Layer, Equatable {
    public init() {}

    public static let declaration = LayerDeclaration(
        word: "globalavgpool", className: "GlobalAveragePooling2D", baseName: "global_average_pooling2d",
        arguments: [], summary: "GlobalAveragePooling2D: each channel's mean over the image", readsImages: true)

    public init(_ arguments: ArgumentValues) {}

    public init(config: JSONValue) throws(LayerConfigError) {}

    public var description: String { "globalavgpool" }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        guard input.count == 3 else {
            return .failure(
                .init(
                    "global_average_pooling2d takes an image (height, width, channels) but receives "
                        + Architecture.shapeText(input)))
        }
        return .success([input[2]])
    }

    public func shapeLine(output: [Int]) -> String { "globalavgpool \(output[0])" }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        GlobalAveragePoolingPass(positions: layer.inputShape[0] * layer.inputShape[1], channels: layer.inputShape[2])
    }

    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        let (positions, c) = (layer.inputShape[0] * layer.inputShape[1], layer.inputShape[2])
        var a = [Float](repeating: 0, count: rows * c)
        for n in 0..<rows {
            for ch in 0..<c {
                var sum: Float = 0
                for p in 0..<positions { sum += x[(n * positions + p) * c + ch] }
                a[n * c + ch] = sum / Float(positions)
            }
        }
        return ReferenceOutput(output: a)
    }

    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        let (positions, c) = (layer.inputShape[0] * layer.inputShape[1], layer.inputShape[2])
        var dx = [Float](repeating: 0, count: rows * positions * c)
        for n in 0..<rows {
            for p in 0..<positions {
                for ch in 0..<c { dx[(n * positions + p) * c + ch] = g[n * c + ch] / Float(positions) }
            }
        }
        return dx
    }
}

/// A GlobalAveragePooling2D layer's passes (no buffers of its own).
final class GlobalAveragePoolingPass: LayerPass {
    let positions: Int
    let channels: Int

    init(positions: Int, channels: Int) {
        self.positions = positions
        self.channels = channels
    }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        let (p, c) = (positions, channels)
        for r in chunk {
            let x = io.input + r * p * c
            let a = io.output + r * c
            for ch in 0..<c { a[ch] = 0 }
            for position in 0..<p {
                for ch in 0..<c { a[ch] += x[position * c + ch] }
            }
            for ch in 0..<c { a[ch] /= Float(p) }
        }
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let (p, c) = (positions, channels)
        for r in chunk {
            let g = dz + r * c
            let d = dx + r * p * c
            for position in 0..<p {
                for ch in 0..<c { d[position * c + ch] = g[ch] / Float(p) }
            }
        }
    }
}

// Keras files and ONNX: no variables. AveragePooling2D is ONNX
// `AveragePool` on NCHW; GlobalAveragePooling2D is `GlobalAveragePool`,
// then `Flatten` of the (N, C, 1, 1) result.
extension AveragePooling2DLayer {
    static let kerasAliases = ["AvgPool2D"]

    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        .layer(LayerSpec(Self(poolSize: try keras.poolSize())), omitsBias: false)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        graph.pool("AveragePool", size: poolSize, output: output)
    }
}

extension GlobalAveragePooling2DLayer {
    static let kerasAliases = ["GlobalAvgPool2D"]

    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        try keras.channelsLast()
        if keras.config["keepdims"] == .bool(true) { throw LayerConfigError("dnb's global pooling gives a flat output") }
        return .layer(LayerSpec(Self()), omitsBias: false)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        graph.channelsFirstImage()
        graph.apply("GlobalAveragePool")
        graph.apply("Flatten", [], [.int("axis", 1)], shape: output)
        graph.leftImage()
    }
}
