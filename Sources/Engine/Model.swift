// A sequential stack of layers: its trainable weights in one contiguous
// buffer, its non-trainable ones (moving statistics) in another, and
// inference (predict, evaluate). Training is in Training/Model+Training.swift.
//
// Shapes: `N` rows, `I` = architecture.inputWidth, `O` = classes.
// Parameter buffer, layer by layer, each layer's trainable weights in the
// order its kind lists them (Dense: kernel I×O row-major, Keras's `(I, O)`,
// then bias O); state buffer likewise for the non-trainable ones.

/// A sequential stack of layers ending in softmax, trained with
/// categorical cross-entropy.
///
/// Not thread-safe: use one model from one thread at a time (a session
/// owns its model; nothing shares one between threads).
public final class Model {
    public let architecture: Architecture
    /// Every trainable weight in one contiguous buffer, layer by layer.
    public internal(set) var parameters: [Float] = []
    /// Every non-trainable weight (batch normalization's moving mean and
    /// variance) in one buffer, layer by layer; empty for most models.
    public internal(set) var state: [Float] = []
    /// The optimizer's slots and counters after the last `fit`; nil before.
    public var optimizerState: OptimizerState?
    /// Every layer with its shapes and places in `parameters` and `state`.
    let layers: [PlacedLayer]

    /// Rows per pass in `predict` and, by default, `evaluate`: a training batch's worth (more rows add memory, not speed).
    static let inferenceBatch = 128

    /// Glorot-uniform kernels and zero biases from `seed`: every kernel value
    /// is uniform in [-limit, limit), `limit = √(6 / (fan_in + fan_out))`
    /// (Keras's `glorot_uniform`: I and O for Dense, K·K·C and K·K·F for
    /// Conv2D), drawn in buffer order from `SeededGenerator(seed:)`.
    /// Throws `invalidArchitecture` for an invalid architecture.
    /// Other weights start as their kind says: zeros (biases, beta, moving
    /// mean) or ones (gamma, moving variance).
    public init(architecture: Architecture, seed: UInt64) throws(EngineError) {
        try architecture.validate()
        self.architecture = architecture
        layers = architecture.placed
        var values = [Float](repeating: 0, count: architecture.parameterCount)
        var state = [Float](repeating: 0, count: architecture.stateCount)
        var generator = SeededGenerator(seed: seed)
        for layer in layers {
            for (weight, offset) in zip(layer.weightSpecs, layer.weightOffsets) {
                let range = offset..<(offset + weight.count)
                switch weight.initializer {
                case .glorotUniform(let fans):
                    let limit = (6 / Double(fans)).squareRoot()
                    for i in range {
                        values[i] = Float((2 * generator.nextUnit() - 1) * limit)
                    }
                case .zeros:
                    break
                case .ones:
                    if weight.trainable {
                        for i in range { values[i] = 1 }
                    } else {
                        for i in range { state[i] = 1 }
                    }
                }
            }
        }
        parameters = values
        self.state = state
    }

    /// A model with the given parameters (e.g. read from a file). Throws
    /// `invalidArchitecture` for an invalid architecture and `shapeMismatch`
    /// unless `parameters.count == architecture.parameterCount`.
    /// `state` holds the non-trainable weights (empty when there are none).
    /// Throws `invalidArchitecture` for an invalid architecture and
    /// `shapeMismatch` unless the counts fit the architecture.
    public init(architecture: Architecture, parameters: [Float], state: [Float] = []) throws(EngineError) {
        try architecture.validate()
        guard parameters.count == architecture.parameterCount else {
            throw .shapeMismatch(
                "architecture \(architecture.widths) has \(architecture.parameterCount) parameters, "
                    + "got \(parameters.count)")
        }
        guard state.count == architecture.stateCount else {
            throw .shapeMismatch(
                "architecture \(architecture.widths) has \(architecture.stateCount) non-trainable weights, "
                    + "got \(state.count)")
        }
        self.architecture = architecture
        layers = architecture.placed
        self.parameters = parameters
        self.state = state
    }

    /// An independent copy: parameters, state and optimizer state.
    public func copy() -> Model {
        // The architecture is valid and the counts fit: this cannot fail.
        guard let copy = try? Model(architecture: architecture, parameters: parameters, state: state) else {
            preconditionFailure("a model's own weights fit its architecture")
        }
        copy.optimizerState = optimizerState
        return copy
    }

    /// Where layer `layer`'s weight `name` (`kernel`, `bias`, `gamma`, ...)
    /// lives: in `parameters` when trainable, else in `state`; nil when the
    /// layer has no such weight. `layer` indexes `architecture.stack`.
    public func weightRange(layer: Int, _ name: String) -> (range: Range<Int>, trainable: Bool)? {
        guard layers.indices.contains(layer),
            let index = layers[layer].weightSpecs.firstIndex(where: { $0.name == name })
        else { return nil }
        let spec = layers[layer].weightSpecs[index]
        let offset = layers[layer].weightOffsets[index]
        return (offset..<(offset + spec.count), spec.trainable)
    }

    /// Offsets of layer `i`'s kernel and bias inside `parameters` (empty
    /// ranges for a layer without them). `layer` indexes
    /// `architecture.stack`: `0..<architecture.stack.count`.
    public func parameterRanges(layer: Int) -> (kernel: Range<Int>, bias: Range<Int>) {
        precondition(layers.indices.contains(layer), "layer \(layer) out of range 0..<\(layers.count)")
        let start = layers[layer].parameters.lowerBound
        return (
            weightRange(layer: layer, "kernel")?.range ?? start..<start, weightRange(layer: layer, "bias")?.range ?? start..<start
        )
    }

    /// The passes of this model for up to `capacity` rows.
    func makePass(capacity: Int, training: Bool, pixels: Bool = false) -> Workspace {
        Workspace(layers: layers, capacity: capacity, training: training, pixels: pixels)
    }

    /// Floats one row of a pass costs, and the most rows under the 4 GiB limit.
    func floatsPerRow(training: Bool, pixels: Bool = false) -> Int {
        Workspace.floatsPerRow(layers, training: training, pixels: pixels)
    }

    func maximumRows(training: Bool, pixels: Bool = false) -> Int {
        Workspace.maximumRows(layers, training: training, pixels: pixels)
    }

    /// `body` with the parameters and the state buffer (read-only outside training).
    func withWeights<R>(_ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> R) -> R {
        parameters.withUnsafeBufferPointer { p in
            state.withUnsafeBufferPointer { s in
                // An empty state buffer still needs a valid pointer.
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 1) { spare in
                    guard let p = p.baseAddress,
                        let s = s.baseAddress.map({ UnsafeMutablePointer(mutating: $0) }) ?? spare.baseAddress
                    else { preconditionFailure("a model has parameters") }
                    return body(p, s)
                }
            }
        }
    }

    /// Number of classes (the last layer's units).
    public var classes: Int { architecture.classes }

    /// Class probabilities (count × classes) for `count` rows of features.
    /// Throws `invalidArgument` for a negative count and `shapeMismatch`
    /// unless `features.count == count × inputWidth`.
    public func predict(features: [Float], count: Int) throws(EngineError) -> [Float] {
        try checkRows(values: features.count, of: "features", count: count)
        guard count > 0 else { return [] }
        return features.withUnsafeBufferPointer { x in
            guard let x = x.baseAddress else { return [] }
            return predict(InputRows(source: .features(x), count: count, width: architecture.inputWidth))
        }
    }

    /// Class probabilities (count × classes) for `count` rows of pixels,
    /// converted as `scaling` prescribes (see `Examples(pixels:labels:width:scaling:)`)
    /// as each pass reads them. Throws `invalidArgument` for a negative
    /// count, `shapeMismatch` unless `pixels.count == count × inputWidth`,
    /// and as `Examples(pixels:...)` for bad standardize statistics.
    public func predict(pixels: [UInt8], count: Int, scaling: InputScaling) throws(EngineError) -> [Float] {
        let width = architecture.inputWidth
        try checkRows(values: pixels.count, of: "pixels", count: count)
        let conversion = try PixelConversion(scaling, width: width)
        guard count > 0 else { return [] }
        return pixels.withUnsafeBufferPointer { p in
            guard let p = p.baseAddress else { return [] }
            return predict(InputRows(source: .pixels(p, conversion), count: count, width: width))
        }
    }

    /// Class probabilities (count × classes) for the examples' inputs; the
    /// labels are not used. An empty set gives `[]`. Throws `shapeMismatch`
    /// for a width other than the model's input width.
    public func predict(_ examples: Examples) throws(EngineError) -> [Float] {
        guard examples.width == architecture.inputWidth else {
            throw .shapeMismatch(
                "the model expects \(architecture.inputWidth) features per example, the data has \(examples.width)")
        }
        guard examples.count > 0 else { return [] }
        return examples.withRows { predict($0.inputs) }
    }

    /// Throws unless `values` is `count` rows of the input width.
    private func checkRows(values: Int, of what: String, count: Int) throws(EngineError) {
        let width = architecture.inputWidth
        guard count >= 0 else {
            throw .invalidArgument("the number of rows must not be negative. Received: count=\(count)")
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, values == expected else {
            throw .shapeMismatch(
                "\(count) rows of \(width) \(what) need \(count) × \(width) values, got \(values)")
        }
    }

    /// Probabilities of non-empty `inputs`, in passes of up to `inferenceBatch` rows.
    private func predict(_ inputs: InputRows) -> [Float] {
        let count = inputs.count
        let classes = self.classes
        let rows = min(
            Model.inferenceBatch, count, maximumRows(training: false, pixels: inputs.isPixels))
        let workspace = makePass(capacity: rows, training: false, pixels: inputs.isPixels)
        var result = [Float](repeating: 0, count: count * classes)
        withWeights { p, s in
            result.withUnsafeMutableBufferPointer { out in
                guard let out = out.baseAddress else { return }
                var first = 0
                while first < count {
                    let rows = min(workspace.capacity, count - first)
                    workspace.forward(
                        inputs, first: first, rows: rows, parameters: p, state: s, labels: nil, gradientScale: nil)
                    (out + first * classes).update(from: workspace.output, count: rows * classes)
                    first += rows
                }
            }
        }
        return result
    }

    /// Mean categorical cross-entropy (natural log, computed from the logits
    /// like Keras; the rows' losses summed in order in Double) and accuracy
    /// (argmax == label), in passes of `batchSize` rows (only affects speed;
    /// capped to keep buffers under 4 GiB). Throws `invalidArgument` for a bad
    /// batch size, an empty set or a label ≥ classes, and `shapeMismatch` for
    /// a width other than the model's input width.
    public func evaluate(_ examples: Examples, batchSize: Int = 128) throws(EngineError) -> (loss: Double, accuracy: Double) {
        guard batchSize >= 1 else {
            throw .invalidArgument("batch size must be at least 1. Received: batch_size=\(batchSize)")
        }
        guard examples.count > 0 else { throw .invalidArgument("cannot evaluate on an empty set of examples") }
        try examples.check(inputWidth: architecture.inputWidth, classes: classes, role: "evaluation")
        return withWeights { p, s in
            examples.withRows { rows in
                Model.evaluate(
                    rows, parameters: p, state: s, workspace: evaluationWorkspace(rows.inputs, batchSize: batchSize))
            }
        }
    }

    /// A workspace for inference passes of up to `batchSize` rows of `inputs`
    /// (capped by their count and the 4 GiB limit).
    func evaluationWorkspace(_ inputs: InputRows, batchSize: Int) -> Workspace {
        let rows = min(batchSize, inputs.count, maximumRows(training: false, pixels: inputs.isPixels))
        return makePass(capacity: rows, training: false, pixels: inputs.isPixels)
    }

    /// Loss and accuracy of checked, non-empty `examples` with the given
    /// parameters, in passes of `workspace.capacity` rows.
    static func evaluate(
        _ examples: ExampleRows, parameters: UnsafePointer<Float>, state: UnsafeMutablePointer<Float>,
        workspace: Workspace
    ) -> (loss: Double, accuracy: Double) {
        let count = examples.count
        var totals = SoftmaxCrossEntropy.Totals()
        var first = 0
        while first < count {
            let rows = min(workspace.capacity, count - first)
            totals = workspace.forward(
                examples.inputs, first: first, rows: rows, parameters: parameters, state: state,
                labels: examples.labels + first,
                gradientScale: nil, startingFrom: totals)
            first += rows
        }
        return (totals.loss / Double(count), Double(totals.correct) / Double(count))
    }
}
