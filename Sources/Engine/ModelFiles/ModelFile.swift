import JSON

// dnb's model file: a safetensors file (https://github.com/huggingface/safetensors)
// whose metadata says what the tensors are. Encoding and decoding are pure
// functions over bytes; the interpreter reads and (atomically) writes files.
//
// Shapes: `I` inputs and `O` outputs of a Dense layer; `P` parameters in all;
// `W` the model's input width.
//
// ## Layout (safetensors)
//
//     bytes 0..<8      N, the header length, unsigned 64-bit little-endian
//     bytes 8..<8+N    the header: UTF-8 JSON, one object, padded with spaces
//                      so the data starts at a multiple of 8
//     bytes 8+N...     the tensor data, every tensor little-endian float32,
//                      row-major, back to back, covering the rest exactly
//
// Each header key but `__metadata__` is a tensor:
//
//     "dense.kernel": {"dtype": "F32", "shape": [784, 128], "data_offsets": [0, 401408]}
//
// where `data_offsets` are [begin, end) byte offsets into the data part.
//
// ## Tensors
//
// | name                               | shape  | what                                   |
// |------------------------------------|--------|----------------------------------------|
// | `dense.kernel`, `dense.bias`       | (I, O), (O) | the first Dense layer (Keras names) |
// | `dense_1.kernel`, `dense_1.bias`   | ...    | the second, and so on (`dense_2`, ...) |
// | `normalization.mean`, `.std`       | (W)    | only when normalization is standardize |
// | `optimizer.<slot>.<tensor>`        | as `<tensor>` | an optimizer slot, e.g. `optimizer.momentum.dense.kernel` |
//
// `output = activation(dot(input, kernel) + bias)` with `input` (N, I).
// Optimizer slots use Keras's variable names: Adam `momentum`, `velocity`;
// RMSprop `velocity` (and `momentum` with momentum > 0); SGD with momentum
// `momentum`. Tensors are stored in the order of this table.
//
// ## Metadata (`__metadata__`, string → string, as safetensors requires)
//
// | key             | value                                                          |
// |-----------------|----------------------------------------------------------------|
// | `format`        | `dnb-model`                                                    |
// | `version`       | `1`                                                            |
// | `created_by`    | `dnb`                                                          |
// | `architecture`  | JSON text: `{"input_width":784,"layers":[{"name":"dense","class_name":"Dense","units":128,"activation":"relu"}, ...]}` |
// | `normalization` | `scale` (x / 255) or `standardize` ((x - mean) / std)          |
// | `epochs`        | epochs trained so far, a decimal integer                       |
// | `optimizer`     | only with optimizer state; JSON text with Keras's names: `{"name":"adam","learning_rate":0.001,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-07,"iterations":1500,"slots":["momentum","velocity"]}`; SGD has `momentum`, `nesterov`; RMSprop `rho`, `momentum`, `epsilon` |
// | anything else   | training notes, e.g. `loss`, `accuracy`, `val_loss`, `val_accuracy` |
//
// Floats in metadata are written in their shortest round-trip spelling, so
// they read back bit for bit. In Python:
//
//     from safetensors.numpy import load_file
//     from safetensors import safe_open
//     tensors = load_file("mnist.safetensors")        # {"dense.kernel": (784, 128) float32, ...}
//     meta = safe_open("mnist.safetensors", "np").metadata()
//     json.loads(meta["architecture"])
//
// A reader that meets a larger `version` must refuse the file.

/// A model as stored on disk: architecture, parameters, optional optimizer
/// state, the input scaling and training notes (see the format above).
///
/// ``encode()`` and ``decode(_:)`` are inverses bit for bit. ``decode(_:)``
/// validates everything before it allocates tensor storage: the header length
/// against the file size (at most ``maximumHeaderLength``), UTF-8 JSON,
/// the dnb metadata, dtype `F32` only, shapes against the architecture, and
/// offsets that are in range, non-overlapping and cover the data exactly,
/// and then that every value is finite.
public struct ModelFile: Sendable {
    /// The sequential stack of layers.
    public var architecture: Architecture
    /// All kernels and biases in one buffer, layer by layer: kernel (I×O,
    /// row-major) then bias (O), as `Model.parameters` holds them.
    public var parameters: [Float]
    /// The non-trainable weights (moving statistics), as `Model.state` holds them.
    public var state: [Float]
    /// The optimizer and its slots, so `fit` resumes where it stopped; `nil`
    /// for a model that was never trained (or saved without it).
    public var optimizerState: OptimizerState?
    /// How pixels become features for this model.
    public var inputScaling: InputScaling
    /// Epochs trained so far.
    public var epochs: Int
    /// Free-form training notes (`loss`, `accuracy`, ...), stored beside the
    /// reserved keys (``reservedMetadataKeys``) in `__metadata__`.
    public var metadata: [String: String]

    /// The `format` metadata value.
    public static let formatName = "dnb-model"
    /// The `version` metadata value this code writes and reads.
    public static let formatVersion = 1
    /// Headers longer than this are refused (safetensors' own limit).
    public static let maximumHeaderLength = 100_000_000
    /// Architectures with more parameters than this are refused.
    public static let maximumParameterCount = 1 << 28
    /// Metadata keys written by dnb itself, not allowed in ``metadata``.
    public static let reservedMetadataKeys: Set<String> = [
        "format", "version", "created_by", "architecture", "normalization", "epochs", "optimizer",
    ]

    public init(
        architecture: Architecture, parameters: [Float], state: [Float] = [], optimizerState: OptimizerState? = nil,
        inputScaling: InputScaling = .scale, epochs: Int = 0, metadata: [String: String] = [:]
    ) {
        self.architecture = architecture
        self.parameters = parameters
        self.state = state
        self.optimizerState = optimizerState
        self.inputScaling = inputScaling
        self.epochs = epochs
        self.metadata = metadata
    }

    /// The file contents for `model`: its architecture, parameters and optimizer state.
    public init(model: Model, inputScaling: InputScaling, epochs: Int, metadata: [String: String] = [:]) {
        self.init(
            architecture: model.architecture, parameters: model.parameters, state: model.state,
            optimizerState: model.optimizerState,
            inputScaling: inputScaling, epochs: epochs, metadata: metadata)
    }

    /// A model with these parameters and optimizer state, ready to predict or
    /// to resume `fit`.
    public func makeModel() throws(EngineError) -> Model {
        let model = try Model(architecture: architecture, parameters: parameters, state: state)
        model.optimizerState = optimizerState
        return model
    }

    // MARK: - Names and shapes

    /// One tensor of the file: its name, shape, and where its values live.
    struct TensorPlan: Equatable {
        var name: String
        var shape: [Int]
        var count: Int
    }

    /// Keras's name of Dense layer `index` in a dense model: `dense`, `dense_1`, `dense_2`, ...
    static func layerName(_ index: Int) -> String { index == 0 ? "dense" : "dense_\(index)" }

    /// The weight tensors of `architecture` under Keras's layer names
    /// (`conv2d.kernel`, `dense.bias`, ...): the
    /// trainable ones in parameter-buffer order, and the non-trainable ones
    /// in state-buffer order; or why the architecture cannot be stored.
    static func parameterTensors(
        _ architecture: Architecture
    ) -> Result<(parameters: [TensorPlan], state: [TensorPlan]), ArchitectureProblem> {
        do {
            try architecture.check()
        } catch {
            return .failure(.init(error.reason))
        }
        var (parameters, state): ([TensorPlan], [TensorPlan]) = ([], [])
        for (layer, name) in zip(architecture.placed, architecture.layerNames) {
            for weight in layer.weightSpecs {
                let plan = TensorPlan(name: name + "." + weight.name, shape: weight.shape, count: weight.count)
                if weight.trainable { parameters.append(plan) } else { state.append(plan) }
            }
        }
        return .success((parameters, state))
    }

    /// Why an architecture cannot be stored.
    struct ArchitectureProblem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// The whole tensor list in file order, with the slot names used.
    static func tensorPlans(
        parameters: [TensorPlan], state: [TensorPlan], inputWidth: Int, standardized: Bool, slots: [String]
    ) -> [TensorPlan] {
        var plans = parameters + state
        if standardized {
            plans.append(TensorPlan(name: "normalization.mean", shape: [inputWidth], count: inputWidth))
            plans.append(TensorPlan(name: "normalization.std", shape: [inputWidth], count: inputWidth))
        }
        for slot in slots {
            for plan in parameters {
                plans.append(TensorPlan(name: "optimizer.\(slot).\(plan.name)", shape: plan.shape, count: plan.count))
            }
        }
        return plans
    }

    // MARK: - Encoding

    /// The safetensors bytes of this model (format above).
    ///
    /// Throws ``ModelFileError/cannotSave(reason:)`` when the values do not
    /// fit together (parameter or slot counts against the architecture,
    /// normalization widths), when any value is NaN or infinite, or when
    /// ``metadata`` uses a reserved key.
    public func encode() throws(ModelFileError) -> [UInt8] {
        let (parameterPlans, statePlans): ([TensorPlan], [TensorPlan])
        switch ModelFile.parameterTensors(architecture) {
        case .success(let plans): (parameterPlans, statePlans) = plans
        case .failure(let problem): throw .cannotSave(reason: "the architecture is invalid: \(problem.reason)")
        }
        let parameterCount = parameterPlans.reduce(0) { $0 + $1.count }
        guard parameters.count == parameterCount else {
            throw .cannotSave(
                reason: "the architecture needs \(parameterCount) parameters but the model has \(parameters.count)")
        }
        try ModelFile.requireFinite(parameters, "the model's parameters")
        let stateCount = statePlans.reduce(0) { $0 + $1.count }
        guard state.count == stateCount else {
            throw .cannotSave(
                reason: "the architecture needs \(stateCount) non-trainable weights but the model has \(state.count)")
        }
        try ModelFile.requireFinite(state, "the model's non-trainable weights")

        var sources: [[Float]] = [parameters, state]
        if case .standardize(let mean, let std) = inputScaling {
            guard mean.count == architecture.inputWidth, std.count == architecture.inputWidth else {
                throw .cannotSave(
                    reason: "standardize needs \(architecture.inputWidth) means and standard deviations, "
                        + "received \(mean.count) and \(std.count)")
            }
            try ModelFile.requireFinite(mean, "the normalization mean")
            try ModelFile.requireFinite(std, "the normalization std")
            guard std.allSatisfy({ $0 > 0 }) else {
                throw .cannotSave(reason: "the normalization std has a value that is not positive")
            }
            sources += [mean, std]
        }

        var slotNames: [String] = []
        var optimizerJSON: JSONValue?
        if let state = optimizerState {
            let names = state.optimizer.slotNames
            guard names.count == state.slots.count else {
                throw .cannotSave(
                    reason: "the \(state.optimizer.name) optimizer cannot have \(state.slots.count) slot buffers")
            }
            for (name, slot) in zip(names, state.slots) {
                guard slot.count == parameterCount else {
                    throw .cannotSave(
                        reason: "optimizer slot \(name) has \(slot.count) values but the model has \(parameterCount) parameters")
                }
                try ModelFile.requireFinite(slot, "optimizer slot \(name)")
            }
            guard state.iterations >= 0 else {
                throw .cannotSave(reason: "optimizer iterations must not be negative. Received: iterations=\(state.iterations)")
            }
            guard state.optimizer.isFinite else {
                throw .cannotSave(reason: "an optimizer hyperparameter is not a finite number")
            }
            slotNames = names
            optimizerJSON = state.optimizer.fileJSON(iterations: state.iterations)
            sources += state.slots
        }
        guard epochs >= 0 else { throw .cannotSave(reason: "epochs must not be negative. Received: epochs=\(epochs)") }
        if let key = metadata.keys.sorted().first(where: { ModelFile.reservedMetadataKeys.contains($0) }) {
            throw .cannotSave(reason: "metadata key \"\(key)\" is reserved for dnb's own use")
        }

        // Header: metadata first, then the tensors in data order.
        var meta: [JSONValue.Member] = [
            .init(key: "format", value: .string(ModelFile.formatName)),
            .init(key: "version", value: .string("\(ModelFile.formatVersion)")),
            .init(key: "created_by", value: .string("dnb")),
            .init(key: "architecture", value: .string(ModelFile.architectureJSON(architecture).serialized)),
            .init(key: "normalization", value: .string(inputScaling.name)),
            .init(key: "epochs", value: .string("\(epochs)")),
        ]
        if let optimizerJSON { meta.append(.init(key: "optimizer", value: .string(optimizerJSON.serialized))) }
        for key in metadata.keys.sorted() { meta.append(.init(key: key, value: .string(metadata[key] ?? ""))) }

        let plans = ModelFile.tensorPlans(
            parameters: parameterPlans, state: statePlans, inputWidth: architecture.inputWidth,
            standardized: inputScaling != .scale, slots: slotNames)
        var members: [JSONValue.Member] = [.init(key: "__metadata__", value: .object(meta))]
        var offset = 0
        for plan in plans {
            let end = offset + plan.count * 4
            members.append(
                .init(
                    key: plan.name,
                    value: .object([
                        .init(key: "dtype", value: .string("F32")),
                        .init(key: "shape", value: .array(plan.shape.map { .number($0) })),
                        .init(key: "data_offsets", value: .array([.number(offset), .number(end)])),
                    ])))
            offset = end
        }
        var header = Array(JSONValue.object(members).serialized.utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }

        let dataStart = 8 + header.count
        var bytes = [UInt8](repeating: 0, count: dataStart + offset)
        let length = UInt64(header.count)
        for k in 0..<8 { bytes[k] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(k))) }
        bytes.replaceSubrange(8..<dataStart, with: header)
        bytes.withUnsafeMutableBytes { raw in
            var position = dataStart
            for source in sources {
                for value in source {
                    raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: position, as: UInt32.self)
                    position += 4
                }
            }
        }
        return bytes
    }

    private static func requireFinite(_ values: [Float], _ what: String) throws(ModelFileError) {
        if let index = values.firstIndex(where: { !$0.isFinite }) {
            throw .cannotSave(
                reason: "\(what) contain \(values[index]) at index \(index) (did training diverge? try a smaller lr)")
        }
    }

    /// `{"input_width":W,"layers":[{"name":"dense","class_name":"Dense","units":O,"activation":"relu"},...]}`
    /// for a dense model (the original form); otherwise `input_shape` and
    /// every layer with its Keras name and class and its kind's config, e.g.
    /// `{"name":"conv2d","class_name":"Conv2D","filters":32,"kernel_size":[3,3],"strides":[1,1],"padding":"valid","activation":"relu"}`.
    static func architectureJSON(_ architecture: Architecture) -> JSONValue {
        guard architecture.isDense else {
            return .object([
                .init(key: "input_shape", value: .array(architecture.inputShape.map { .number($0) })),
                .init(
                    key: "layers",
                    value: .array(zip(architecture.stack, architecture.layerNames).map { layerJSON($0, name: $1) })),
            ])
        }
        return .object([
            .init(key: "input_width", value: .number(architecture.inputWidth)),
            .init(
                key: "layers",
                value: .array(
                    architecture.layers.enumerated().map { index, layer in
                        .object([
                            .init(key: "name", value: .string(layerName(index))),
                            .init(key: "class_name", value: .string("Dense")),
                            .init(key: "units", value: .number(layer.units)),
                            .init(key: "activation", value: .string(layer.activation.rawValue)),
                        ])
                    })),
        ])
    }

    /// One layer of the general `architecture` metadata: its Keras name,
    /// class and config (see each kind's `config`).
    static func layerJSON(_ layer: LayerSpec, name: String) -> JSONValue {
        .object(
            [.init(key: "name", value: .string(name)), .init(key: "class_name", value: .string(layer.className))]
                + layer.layer.config)
    }

}
