// What a layer kind needs to leave dnb and come back, which each kind
// declares in its own unit beside everything else about it:
//   - reading a Keras file's layer config (any Keras 2 or 3 writer: looser
//     than dnb's own model file, which writes only what dnb runs) into dnb's;
//   - the order of Keras's variables where it differs from dnb's weights;
//   - its inference nodes in ONNX operators, added to an `InferenceGraph`.
// The shapes of those answers live here; ModelFormats turns them into files
// (Keras archives, HDF5, ONNX protobuf) and knows no layer kind.

import JSON

/// One layer of a Keras file's config, as a kind's `read(keras:)` sees it.
public struct KerasLayerConfig: Sendable {
    /// Keras's class name as written (`Convolution2D` for `Conv2D`, say).
    public var className: String
    /// The layer's `config` object.
    public var config: JSONValue

    public init(className: String, config: JSONValue) {
        self.className = className
        self.config = config
    }

    /// A positive integer option.
    func positive(_ key: String) throws(LayerConfigError) -> Int {
        guard let value = config[key]?.integer, value > 0 else {
            throw LayerConfigError(
                "needs \(key), a positive integer. Received: \(key)=\(config[key]?.serialized ?? "nothing")")
        }
        return value
    }

    /// A square window or step: `3` or `[3, 3]`; `fallback` when absent or null.
    func square(_ key: String, fallback: Int? = nil) throws(LayerConfigError) -> Int {
        let value = config[key]
        if value == nil || value == .null, let fallback { return fallback }
        if let single = value?.integer, single > 0 { return single }
        if case .array(let pair)? = value, pair.count == 2, let a = pair[0].integer, a > 0, pair[1].integer == a {
            return a
        }
        throw LayerConfigError(
            "dnb takes square \(key) only (two equal positive integers). Received: \(key)=\(value?.serialized ?? "nothing")")
    }

    /// `padding`: valid (default) or same.
    func padding() throws(LayerConfigError) -> Padding {
        let name = config["padding"]?.string ?? "valid"
        guard let padding = Padding(rawValue: name.lowercased()) else {
            throw LayerConfigError("padding must be \"valid\" or \"same\". Received: padding=\(name)")
        }
        return padding
    }

    /// Refuses channels-first images (dnb and Keras's default are channels-last).
    func channelsLast() throws(LayerConfigError) {
        if let format = config["data_format"]?.string, format != "channels_last" {
            throw LayerConfigError("dnb keeps images channels-last. Received: data_format=\(format)")
        }
    }

    /// `activation`: a name dnb has (Keras's `None` is linear).
    func activation(_ key: String = "activation") throws(LayerConfigError) -> Activation {
        let value = config[key]
        if value == nil || value == .null { return .linear }
        // Keras 3 may wrap a built-in activation: {"class_name": "function", "config": "relu"}.
        let name = value?.string ?? value?["config"]?.string ?? value?["class_name"]?.string ?? ""
        guard let activation = Activation(rawValue: name.lowercased()) else {
            throw LayerConfigError(
                "dnb has activations " + Activation.allCases.map(\.rawValue).joined(separator: ", ")
                    + ". Received: \(key)=\(value?.serialized ?? "nothing")")
        }
        return activation
    }

    /// `use_bias` (default true).
    var usesBias: Bool { config["use_bias"] != .bool(false) }

    /// A square `pool_size` with `strides` equal to it (Keras's `None`) and
    /// `valid` padding, as dnb's pooling layers take it.
    func poolSize() throws(LayerConfigError) -> Int {
        try channelsLast()
        let size = try square("pool_size", fallback: 2)
        guard try square("strides", fallback: size) == size, try padding() == .valid else {
            throw LayerConfigError("dnb pools with strides equal to pool_size and padding \"valid\" only")
        }
        return size
    }

    /// A layer of kind `kind` from this config's values for the keys the kind reads.
    func layer(_ kind: any Layer.Type) throws(LayerConfigError) -> LayerSpec {
        var members: [JSONValue.Member] = []
        for key in kind.configKeys { if let value = config[key] { members.append(.init(key: key, value: value)) } }
        return try layer(kind, members)
    }

    /// A layer of kind `kind` from config fields in dnb's terms (read off this config), checked as a model file's.
    func layer(_ kind: any Layer.Type, _ members: [JSONValue.Member]) throws(LayerConfigError) -> LayerSpec {
        LayerSpec(try kind.init(config: .object(members)))
    }
}

/// What one Keras layer becomes in dnb.
public enum KerasLayerReading: Sendable {
    /// A dnb layer; `omitsBias` when Keras has no bias variable (`use_bias=False`), read as zeros.
    case layer(LayerSpec, omitsBias: Bool)
    /// An activation that joins the layer before it (softmax, which dnb fuses into the last Dense).
    case activation(Activation)
}

/// One attribute of an ONNX node.
public enum ONNXAttribute: Sendable, Equatable {
    case int(String, Int)
    case ints(String, [Int])
    case float(String, Float)
}

/// An inference graph in ONNX operators under construction: nodes, float32
/// initializers, and the current tensor (its name, its per-example shape in
/// Keras's NHWC terms, and whether it is held NCHW at the moment). dnb keeps
/// images channels-last as Keras does; ONNX's Conv and pooling work on NCHW,
/// so a kind asks for `channelsFirstImage()` before them and
/// `channelsLastImage()` before Flatten or Gemm.
public struct InferenceGraph: Sendable {
    public struct Node: Sendable {
        public var op: String
        public var inputs: [String]
        public var output: String
        public var attributes: [ONNXAttribute]
    }
    public struct Initializer: Sendable {
        public var name: String
        public var dims: [Int]
        public var values: [Float]
    }

    public private(set) var nodes: [Node] = []
    public private(set) var initializers: [Initializer] = []
    private var counter = 0
    public let inputName = "pixels"
    public let inputShape: [Int]
    /// The tensor the next node reads.
    public private(set) var current: String
    /// Its per-example shape as Keras sees it (NHWC for images).
    public private(set) var shape: [Int]
    /// True while an image tensor is held as NCHW.
    public private(set) var channelsFirst = false

    public init(inputShape: [Int]) {
        self.inputShape = inputShape
        current = inputName
        shape = inputShape
    }

    /// A fresh name: `relu_1`, `conv2d_3`, ...
    public mutating func unique(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_\(counter)"
    }

    /// A float32 initializer; returns its name.
    public mutating func constant(_ name: String, dims: [Int], _ values: [Float]) -> String {
        precondition(dims.reduce(1, *) == values.count, "\(name): \(values.count) values for \(dims)")
        initializers.append(Initializer(name: name, dims: dims, values: values))
        return name
    }

    /// Appends `op` reading `current` (then `extra` inputs); its output becomes current with `shape`.
    public mutating func apply(
        _ op: String, _ extra: [String] = [], _ attributes: [ONNXAttribute] = [], shape newShape: [Int]? = nil
    ) {
        let output = unique(op.lowercased())
        nodes.append(Node(op: op, inputs: [current] + extra, output: output, attributes: attributes))
        current = output
        if let newShape { shape = newShape }
    }

    /// Makes the current image tensor NCHW (before Conv, pooling).
    public mutating func channelsFirstImage() {
        guard !channelsFirst else { return }
        apply("Transpose", [], [.ints("perm", [0, 3, 1, 2])])
        channelsFirst = true
    }

    /// Makes the current image tensor NHWC again (before Flatten, Gemm, the output).
    public mutating func channelsLastImage() {
        guard channelsFirst else { return }
        apply("Transpose", [], [.ints("perm", [0, 2, 3, 1])])
        channelsFirst = false
    }

    /// A pooling node (`op`, the ONNX operator) over `size`×`size` windows, stride `size`, on NCHW.
    mutating func pool(_ op: String, size: Int, output: [Int]) {
        channelsFirstImage()
        apply(op, [], [.ints("kernel_shape", [size, size]), .ints("strides", [size, size])], shape: output)
    }

    /// The current tensor is flat again (after a global pooling).
    mutating func leftImage() { channelsFirst = false }

    /// The element-wise activation node, none for linear.
    mutating func activation(_ activation: Activation) {
        switch activation {
        case .linear: break
        case .relu: apply("Relu")
        case .sigmoid: apply("Sigmoid")
        case .tanh: apply("Tanh")
        case .softmax:
            channelsLastImage()
            apply("Softmax", [], [.int("axis", -1)])
        }
    }
}

extension LayerSpec {
    /// The layer of Keras class `className` from config fields in Keras's
    /// names (as the model file reads them); nil when dnb has no such kind.
    public init?(className: String, config: JSONValue) throws(LayerConfigError) {
        guard let kind = LayerRegistry.kind(className: className) else { return nil }
        self.init(try kind.init(config: config))
    }

    /// The config keys the kind of Keras class `className` reads; nil when dnb has no such kind.
    public static func configKeys(className: String) -> [String]? {
        LayerRegistry.kind(className: className)?.configKeys
    }

    /// The layer's config fields, Keras's names and values (`units`, `activation`).
    public var configMembers: [JSONValue.Member] { layer.config }

    /// The layer's weights on `input`, in buffer order: Keras's variable name
    /// (`kernel`, `moving_mean`), shape, and whether it is trainable (in the
    /// parameter buffer) or not (in the state buffer).
    public func weightShapes(input: [Int]) -> [(name: String, shape: [Int], trainable: Bool)] {
        layer.weights(input: input).map { ($0.name, $0.shape, $0.trainable) }
    }

    /// Every Keras class name a kind reads (its own first, then aliases), in registry order.
    public static var kerasClassNames: [String] {
        LayerRegistry.kinds.flatMap { [$0.declaration.className] + $0.kerasAliases }
    }

    /// The dnb layer for a Keras file's layer of class `className`; nil when
    /// no kind reads that class, `LayerConfigError` when its config asks for
    /// what dnb does not do.
    public static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading? {
        guard
            let kind = LayerRegistry.kinds.first(where: {
                $0.declaration.className == keras.className || $0.kerasAliases.contains(keras.className)
            })
        else { return nil }
        return try kind.read(keras: keras)
    }

    /// Keras's variable order for this layer, when it differs from `weightShapes`'s.
    public var kerasVariables: [String]? { type(of: layer).kerasVariables }

    /// Adds this layer's inference nodes: `weights` by Keras name, `output`
    /// its per-example output shape.
    public func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int]) {
        layer.addNodes(to: &graph, weights: weights, output: output)
    }
}
