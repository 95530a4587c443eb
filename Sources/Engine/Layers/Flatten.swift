import JSON

/// Keras's `Flatten`: `[H, W, C]` to `[H·W·C]` in NHWC order (as Keras), so
/// a Dense kernel after it has Keras's row order. The identity on the values.
public struct FlattenLayer: Layer, Equatable {
    public init() {}

    public static let declaration = LayerDeclaration(
        word: "flatten", className: "Flatten", baseName: "flatten", arguments: [],
        summary: "Flatten: an image to one row", readsImages: true)

    public init(_ arguments: ArgumentValues) {}

    public var description: String { "flatten" }

    public init(config: JSONValue) throws(LayerConfigError) {}

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> { .success([input.reduce(1, &*)]) }

    public func shapeLine(output: [Int]) -> String { "flatten \(output.map(String.init).joined(separator: "×"))" }

    public var drawsActivations: Bool { false }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass { CopyPass(size: layer.inputSize) }

    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput { ReferenceOutput(output: x) }

    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters: [Float],
        gradients: inout [Float]
    ) -> [Float] { g }
}

extension LayerSpec {
    /// A Flatten layer.
    public static let flatten = LayerSpec(FlattenLayer())
}

/// The identity both ways, `size` values a row (flatten, and layers that pass values through outside training).
final class CopyPass: LayerPass {
    let size: Int
    init(size: Int) { self.size = size }

    // The workspace gives both directions one buffer; the copies are for a caller that does not.
    var forwardCopiesInput: Bool { true }
    var inputGradientInPlace: Bool { true }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        guard UnsafePointer(io.output) != io.input else { return }
        (io.output + chunk.lowerBound * size).update(from: io.input + chunk.lowerBound * size, count: chunk.count * size)
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        guard UnsafePointer(dx) != dz else { return }
        (dx + chunk.lowerBound * size).update(from: dz + chunk.lowerBound * size, count: chunk.count * size)
    }
}

// Keras files and ONNX: back to NHWC first (a Flatten of the NCHW tensor
// would pass `onnx.checker` and feed the next Dense the wrong order), then `Flatten`.
extension FlattenLayer {
    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        try keras.channelsLast()
        return .layer(LayerSpec(Self()), omitsBias: false)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        graph.channelsLastImage()
        graph.apply("Flatten", [], [.int("axis", 1)], shape: output)
    }
}
