// A sequential stack of Dense layers, and where each layer's kernel and bias
// live in the model's one contiguous parameter buffer.
//
// Shapes: `I` layer inputs, `O` layer outputs. Layer l's kernel is I×O
// row-major (input-major, Keras's `(I, O)`), followed by its bias (O).

/// A sequential stack of Dense layers on a flat input of `inputWidth` features.
///
/// Valid when `inputWidth > 0`, there is at least one layer, every layer has
/// `units > 0`, only the last layer uses softmax and the last layer does (the
/// loss is categorical cross-entropy fused with softmax), and the model has
/// at most `Architecture.maximumParameterCount` parameters.
public struct Architecture: Equatable, Sendable {
    /// Features per example (784 for flattened MNIST).
    public var inputWidth: Int
    /// Dense layers in order; the last one's `units` is the number of classes.
    public var layers: [DenseSpec]

    public init(inputWidth: Int, layers: [DenseSpec]) {
        self.inputWidth = inputWidth
        self.layers = layers
    }

    /// Kernel (I×O) plus bias (O) of every layer: 784-128-10 has 101,770,
    /// 784-15-10 has 11,935. Meaningful only for a valid architecture
    /// (wraps instead of trapping on absurd sizes).
    public var parameterCount: Int {
        var total = 0
        var inputs = inputWidth
        for layer in layers {
            total = total &+ inputs &* layer.units &+ layer.units
            inputs = layer.units
        }
        return total
    }

    /// Number of classes: the last layer's units (0 without layers).
    public var classes: Int { layers.last?.units ?? 0 }

    /// Largest model the engine accepts: 2^28 parameters (1 GiB of Float32;
    /// training keeps up to four such buffers).
    public static let maximumParameterCount = 1 << 28

    /// Layer widths joined by dashes, e.g. `784-128-10`.
    public var widths: String {
        ([inputWidth] + layers.map(\.units)).map(String.init).joined(separator: "-")
    }

    /// Throws `invalidArchitecture` naming the first problem found.
    public func validate() throws(EngineError) {
        guard inputWidth > 0 else {
            throw .invalidArchitecture(
                "the input width must be a positive integer. Received: input_width=\(inputWidth)")
        }
        guard let last = layers.last else {
            throw .invalidArchitecture("a model needs at least one Dense layer")
        }
        for (index, layer) in layers.enumerated() where layer.units <= 0 {
            throw .invalidArchitecture(
                "layer \(index + 1): units must be a positive integer. Received: units=\(layer.units)")
        }
        for (index, layer) in layers.dropLast().enumerated() where layer.activation == .softmax {
            throw .invalidArchitecture(
                "layer \(index + 1) of \(layers.count): softmax is only allowed on the last layer "
                    + "(it is fused with the cross-entropy loss); use relu, sigmoid, tanh or linear "
                    + "for hidden layers")
        }
        guard last.activation == .softmax else {
            throw .invalidArchitecture(
                "the last layer must use softmax activation, because the loss is categorical "
                    + "cross-entropy on class probabilities. Received: activation=\(last.activation.rawValue) "
                    + "on layer \(layers.count)")
        }
        var total = 0
        var inputs = inputWidth
        for layer in layers {
            let (kernel, o1) = inputs.multipliedReportingOverflow(by: layer.units)
            let (withBias, o2) = kernel.addingReportingOverflow(layer.units)
            let (sum, o3) = total.addingReportingOverflow(withBias)
            guard !o1, !o2, !o3, sum <= Architecture.maximumParameterCount else {
                throw .invalidArchitecture(
                    "the model is too large: more than \(Architecture.maximumParameterCount) parameters. "
                        + "Received: \(widths)")
            }
            total = sum
            inputs = layer.units
        }
    }

    /// Offsets and sizes of every layer inside the parameter buffer.
    /// Call on a validated architecture.
    var plan: [LayerPlan] {
        var result: [LayerPlan] = []
        var offset = 0
        var inputs = inputWidth
        for layer in layers {
            let kernel = offset
            let bias = kernel + inputs * layer.units
            result.append(
                LayerPlan(
                    inputs: inputs, outputs: layer.units, activation: layer.activation,
                    kernelOffset: kernel, biasOffset: bias))
            offset = bias + layer.units
            inputs = layer.units
        }
        return result
    }
}

/// One Dense layer located in the parameter buffer: kernel I×O at
/// `kernelOffset`, bias O at `biasOffset`.
struct LayerPlan: Equatable, Sendable {
    var inputs: Int
    var outputs: Int
    var activation: Activation
    var kernelOffset: Int
    var biasOffset: Int

    var kernelRange: Range<Int> { kernelOffset..<(kernelOffset + inputs * outputs) }
    var biasRange: Range<Int> { biasOffset..<(biasOffset + outputs) }
}
