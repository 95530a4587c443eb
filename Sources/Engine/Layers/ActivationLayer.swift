import JSON

// Keras's `Activation` layer: a = f(x) element-wise, so that
// `conv 32 3x3, batchnorm, activation relu` can be written.
//
// Shapes: any; x and a have the same shape (N×D).
// The order: a = f(x) with the functions of `Activation` (relu max(x, 0),
// sigmoid and tanh from `ElementaryFunctions`); dx = g · f'(a), written in
// terms of the output as `Activation.backward` is.

/// Keras's `Activation`: `output = activation(input)`, no weights.
public struct ActivationLayer: Layer, Equatable {
    public var activation: Activation

    public init(_ activation: Activation) { self.activation = activation }

    public var appliedActivation: Activation? { activation }

    public static let declaration = LayerDeclaration(
        word: "activation", className: "Activation", baseName: "activation",
        arguments: [.word("ACTIVATION", .choice(["relu", "sigmoid", "tanh", "linear"]), noun: "activation")],
        summary: "Activation: ACTIVATION of each value", readsImages: false, keepsShape: true)

    public init(_ arguments: ArgumentValues) { self.init(Activation(rawValue: arguments.text("ACTIVATION")) ?? .linear) }

    public static let configKeys = ["activation"]

    public init(config: JSONValue) throws(LayerConfigError) { self.init(try Activation(config: config)) }

    public var config: [JSONValue.Member] { [.init(key: "activation", value: .string(activation.rawValue))] }

    public var description: String { "activation \(activation.rawValue)" }

    public func outputShape(input: [Int]) -> Result<[Int], LayerShapeError> {
        guard activation != .softmax else {
            return .failure(
                .init("softmax belongs to the last dense layer (it is fused with the loss); use dense 10 softmax"))
        }
        return .success(input)
    }

    public func shapeLine(output: [Int]) -> String { description }

    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass {
        ActivationPass(activation: activation, size: layer.outputSize)
    }

    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput {
        ReferenceOutput(output: x.map { ReferenceTraining.activate(activation, $0) })
    }

    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters: [Float],
        gradients: inout [Float]
    ) -> [Float] {
        zip(g, forward.output).map { ReferenceTraining.activationDerivative(activation, $0, $1) }
    }
}

/// An Activation layer's passes (no buffers of its own).
final class ActivationPass: LayerPass {
    let activation: Activation
    let size: Int
    /// The layer above applies this derivative (it took it over: `appliesDerivativeBelow`).
    private var derivativeAppliedAbove = false
    /// The layer below applies this activation in its forward, into the
    /// output it shares with this layer (`fusesForwardAbove`).
    private var appliedBelow = false

    init(activation: Activation, size: Int) {
        self.activation = activation
        self.size = size
    }

    func skipActivationDerivative() { derivativeAppliedAbove = true }
    var fusibleForward: FusibleForward? { .activation(activation) }
    func forwardFusedBelow() { appliedBelow = true }
    // relu's backward is an explicit vector loop, linear's a copy left out on
    // one buffer; the others' loops would fall back to scalar code on one buffer.
    var inputGradientInPlace: Bool { derivativeAppliedAbove || activation == .relu || activation == .linear }

    func forward(_ chunk: Range<Int>, _ io: LayerIO) {
        guard !appliedBelow else { return }
        let offset = chunk.lowerBound * size
        activation.apply(io.input + offset, into: io.output + offset, count: chunk.count * size)
    }

    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>) {
        let offset = chunk.lowerBound * size
        if derivativeAppliedAbove {
            // The workspace gives dz and dx one buffer (`inputGradientInPlace`).
            if UnsafePointer(dx) != dz { (dx + offset).update(from: dz + offset, count: chunk.count * size) }
        } else {
            activation.backward(dz + offset, output: io.output + offset, count: chunk.count * size, into: dx + offset)
        }
    }
}

// Keras files and ONNX: Activation, ReLU and Softmax read as this layer,
// but softmax joins the Dense before it (dnb fuses it with the loss). ONNX:
// the activation's node.
extension ActivationLayer {
    static let kerasAliases = ["ReLU", "Softmax"]

    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        let activation: Activation
        switch keras.className {
        case "ReLU":
            let plain =
                (keras.config["max_value"] ?? .null) == .null && (keras.config["negative_slope"]?.double ?? 0) == 0
                && (keras.config["threshold"]?.double ?? 0) == 0
            guard plain else { throw LayerConfigError("dnb's relu has no max_value, negative_slope or threshold") }
            activation = .relu
        case "Softmax":
            activation = .softmax
        default:
            activation = try keras.activation()
        }
        guard activation != .softmax else { return .activation(.softmax) }
        return .layer(LayerSpec(Self(activation)), omitsBias: false)
    }

    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        graph.activation(activation)
    }
}
