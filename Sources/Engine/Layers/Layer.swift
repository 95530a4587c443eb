import JSON

// What one layer kind is, in one place: Keras's `Layer` class in this
// engine's terms. A kind is one type conforming to `Layer` (its declaration,
// shapes and checks, weights, model-file config, forward and backward in the
// fast path, and its scalar reference) plus one line in `LayerRegistry`.
// Everything else (the command language's `build` grammar, help and
// completion, the workspace, the reference path, the model file, the summary)
// reads the registry and these requirements; nothing switches over kinds.
//
// Shapes are per example (Keras's `None` batch axis left out): `[W]` for a
// flat input of W features, `[H, W, C]` for an image (channels last, NHWC in
// memory). `N` is the batch rows of a pass.

/// The kind of value a layer's word or option (in `build`), or an
/// optimizer's option (in `fit`), takes.
public enum ArgumentKind: Equatable, Sendable {
    /// A whole number in the range.
    case integer(ClosedRange<Int>)
    /// A finite number in the range (lower end excluded when `exclusiveLower`).
    case number(ClosedRange<Double>, exclusiveLower: Bool)
    /// One of the words.
    case choice([String])
    /// A square size written `KxK` (or `K`).
    case squareSize(ClosedRange<Int>)
    /// true or false.
    case boolean
}

/// A checked value of a layer's word or option, or an optimizer's option.
public enum ArgumentValue: Equatable, Sendable {
    case integer(Int)
    case number(Double)
    case text(String)
    case boolean(Bool)
}

/// One word (`UNITS`) or option (`momentum=`) a layer kind takes in `build`,
/// or an option an optimizer takes in `fit`.
public struct ArgumentDeclaration: Equatable, Sendable {
    /// `UNITS` for a positional word, `momentum` for an option.
    public var name: String
    public var kind: ArgumentKind
    /// nil: a positional word that must be given.
    public var defaultValue: ArgumentValue?
    /// A positional word's noun in errors ("units"), an option's help line.
    public var summary: String
    /// `key=value` rather than positional.
    public var isOption: Bool

    public static func word(_ name: String, _ kind: ArgumentKind, noun: String, default value: ArgumentValue? = nil)
        -> ArgumentDeclaration
    {
        ArgumentDeclaration(name: name, kind: kind, defaultValue: value, summary: noun, isOption: false)
    }

    public static func option(_ name: String, _ kind: ArgumentKind, default value: ArgumentValue, _ summary: String)
        -> ArgumentDeclaration
    {
        ArgumentDeclaration(name: name, kind: kind, defaultValue: value, summary: summary, isOption: true)
    }

    /// The optional `ACTIVATION` word of dense and conv layers (default linear).
    static let activation = word(
        "ACTIVATION", .choice(["relu", "sigmoid", "tanh", "softmax", "linear"]), noun: "activation", default: .text("linear"))
}

/// How a layer kind reads in the command language and in Keras.
public struct LayerDeclaration: Sendable {
    /// The first word of its group in `build`: `dense`, `conv`, ...
    public var word: String
    /// Keras's class name: `Dense`, `Conv2D`, ...
    public var className: String
    /// Keras's base layer name, numbered per model: `dense`, `conv2d`, ...
    public var baseName: String
    /// Positional words, then options, in the order `help` lists them.
    public var arguments: [ArgumentDeclaration]
    /// One line for `help build`.
    public var summary: String
    /// Whether a stack that starts with this layer takes each picture as an
    /// image (height×width×1) rather than flat.
    public var readsImages: Bool
    /// Whether the layer always keeps its input's shape (it normalizes, masks
    /// or activates values): it adds no width to a model's description.
    public var keepsShape: Bool = false
}

/// The values of a layer's words and options, by name (every declared one
/// present, defaults filled in), as `build` checked them.
public struct ArgumentValues: Sendable {
    public var values: [String: ArgumentValue]

    public init(_ values: [String: ArgumentValue]) { self.values = values }

    public func integer(_ name: String) -> Int {
        if case .integer(let value)? = values[name] { value } else { 0 }
    }

    public func number(_ name: String) -> Double {
        switch values[name] {
        case .number(let value)?: value
        case .integer(let value)?: Double(value)
        default: 0
        }
    }

    public func text(_ name: String) -> String {
        if case .text(let value)? = values[name] { value } else { "" }
    }

    public func boolean(_ name: String) -> Bool {
        if case .boolean(let value)? = values[name] { value } else { false }
    }
}

/// One weight tensor of a layer: Keras's name (`kernel`, `moving_mean`), its
/// shape, how it starts, and whether the optimizer trains it.
struct WeightSpec: Equatable, Sendable {
    enum Initializer: Equatable, Sendable {
        /// Uniform in [-limit, limit), `limit = √(6 / fans)` (Keras's `glorot_uniform`).
        case glorotUniform(fans: Int)
        case zeros
        case ones
    }
    var name: String
    var shape: [Int]
    var initializer: Initializer
    var trainable: Bool
    var count: Int { shape.reduce(1, *) }
}

/// Why a model-file config does not describe a layer of this kind.
public struct LayerConfigError: Error, Equatable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// One layer kind. Value types: a layer with its arguments (`dense 128 relu`).
protocol Layer: Sendable, CustomStringConvertible {
    /// The kind's name, arguments, Keras class and help.
    static var declaration: LayerDeclaration { get }
    /// From `build`'s checked words and options.
    init(_ arguments: ArgumentValues)
    /// From the model file's config fields (besides `name` and `class_name`).
    init(config: JSONValue) throws(LayerConfigError)
    /// The model file's config fields, Keras's names (`units`, `activation`).
    var config: [JSONValue.Member] { get }
    /// The model file's config keys this kind reads (others are refused).
    static var configKeys: [String] { get }
    /// Keras class names it also reads (`Convolution2D` for `Conv2D`).
    static var kerasAliases: [String] { get }
    /// Keras's variable order, when it differs from `weights`'s.
    static var kerasVariables: [String]? { get }
    /// A Keras file's layer of this kind in dnb's terms, or why dnb cannot run it.
    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading
    /// Its inference nodes (LayerTravel.swift): `weights` by Keras name, `output` its per-example shape.
    func addNodes(to graph: inout InferenceGraph, weights: [String: [Float]], output: [Int])

    /// The output shape for `input`, or why this layer does not fit it
    /// (without the "layer N: " prefix, which the architecture adds).
    func outputShape(input: [Int]) -> Result<[Int], LayerShapeError>
    /// The weight tensors for `input`, in buffer order (trainable ones in the
    /// parameter buffer, the others in the state buffer).
    func weights(input: [Int]) -> [WeightSpec]
    /// The element-wise activation the layer applies, if it has one.
    var appliedActivation: Activation? { get }
    /// The layer in `built ...` lines: `dense 128 relu`, `conv 26×26×32 relu`.
    func shapeLine(output: [Int]) -> String
    /// Whether `show activations` draws this layer's output.
    var drawsActivations: Bool { get }

    /// The fast path's buffers and passes for this layer, for up to `capacity` rows.
    func makePass(_ layer: PlacedLayer, capacity: Int, training: Bool) -> any LayerPass
    /// Floats (or same-sized values) one row of `makePass`'s own buffers costs.
    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int
    /// Multiply-adds per row of a forward (splits work between threads; no effect on bits).
    func cost(_ layer: PlacedLayer) -> Int

    /// The scalar specification of the forward for `rows` rows of `x`:
    /// the output and what the backward keeps (masks, winners, statistics).
    /// `training` carries the fit seed and step in a training forward.
    /// A layer with state (moving statistics) updates `state` in training.
    func referenceForward(
        _ layer: PlacedLayer, _ x: [Float], rows: Int, parameters: [Float], state: inout [Float],
        training: (seed: UInt64, step: Int)?
    ) -> ReferenceOutput
    /// The scalar specification of the backward: from `g` = dL/d(output),
    /// the layer's weight gradients into `gradients`, and dL/dx.
    func referenceBackward(
        _ layer: PlacedLayer, _ x: [Float], _ forward: ReferenceOutput, _ g: [Float], rows: Int, parameters: [Float],
        gradients: inout [Float]
    ) -> [Float]
}

extension Layer {
    var appliedActivation: Activation? { nil }
    var drawsActivations: Bool { true }
    var config: [JSONValue.Member] { [] }
    static var configKeys: [String] { [] }
    static var kerasAliases: [String] { [] }
    static var kerasVariables: [String]? { nil }
    /// The plain reading: the Keras config's values for the keys this kind reads.
    static func read(keras: KerasLayerConfig) throws(LayerConfigError) -> KerasLayerReading {
        .layer(try keras.layer(Self.self), omitsBias: false)
    }
    func weights(input: [Int]) -> [WeightSpec] { [] }
    func floatsPerRow(_ layer: PlacedLayer, training: Bool) -> Int { 0 }
    func cost(_ layer: PlacedLayer) -> Int { layer.outputSize }
    var description: String { Self.declaration.word }

    /// The same kind with the same arguments.
    func isEqual(to other: any Layer) -> Bool {
        guard let other = other as? Self else { return false }
        return other.config.map { JSONValue.object([$0]).serialized } == config.map { JSONValue.object([$0]).serialized }
    }
}

/// Why a layer does not fit the shape it receives, and whether it is about
/// a bad argument (echoed back) rather than the input's shape.
public struct LayerShapeError: Error, Equatable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// What a reference forward leaves for the reference backward.
struct ReferenceOutput {
    var output: [Float]
    /// Masks, winners or statistics, as the layer keeps them.
    var saved: [Float] = []
}

/// A layer in a model: its kind and arguments, its place in the stack, its
/// shapes, and where its weights live.
struct PlacedLayer: Sendable {
    var layer: any Layer
    /// 0-based position in the stack (seeds per-layer random masks).
    var index: Int
    var inputShape: [Int]
    var outputShape: [Int]
    /// Floats per example in and out.
    var inputSize: Int
    var outputSize: Int
    /// Trainable weights, in stack order, in the parameter buffer.
    var parameters: Range<Int>
    /// Non-trainable weights (moving statistics) in the state buffer.
    var state: Range<Int>
    /// The last layer: its output is the logits of the fused softmax + loss.
    var isLast: Bool
    /// Offsets of the layer's weights in their buffers, in `weights` order.
    var weightOffsets: [Int]
    var weightSpecs: [WeightSpec]
    /// Whether a first Dense layer may take its input's non-zeros only (tests turn it off).
    var sparseInput = true

    /// The offset of weight `name` (in the parameter or state buffer).
    func offset(_ name: String) -> Int {
        guard let index = weightSpecs.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("\(layer) has no weight \(name)")
        }
        return weightOffsets[index]
    }
}

/// The buffers a pass hands each layer.
struct LayerIO {
    /// The layer's input rows (N×inputSize) and output rows (N×outputSize).
    var input: UnsafePointer<Float>
    var output: UnsafeMutablePointer<Float>
    var parameters: UnsafePointer<Float>
    /// The model's state buffer (moving statistics), written in training forwards.
    var state: UnsafeMutablePointer<Float>
    /// The fit seed and 1-based step of a training forward; nil outside training.
    var training: (seed: UInt64, step: Int)?
}

/// A layer's fast path over a workspace's rows. Forward runs on chunks of
/// rows (in parallel), unless the layer asks for the whole batch; backward
/// is per kind: a weighted layer's weight gradients over the whole batch,
/// then dx per chunk of rows; a layer without weights dx per chunk.
protocol LayerPass: AnyObject {
    /// A training forward that needs every row at once (batch statistics).
    var needsWholeBatch: Bool { get }
    /// Rows `chunk` forward.
    func forward(_ chunk: Range<Int>, _ io: LayerIO)
    /// The forward over all `rows` rows, for a layer that `needsWholeBatch`.
    func forwardBatch(rows: Int, _ io: LayerIO)
    /// Whether the layer has trainable weights (and so takes a gradient step).
    var hasWeights: Bool { get }
    /// The layer's weight gradients over `rows` rows, from `dz` = dL/dz,
    /// into `gradients`. `done`, when given, takes parameter ranges whose
    /// gradients are final and that nothing later reads (the lowest
    /// weighted layer's kernel): the optimizer may update them at once.
    func weightGradients(
        rows: Int, _ io: LayerIO, dz: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        done: ((Range<Int>) -> Void)?)
    /// The parameters `weightGradients` may hand to `done`.
    var earlyParameters: Range<Int> { get }
    /// Before `inputGradient`: prepare what dx needs (Wᵀ).
    func prepareInputGradient(_ io: LayerIO)
    /// Rows `chunk` of dL/dx from dL/dz (weighted) or dL/d(output) (others).
    func inputGradient(_ chunk: Range<Int>, _ io: LayerIO, dz: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>)
    /// In place on rows `chunk`: dL/d(output) to dL/dz (a weighted layer's activation derivative).
    func activationDerivative(_ chunk: Range<Int>, _ io: LayerIO, gradient: UnsafeMutablePointer<Float>)
    /// Whether this layer's `inputGradient` can also apply the derivative of
    /// `activation`, which the layer below applied to this layer's input
    /// (relu under a pooling that keeps each window's largest value: the winners are the relu's live values).
    /// When it returns true it does so from then on, and the workspace calls
    /// the layer below's `skipActivationDerivative`: one pass fewer over
    /// the larger gradient, with the same bits.
    func appliesDerivativeBelow(_ activation: Activation) -> Bool
    /// The layer above applies this layer's activation derivative: leave it out.
    func skipActivationDerivative()
    /// What this layer's forward does, when the layer below may do it
    /// instead (an activation layer, a max pooling), or nil.
    var fusibleForward: FusibleForward? { get }
    /// Whether this layer's forwards will also do `forward`, the layer
    /// above's, to each example's output while it is in cache, writing the
    /// layer above's output (which then does nothing in its forward:
    /// `forwardFusedBelow`). The same operations on the same values: the
    /// same bits, and one pass fewer over the output.
    func fusesForwardAbove(_ forward: FusibleForward) -> Bool
    /// The layer below does this layer's forward, into the output buffer
    /// the two share.
    func forwardFusedBelow()
    /// Whether `forward` copies its input unchanged (flatten; dropout
    /// outside training): the workspace gives the layer its input's buffer
    /// as its output, and the copy becomes nothing.
    var forwardCopiesInput: Bool { get }
    /// Whether `inputGradient` may write dx over dz: each value of dx comes
    /// from the same value of dz (and this layer's own buffers), read before
    /// it is written (an element-wise backward, or dz unchanged). The
    /// workspace then gives both one buffer: no separate dx to fill.
    var inputGradientInPlace: Bool { get }
}

extension LayerPass {
    var needsWholeBatch: Bool { false }
    func forwardBatch(rows: Int, _ io: LayerIO) {
        preconditionFailure("\(Self.self) runs on chunks of rows")
    }
    var hasWeights: Bool { false }
    func weightGradients(
        rows: Int, _ io: LayerIO, dz: UnsafePointer<Float>, gradients: UnsafeMutablePointer<Float>,
        done: ((Range<Int>) -> Void)?
    ) {}
    var earlyParameters: Range<Int> { 0..<0 }
    func prepareInputGradient(_ io: LayerIO) {}
    func activationDerivative(_ chunk: Range<Int>, _ io: LayerIO, gradient: UnsafeMutablePointer<Float>) {}
    func appliesDerivativeBelow(_ activation: Activation) -> Bool { false }
    // A layer with no activation derivative has none to skip.
    func skipActivationDerivative() {}
    var fusibleForward: FusibleForward? { nil }
    func fusesForwardAbove(_ forward: FusibleForward) -> Bool { false }
    func forwardFusedBelow() {}
    var forwardCopiesInput: Bool { false }
    var inputGradientInPlace: Bool { false }
}

/// A layer's forward that the layer below may do on the way (`LayerPass.fusesForwardAbove`).
enum FusibleForward: Equatable {
    /// An element-wise activation (the output the same size as the input).
    case activation(Activation)
    /// A max pooling, with where its training passes keep each maximum's
    /// place (nil outside training).
    case maxPooling(PoolingPlan, argmax: UnsafeMutablePointer<Int32>?)
}

/// A layer's buffers: `count` values, zeroed (at least one, so the pointer is valid).
func layerBuffer<T>(_ count: Int, _ value: T) -> UnsafeMutablePointer<T> {
    let buffer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
    buffer.initialize(repeating: value, count: max(count, 1))
    return buffer
}

/// One layer of a sequential model: a kind with its arguments.
public struct LayerSpec: Equatable, Sendable, CustomStringConvertible {
    let layer: any Layer

    init(_ layer: any Layer) { self.layer = layer }

    /// The layer of kind `word` (`dense`, `conv`, ...) with `build`'s checked
    /// arguments; nil for an unknown word.
    public init?(word: String, arguments: ArgumentValues) {
        guard let kind = LayerRegistry.kind(word: word) else { return nil }
        self.init(kind.init(arguments))
    }

    /// Its kind's declaration.
    public var declaration: LayerDeclaration { type(of: layer).declaration }
    /// The layer in `built ...` lines for its output shape: `dense 128 relu`, `conv 26×26×32 relu`.
    public func shapeLine(output: [Int]) -> String { layer.shapeLine(output: output) }
    /// Whether `show activations` draws this layer's output.
    public var drawsActivations: Bool { layer.drawsActivations }
    /// The layer as its kind's type (`DenseLayer`, `Conv2DLayer`, ...), or nil for another kind.
    public func kind<Kind>(_ type: Kind.Type) -> Kind? { layer as? Kind }

    public static func == (a: LayerSpec, b: LayerSpec) -> Bool { a.layer.isEqual(to: b.layer) }

    /// Keras's class name, e.g. `Conv2D`.
    public var className: String { type(of: layer).declaration.className }
    /// Keras's base layer name, e.g. `conv2d`.
    public var baseName: String { type(of: layer).declaration.baseName }
    /// The activation of a layer that has one.
    public var activation: Activation? { layer.appliedActivation }
    public var description: String { layer.description }
}

extension Activation {
    /// The `activation` field of a model-file config.
    init(config: JSONValue) throws(LayerConfigError) {
        guard let name = config["activation"]?.string, let activation = Activation(rawValue: name) else {
            throw LayerConfigError(
                "needs an activation, one of " + Activation.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = activation
    }
}
