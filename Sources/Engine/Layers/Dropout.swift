import JSON

// Dropout in training: inverted dropout, as Keras does it.
//
// Shapes: `N` batch rows of `D` values.
//
// Mask of batch row r at training step t (the optimizer's iteration, 1-based)
// in layer l: a `SeededGenerator` seeded with a SplitMix64 hash of (fit seed,
// t, l, r) draws one `nextUnit()` u per value in order; the value is kept
// when u ≥ rate. The mask holds `scale = Float(1 / (1 − rate))` (computed in
// Double) for kept values and +0 for dropped ones:
//   a  = x · mask          dx = dz · mask
// So the mask depends on the seed, step, layer and row only: not on the
// thread count or on how rows are split, and a resumed fit (whose step
// counter continues) draws what an uninterrupted one would.

enum Dropout {
    /// The generator of batch row `row` at step `step` of dropout layer `layer`.
    static func generator(seed: UInt64, step: Int, layer: Int, row: Int) -> SeededGenerator {
        var hash = SplitMix64(state: seed ^ 0x6A09_E667_F3BC_C909)
        for value in [UInt64(truncatingIfNeeded: step), UInt64(truncatingIfNeeded: layer), UInt64(truncatingIfNeeded: row)] {
            hash = SplitMix64(state: hash.next() ^ value)
        }
        return SeededGenerator(seed: hash.next())
    }

    /// `Float(1 / (1 − rate))`.
    static func scale(_ rate: Double) -> Float { Float(1 / (1 - rate)) }

    /// Writes the masks of rows `rows` (each `count` values; `x`, `mask` and
    /// `a` point at row 0) and applies them: `a = x · mask`. Eight rows'
    /// generators step side by side, so no draw waits on the one before.
    static func forward(
        _ x: UnsafePointer<Float>, count: Int, rate: Double, seed: UInt64, step: Int, layer: Int, rows: Range<Int>,
        mask: UnsafeMutablePointer<Float>, output a: UnsafeMutablePointer<Float>
    ) {
        let keep = SIMD8<UInt64>(repeating: UInt64(scale(rate).bitPattern))
        let threshold = SIMD8<UInt64>(repeating: UInt64((rate * 0x1p53).rounded(.up)))
        var first = rows.lowerBound
        while first < rows.upperBound {
            let lanes = min(8, rows.upperBound - first)
            var generators = SeededGenerators8(
                (first..<first + lanes).map { generator(seed: seed, step: step, layer: layer, row: $0) })
            let masks = mask + first * count
            for i in 0..<count {
                // nextUnit() ≥ rate without the conversion: u = n·2⁻⁵³ with n < 2⁵³ an
                // integer, and rate·2⁵³ is exact, so u ≥ rate exactly when n ≥ ⌈rate·2⁵³⌉.
                let bits = SIMD8<UInt64>(repeating: 0).replacing(with: keep, where: generators.next() &>> 11 .>= threshold)
                for lane in 0..<lanes { masks[lane * count + i] = Float(bitPattern: UInt32(truncatingIfNeeded: bits[lane])) }
            }
            first += lanes
        }
        let values = (rows.upperBound - rows.lowerBound) * count
        let (x, masks, a) = (x + rows.lowerBound * count, mask + rows.lowerBound * count, a + rows.lowerBound * count)
        let whole = values - values % 8
        for i in stride(from: 0, to: whole, by: 8) {
            let product =
                UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                * UnsafeRawPointer(masks + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(a + i).storeBytes(of: product, as: SIMD8<Float>.self)
        }
        for i in whole..<values { a[i] = x[i] * masks[i] }
    }

    /// `dx = dz · mask` over `count` values.
    static func backward(
        _ dz: UnsafePointer<Float>, mask: UnsafePointer<Float>, count: Int, into dx: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count { dx[i] = dz[i] * mask[i] }
    }
}

/// Keras's `Dropout`: in training, each value is zeroed with probability
/// `rate` and the rest scaled by `1 / (1 − rate)` (inverted dropout, as
/// Keras); the identity outside training. `rate` in [0, 1).
public struct DropoutLayer: Layer, Equatable {
    public var rate: Double

    public init(rate: Double) { self.rate = rate }

    public static let declaration = LayerDeclaration(
        word: "dropout", className: "Dropout", baseName: "dropout",
        arguments: [.word("RATE", .number(0...1, exclusiveLower: false), noun: "rate")],
        summary: "Dropout: in training, zeroes values with probability RATE < 1", readsImages: false, keepsShape: true)

    public init(_ arguments: ArgumentValues) { self.init(rate: arguments.number("RATE")) }

    public static let configKeys = ["rate"]

    public init(config: JSONValue) throws(LayerConfigError) {
        guard let rate = config["rate"]?.double, rate >= 0, rate < 1 else {
            throw LayerConfigError("needs rate, a number in [0, 1)")
        }
        self.init(rate: rate)
    }

    public var config: [JSONValue.Member] { [.init(key: "rate", value: .number(rate))] }

    public var description: String { "dropout \(rate)" }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        guard rate >= 0, rate < 1 else {
            return .failure(.init("the dropout rate must be in [0, 1). Received: rate=\(rate)"))
        }
        return .success(input)
    }

    public func shapeLine(output: [Int]) -> String { description }

    public var drawsActivations: Bool { false }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        // Outside training the identity: no masks.
        guard training else { return CopyPass(size: layer.inputSize) }
        return DropoutPass(rate: rate, layer: layer.index, size: layer.inputSize, capacity: capacity)
    }

    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int { training ? layer.outputSize : 0 }

    // a = x · mask, mask from `Dropout.generator` (training steps only).
    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        guard let training else { return ReferenceOutput(output: x) }
        let size = layer.outputSize
        var a = [Float](repeating: 0, count: rows * size)
        var mask = [Float](repeating: 0, count: rows * size)
        let scale = Dropout.scale(rate)
        for n in 0..<rows {
            var generator = Dropout.generator(seed: training.seed, step: training.step, layer: layer.index, row: n)
            for i in 0..<size {
                mask[n * size + i] = generator.nextUnit() >= rate ? scale : 0
                a[n * size + i] = x[n * size + i] * mask[n * size + i]
            }
        }
        return ReferenceOutput(output: a, saved: mask)
    }

    // dx = dz · mask.
    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        guard !forward.saved.isEmpty else { return g }
        return zip(g, forward.saved).map { $0 * $1 }
    }
}

extension LayerSpec {
    /// A Dropout layer.
    public static func dropout(rate: Double) -> LayerSpec { LayerSpec(DropoutLayer(rate: rate)) }
}

/// A Dropout layer's masks (training) and passes.
final class DropoutPass: LayerPass {
    let rate: Double
    let layer: Int
    let size: Int
    /// capacity × size (training only).
    private let mask: UnsafeMutablePointer<Float>?
    /// Whether the last forward applied masks (a training step).
    private var dropped = false

    init(rate: Double, layer: Int, size: Int, capacity: Int) {
        self.rate = rate
        self.layer = layer
        self.size = size
        mask = capacity > 0 ? layerBuffer(capacity * size, Float(0)) : nil
    }

    deinit { mask?.deallocate() }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        dropped = io.training != nil
        guard let training = io.training, let mask else {
            (io.output + chunk.lowerBound * size).update(from: io.input + chunk.lowerBound * size, count: chunk.count * size)
            return
        }
        Dropout.forward(
            io.input, count: size, rate: rate, seed: training.seed, step: training.step, layer: layer, rows: chunk,
            mask: mask, output: io.output)
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let offset = chunk.lowerBound * size
        if dropped, let mask {
            Dropout.backward(dz + offset, mask: mask + offset, count: chunk.count * size, into: dx + offset)
        } else {
            (dx + offset).update(from: dz + offset, count: chunk.count * size)
        }
    }
}

// Keras files and ONNX: no variables; the identity outside training, so no ONNX node.
extension DropoutLayer {
    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        if let shape = keras.config["noise_shape"], shape != .null {
            throw LayerConfigError("dnb drops single values only. Received: noise_shape=\(shape.serialized)")
        }
        return .layer(try keras.layer(Self.self), omitsBias: false)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {}
}
