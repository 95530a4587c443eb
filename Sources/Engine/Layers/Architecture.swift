// A sequential stack of layers on an input of a given shape, and where each
// layer's kernel and bias live in the model's one contiguous parameter
// buffer.
//
// Shapes per example: `[W]` flat, `[H, W, C]` an image (NHWC). Each layer's
// trainable weights sit in the parameter buffer, and its non-trainable ones
// (moving statistics) in the state buffer, in stack order and in the order
// its kind lists them (see `Layer.weights`).

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
    public init(inputWidth: Int, layers: [DenseLayer]) {
        inputShape = [inputWidth]
        stack = layers.map { LayerSpec($0) }
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
    public var layers: [DenseLayer] { stack.compactMap { $0.layer as? DenseLayer } }

    /// Whether this is a stack of Dense layers only on a flat input (the
    /// model file's original form, and the `784 → 128 relu → 10 softmax` line).
    public var isDense: Bool {
        inputShape.count == 1 && stack.allSatisfy { $0.layer is DenseLayer }
    }

    /// Trainable weights: 784-128-10 has 101,770, 784-15-10 has 11,935,
    /// Keras's MNIST convnet 34,826. Meaningful only for a valid
    /// architecture (wraps instead of trapping on absurd sizes).
    public var parameterCount: Int { weightCounts.trainable }

    /// Non-trainable weights (batch normalization's moving statistics).
    public var stateCount: Int { weightCounts.state }

    /// Every weight, trainable or not: Keras's "Total params".
    public var totalWeightCount: Int { parameterCount &+ stateCount }

    private var weightCounts: (trainable: Int, state: Int) {
        var (trainable, state) = (0, 0)
        var shape = inputShape
        for spec in stack {
            for weight in spec.layer.weights(input: shape) {
                let count = weight.shape.reduce(1, &*)
                if weight.trainable { trainable = trainable &+ count } else { state = state &+ count }
            }
            shape = (try? spec.layer.outputShape(input: shape).get()) ?? []
        }
        return (trainable, state)
    }

    /// Number of classes: the last layer's output width.
    public var classes: Int {
        var shape = inputShape
        for spec in stack { shape = (try? spec.layer.outputShape(input: shape).get()) ?? [0] }
        return shape.count == 1 ? shape[0] : 0
    }

    /// Largest model the engine accepts: 2^28 parameters (1 GiB of Float32;
    /// training keeps up to four such buffers).
    public static let maximumParameterCount = 1 << 28

    /// Layer widths joined by dashes, e.g. `784-128-10`; an image model
    /// gives each layer's shape, e.g. `28x28x1-26x26x32-...-1600-10`.
    /// A layer whose kind keeps its input's shape adds no width.
    public var widths: String {
        var shapes = [inputShape]
        var shape = inputShape
        for spec in stack {
            let next = (try? spec.layer.outputShape(input: shape).get()) ?? []
            defer { shape = next }
            if type(of: spec.layer).declaration.keepsShape { continue }
            shapes.append(next)
        }
        return shapes.map { $0.map(String.init).joined(separator: "x") }.joined(separator: "-")
    }

    /// Keras's `model.summary()` rows: name, class, output shape, parameters
    /// per layer. Throws as ``check()`` does.
    public func summary() throws(ArchitectureError) -> [LayerSummary] {
        try check()
        return zip(placed, layerNames).map { layer, name in
            LayerSummary(
                name: name, className: type(of: layer.layer).declaration.className, outputShape: layer.outputShape,
                parameterCount: layer.weightSpecs.reduce(0) { $0 + $1.count },
                nonTrainableCount: layer.weightSpecs.filter { !$0.trainable }.reduce(0) { $0 + $1.count })
        }
    }

    /// Keras's names of the layers (`conv2d`, `conv2d_1`, `dense`, ...), numbered per kind.
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
    /// a caller can point at it): a layer that does not fit the shape it
    /// receives (its kind says why), softmax before the last layer, a last
    /// layer that is not Dense with softmax, or too many parameters.
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
        for (index, spec) in stack.enumerated() {
            let next: [Int]
            switch spec.layer.outputShape(input: shape) {
            case .success(let output): next = output
            case .failure(let error): throw fail(index, "layer \(index + 1): \(error.reason)")
            }
            if let activation = spec.activation, activation == .softmax, index < stack.count - 1 {
                throw fail(
                    index,
                    "layer \(index + 1) of \(stack.count): softmax is only allowed on the last layer "
                        + "(it is fused with the cross-entropy loss); use relu, sigmoid, tanh or linear "
                        + "for hidden layers")
            }
            for weight in spec.layer.weights(input: shape) {
                guard let count = Self.product(weight.shape) else { throw tooLarge }
                let (sum, overflow) = total.addingReportingOverflow(count)
                guard !overflow, sum <= Architecture.maximumParameterCount else { throw tooLarge }
                total = sum
            }
            guard next.allSatisfy({ $0 > 0 }) else {
                throw fail(index, "layer \(index + 1): leaves nothing of its input \(Self.shapeText(shape))")
            }
            guard let size = Self.product(next), size <= Architecture.maximumParameterCount else { throw tooLarge }
            shape = next
        }
        guard last.layer is DenseLayer, last.activation == .softmax else {
            let activation = last.activation.map { "activation=\($0.rawValue)" } ?? "a \(last.baseName) layer"
            throw fail(
                stack.count - 1,
                "the last layer must use softmax activation, because the loss is categorical "
                    + "cross-entropy on class probabilities. Received: \(activation) on layer \(stack.count)")
        }
    }

    /// The product of `sizes`, or nil when it overflows.
    static func product(_ sizes: [Int]) -> Int? {
        var product = 1
        for size in sizes {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            product = next
        }
        return product
    }

    /// Every layer with its shapes and its weights' places in the parameter
    /// and state buffers. Call on a validated architecture.
    var placed: [PlacedLayer] {
        var result: [PlacedLayer] = []
        var (parameterOffset, stateOffset) = (0, 0)
        var shape = inputShape
        for (index, spec) in stack.enumerated() {
            let output = (try? spec.layer.outputShape(input: shape).get()) ?? []
            let weights = spec.layer.weights(input: shape)
            let parameterStart = parameterOffset
            let stateStart = stateOffset
            var offsets: [Int] = []
            for weight in weights {
                if weight.trainable {
                    offsets.append(parameterOffset)
                    parameterOffset += weight.count
                } else {
                    offsets.append(stateOffset)
                    stateOffset += weight.count
                }
            }
            result.append(
                PlacedLayer(
                    layer: spec.layer, index: index, inputShape: shape, outputShape: output,
                    inputSize: shape.reduce(1, *), outputSize: output.reduce(1, *),
                    parameters: parameterStart..<parameterOffset, state: stateStart..<stateOffset,
                    isLast: index == stack.count - 1, weightOffsets: offsets, weightSpecs: weights))
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
