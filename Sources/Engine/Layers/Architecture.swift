// A sequential stack of layers on an input of a given shape, and where each
// layer's kernel and bias live in the model's one contiguous parameter
// buffer.
//
// Shapes per example: `[W]` flat, `[H, W, C]` an image (NHWC). Dense layer:
// kernel I×O row-major (input-major, Keras's `(I, O)`), then bias (O).
// Conv2D: kernel K×K×C×F (Keras's HWIO, row-major), then bias (F). Pooling,
// flatten and dropout hold no parameters. Layers sit in the buffer in
// stack order.

/// A sequential stack of layers ending in a Dense softmax layer.
///
/// Valid when the input shape is `[W]` or `[H, W, C]` with positive sizes,
/// every layer fits the shape it receives (see ``check()``), only the last
/// layer uses softmax and the last layer is a Dense softmax layer (the loss
/// is categorical cross-entropy fused with softmax), and the model has at
/// most `Architecture.maximumParameterCount` parameters.
public struct Architecture: Equatable, Sendable {
    /// Shape of one example: `[784]` for flattened MNIST, `[28, 28, 1]` for images.
    public var inputShape: [Int]
    /// The layers in order.
    public var stack: [LayerSpec]

    /// Dense layers on a flat input of `inputWidth` features.
    public init(inputWidth: Int, layers: [DenseSpec]) {
        inputShape = [inputWidth]
        stack = layers.map(LayerSpec.dense)
    }

    /// Any stack on an input of `inputShape` (`[W]` or `[H, W, C]`).
    public init(inputShape: [Int], stack: [LayerSpec]) {
        self.inputShape = inputShape
        self.stack = stack
    }

    /// The shape of 28×28 grey images, `[28, 28, 1]`.
    public static let mnistImage = [28, 28, 1]

    /// Features per example: the product of the input shape (784 for MNIST,
    /// flat or as an image; wraps instead of trapping on absurd sizes).
    public var inputWidth: Int { inputShape.reduce(1, &*) }

    /// The Dense layers of the stack, in order (every layer of a dense model).
    public var layers: [DenseSpec] {
        stack.compactMap { if case .dense(let spec) = $0 { spec } else { nil } }
    }

    /// Whether this is a stack of Dense layers only on a flat input (the
    /// engine's dense path, and the file format's original architecture).
    public var isDense: Bool {
        inputShape.count == 1 && stack.allSatisfy { if case .dense = $0 { true } else { false } }
    }

    /// All kernels and biases: 784-128-10 has 101,770, 784-15-10 has
    /// 11,935, Keras's MNIST convnet 34,826. Meaningful only for a valid
    /// architecture (wraps instead of trapping on absurd sizes).
    public var parameterCount: Int {
        var total = 0
        var shape = inputShape
        for layer in stack {
            let next = Self.outputShape(of: layer, input: shape) ?? []
            total = total &+ Self.parameters(of: layer, input: shape)
            shape = next
        }
        return total
    }

    /// Number of classes: the last layer's units (0 unless it is Dense).
    public var classes: Int {
        if case .dense(let spec)? = stack.last { spec.units } else { 0 }
    }

    /// Largest model the engine accepts: 2^28 parameters (1 GiB of Float32;
    /// training keeps up to four such buffers).
    public static let maximumParameterCount = 1 << 28

    /// Layer widths joined by dashes, e.g. `784-128-10`; an image model
    /// gives each layer's shape, e.g. `28x28x1-26x26x32-...-1600-10`.
    /// Dropout keeps its input's shape, so it adds no width.
    public var widths: String {
        var shapes = [inputShape]
        var shape = inputShape
        for layer in stack {
            shape = Self.outputShape(of: layer, input: shape) ?? []
            if case .dropout = layer { continue }
            shapes.append(shape)
        }
        return shapes.map { $0.map(String.init).joined(separator: "x") }.joined(separator: "-")
    }

    /// Keras's `model.summary()` rows: name, class, output shape, parameters
    /// per layer. Throws as ``check()`` does.
    public func summary() throws(ArchitectureError) -> [LayerSummary] {
        try check()
        var counts: [String: Int] = [:]
        var rows: [LayerSummary] = []
        var shape = inputShape
        for layer in stack {
            let base = layer.baseName
            let number = counts[base, default: 0]
            counts[base] = number + 1
            let output = Self.outputShape(of: layer, input: shape) ?? []
            rows.append(
                LayerSummary(
                    name: number == 0 ? base : "\(base)_\(number)", className: layer.className, outputShape: output,
                    parameterCount: Self.parameters(of: layer, input: shape)))
            shape = output
        }
        return rows
    }

    /// Keras's names of the layers (`conv2d`, `max_pooling2d`, `conv2d_1`, ...), numbered per kind.
    public var layerNames: [String] {
        var counts: [String: Int] = [:]
        return stack.map { layer in
            let base = layer.baseName
            let number = counts[base, default: 0]
            counts[base] = number + 1
            return number == 0 ? base : "\(base)_\(number)"
        }
    }

    /// `(None, 26, 26, 32)`: a shape with Keras's batch axis.
    public static func shapeText(_ shape: [Int]) -> String {
        "(" + (["None"] + shape.map(String.init)).joined(separator: ", ") + ")"
    }

    /// Throws `invalidArchitecture` naming the first problem found (see ``check()``).
    public func validate() throws(EngineError) {
        do {
            try check()
        } catch {
            throw .invalidArchitecture(error.reason)
        }
    }

    /// Throws ``ArchitectureError`` for the first problem found, with the
    /// 0-based index of the offending layer when one layer is to blame (so
    /// a caller can point at it): bad sizes or rates, a kernel or pool
    /// larger than its input, a Dense layer on an image (flatten first), a
    /// Conv2D or pooling layer on a flat input, softmax before the last
    /// layer, a last layer that is not Dense with softmax, or too many
    /// parameters.
    public func check() throws(ArchitectureError) {
        func fail(_ index: Int?, _ reason: String) -> ArchitectureError { ArchitectureError(layer: index, reason: reason) }
        if inputShape.count == 1 {
            guard inputWidth > 0 else {
                throw fail(nil, "the input width must be a positive integer. Received: input_width=\(inputShape[0])")
            }
        } else {
            guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }) else {
                throw fail(
                    nil,
                    "the input shape must be (width) or (height, width, channels) of positive sizes. "
                        + "Received: input_shape=\(Self.shapeText(inputShape))")
            }
        }
        guard let last = stack.last else {
            throw fail(nil, "a model needs at least one Dense layer")
        }
        var shape = inputShape
        var total = 0
        let tooLarge = fail(
            nil, "the model is too large: more than \(Architecture.maximumParameterCount) parameters. Received: \(widths)")
        for (index, layer) in stack.enumerated() {
            let where_ = "layer \(index + 1)"
            switch layer {
            case .dense(let spec):
                guard spec.units > 0 else {
                    throw fail(index, "\(where_): units must be a positive integer. Received: units=\(spec.units)")
                }
                guard shape.count == 1 else {
                    throw fail(
                        index,
                        "\(where_): dense takes a flat input but receives \(Self.shapeText(shape)); "
                            + "add flatten before it")
                }
            case .conv2D(let spec):
                guard spec.filters > 0 else {
                    throw fail(index, "\(where_): filters must be a positive integer. Received: filters=\(spec.filters)")
                }
                guard spec.kernelSize > 0 else {
                    throw fail(
                        index, "\(where_): kernel_size must be a positive integer. Received: kernel_size=\(spec.kernelSize)")
                }
                guard spec.strides > 0 else {
                    throw fail(index, "\(where_): strides must be a positive integer. Received: strides=\(spec.strides)")
                }
                guard shape.count == 3 else {
                    throw fail(
                        index,
                        "\(where_): conv2d takes an image (height, width, channels) but receives "
                            + "\(Self.shapeText(shape))")
                }
                guard spec.padding == .same || (spec.kernelSize <= shape[0] && spec.kernelSize <= shape[1]) else {
                    throw fail(
                        index,
                        "\(where_): the \(spec.kernelSize)x\(spec.kernelSize) kernel is larger than its input "
                            + "\(Self.shapeText(shape)); use a smaller kernel or padding=same")
                }
            case .maxPooling2D(let size):
                guard size > 0 else {
                    throw fail(index, "\(where_): pool_size must be a positive integer. Received: pool_size=\(size)")
                }
                guard shape.count == 3 else {
                    throw fail(
                        index,
                        "\(where_): max_pooling2d takes an image (height, width, channels) but receives "
                            + "\(Self.shapeText(shape))")
                }
                guard size <= shape[0], size <= shape[1] else {
                    throw fail(
                        index,
                        "\(where_): a \(size)x\(size) pool leaves nothing of its input \(Self.shapeText(shape))")
                }
            case .flatten:
                break
            case .dropout(let rate):
                guard rate >= 0, rate < 1 else {
                    throw fail(index, "\(where_): the dropout rate must be in [0, 1). Received: rate=\(rate)")
                }
            }
            if let activation = layer.activation, activation == .softmax, index < stack.count - 1 {
                throw fail(
                    index,
                    "layer \(index + 1) of \(stack.count): softmax is only allowed on the last layer "
                        + "(it is fused with the cross-entropy loss); use relu, sigmoid, tanh or linear "
                        + "for hidden layers")
            }
            let parameters = Self.parameters(of: layer, input: shape, reportingOverflow: true)
            guard let parameters else { throw tooLarge }
            let (sum, overflow) = total.addingReportingOverflow(parameters)
            guard !overflow, sum <= Architecture.maximumParameterCount else { throw tooLarge }
            total = sum
            guard let next = Self.outputShape(of: layer, input: shape), next.allSatisfy({ $0 > 0 }) else {
                throw fail(index, "\(where_): leaves nothing of its input \(Self.shapeText(shape))")
            }
            guard
                next.reduce(1, { $0 <= Architecture.maximumParameterCount ? $0 * $1 : $0 })
                    <= Architecture.maximumParameterCount
            else { throw tooLarge }
            shape = next
        }
        guard case .dense(let spec) = last, spec.activation == .softmax else {
            let activation = last.activation.map { "activation=\($0.rawValue)" } ?? "a \(last.baseName) layer"
            throw fail(
                stack.count - 1,
                "the last layer must use softmax activation, because the loss is categorical "
                    + "cross-entropy on class probabilities. Received: \(activation) on layer \(stack.count)")
        }
    }

    /// The shape `layer` gives for `input`, or nil when it does not fit.
    static func outputShape(of layer: LayerSpec, input: [Int]) -> [Int]? {
        switch layer {
        case .dense(let spec):
            return [spec.units]
        case .conv2D(let spec):
            guard input.count == 3, spec.strides > 0, spec.kernelSize > 0 else { return nil }
            let s = spec.strides
            switch spec.padding {
            case .valid:
                guard input[0] >= spec.kernelSize, input[1] >= spec.kernelSize else { return nil }
                return [(input[0] - spec.kernelSize) / s + 1, (input[1] - spec.kernelSize) / s + 1, spec.filters]
            case .same:
                return [(input[0] + s - 1) / s, (input[1] + s - 1) / s, spec.filters]
            }
        case .maxPooling2D(let size):
            guard input.count == 3, size > 0 else { return nil }
            return [input[0] / size, input[1] / size, input[2]]
        case .flatten:
            return [input.reduce(1, &*)]
        case .dropout:
            return input
        }
    }

    /// Kernel plus bias of `layer` on `input` (wrapping on absurd sizes).
    static func parameters(of layer: LayerSpec, input: [Int]) -> Int {
        switch layer {
        case .dense(let spec): return input.reduce(1, &*) &* spec.units &+ spec.units
        case .conv2D(let spec):
            let channels = input.count == 3 ? input[2] : 0
            return spec.kernelSize &* spec.kernelSize &* channels &* spec.filters &+ spec.filters
        case .maxPooling2D, .flatten, .dropout: return 0
        }
    }

    /// `parameters(of:input:)`, or nil when it overflows.
    private static func parameters(of layer: LayerSpec, input: [Int], reportingOverflow: Bool) -> Int? {
        var factors: [Int]
        let bias: Int
        switch layer {
        case .dense(let spec):
            factors = input + [spec.units]
            bias = spec.units
        case .conv2D(let spec):
            factors = [spec.kernelSize, spec.kernelSize, input.count == 3 ? input[2] : 0, spec.filters]
            bias = spec.filters
        case .maxPooling2D, .flatten, .dropout:
            return 0
        }
        var product = 1
        for factor in factors {
            let (next, overflow) = product.multipliedReportingOverflow(by: factor)
            guard !overflow else { return nil }
            product = next
        }
        let (sum, overflow) = product.addingReportingOverflow(bias)
        return overflow ? nil : sum
    }

    /// Offsets and sizes of every Dense layer inside the parameter buffer,
    /// for a valid dense architecture (the dense path).
    var plan: [LayerPlan] {
        network.compactMap { if case .dense(let plan) = $0.kind { plan } else { nil } }
    }

    /// Every layer with its shapes and place in the parameter buffer. Call
    /// on a validated architecture.
    var network: [NetworkLayer] {
        var result: [NetworkLayer] = []
        var offset = 0
        var shape = inputShape
        for layer in stack {
            let output = Self.outputShape(of: layer, input: shape) ?? []
            let inputSize = shape.reduce(1, *)
            let outputSize = output.reduce(1, *)
            let kind: NetworkLayer.Kind
            switch layer {
            case .dense(let spec):
                kind = .dense(
                    LayerPlan(
                        inputs: inputSize, outputs: spec.units, activation: spec.activation, kernelOffset: offset,
                        biasOffset: offset + inputSize * spec.units))
            case .conv2D(let spec):
                let k = spec.kernelSize
                let (padTop, padLeft): (Int, Int)
                if spec.padding == .same {
                    padTop = max((output[0] - 1) * spec.strides + k - shape[0], 0) / 2
                    padLeft = max((output[1] - 1) * spec.strides + k - shape[1], 0) / 2
                } else {
                    (padTop, padLeft) = (0, 0)
                }
                kind = .conv(
                    ConvolutionPlan(
                        inHeight: shape[0], inWidth: shape[1], channels: shape[2], outHeight: output[0],
                        outWidth: output[1], filters: spec.filters, kernel: k, stride: spec.strides, padTop: padTop,
                        padLeft: padLeft, activation: spec.activation, kernelOffset: offset,
                        biasOffset: offset + k * k * shape[2] * spec.filters))
            case .maxPooling2D(let size):
                kind = .maxPool(
                    PoolingPlan(
                        inHeight: shape[0], inWidth: shape[1], channels: shape[2], outHeight: output[0],
                        outWidth: output[1], size: size))
            case .flatten:
                kind = .flatten
            case .dropout(let rate):
                kind = .dropout(rate: rate)
            }
            let count = Self.parameters(of: layer, input: shape)
            result.append(
                NetworkLayer(kind: kind, inputSize: inputSize, outputSize: outputSize, parameters: offset..<(offset + count)))
            offset += count
            shape = output
        }
        return result
    }
}

/// Why an architecture is refused: the message, and the 0-based index of
/// the layer it is about (nil when it is about the whole model or its input).
public struct ArchitectureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Index into `Architecture.stack` of the offending layer, if one is to blame.
    public var layer: Int?
    /// What is wrong, e.g. `layer 3: dense takes a flat input but receives (None, 13, 13, 32); add flatten before it`.
    public var reason: String

    public init(layer: Int?, reason: String) {
        self.layer = layer
        self.reason = reason
    }

    /// `invalid architecture: ...`, as `EngineError.invalidArchitecture` renders.
    public var description: String { EngineError.invalidArchitecture(reason).description }
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

/// One layer of any kind with its sizes per example and its parameters.
struct NetworkLayer: Equatable, Sendable {
    enum Kind: Equatable, Sendable {
        case dense(LayerPlan)
        case conv(ConvolutionPlan)
        case maxPool(PoolingPlan)
        case flatten
        case dropout(rate: Double)
    }

    var kind: Kind
    /// Floats per example in and out.
    var inputSize: Int
    var outputSize: Int
    /// Kernel then bias in the parameter buffer (empty without weights).
    var parameters: Range<Int>

    /// The kernel and bias ranges (empty, at the layer's offset, without weights).
    var kernelAndBias: (kernel: Range<Int>, bias: Range<Int>) {
        switch kind {
        case .dense(let plan): (plan.kernelRange, plan.biasRange)
        case .conv(let plan): (plan.kernelRange, plan.biasRange)
        default: (parameters, parameters)
        }
    }
}
