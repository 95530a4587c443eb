// Reading a Keras model config (config.json of a .keras file, or the
// `model_config` attribute of a legacy .h5) into dnb's architecture, then
// the weights into dnb's parameter buffer.
//
// Accepted: `Sequential`, and a functional `Model`/`Functional` whose layers
// form one chain. The input shape comes from an InputLayer, a first layer's
// `batch_input_shape`/`batch_shape`, or `build_input_shape`. Rescaling or
// Normalization may stand in front; without them the model is taken to
// expect x / 255, as Keras tutorials feed it. A last Dense layer without
// softmax gives logits: dnb reads it with softmax, which is what `predict`
// and `evaluate` apply to logits. An Activation or ReLU layer after a linear
// Dense or Conv2D joins that layer.

import Engine
import JSON

/// A Keras config read into dnb's terms, waiting for its weights.
struct KerasConfigRead {
    /// One dnb layer with the Keras layer it came from.
    struct Layer {
        var source: KerasLayerIn
        var spec: LayerSpec
        var omitsBias: Bool
    }

    var inputShape: [Int]
    var scaling: (source: KerasLayerIn, scaling: KerasInputScaling)?
    var layers: [Layer]
    var optimizer: Result<Optimizer, ModelFormatError>?
    var notes: [String]

    /// The ModelFile with weights from `store`.
    func assemble(_ store: KerasWeightStore) throws(ModelFormatError) -> KerasImport {
        let architecture = Architecture(inputShape: inputShape, stack: layers.map(\.spec))
        let rows: [LayerSummary]
        do {
            rows = try architecture.summary()
        } catch {
            if let index = error.layer, index < layers.count {
                let source = layers[index].source
                // The engine's "layer 3: " counts dnb's layers; the Keras name says which one.
                let prefix = "layer \(index + 1): "
                throw source.unsupported(
                    error.reason.hasPrefix(prefix) ? String(error.reason.dropFirst(prefix.count)) : error.reason)
            }
            throw .notAStack(error.reason)
        }
        var parameters: [Float] = []
        var state: [Float] = []
        parameters.reserveCapacity(architecture.parameterCount)
        var counts: [Int] = []
        var input = inputShape
        for (layer, row) in zip(layers, rows) {
            let expected = layer.spec.keras(input: input).weights
            let engineOrder = layer.spec.weightShapes(input: input)
            input = row.outputShape
            guard !expected.isEmpty else { continue }
            let wanted = layer.omitsBias ? expected.filter { $0.name != "bias" } : expected
            guard let found = try store.layer(layer.source) else {
                throw .badWeights(layer: layer.source.name, reason: "the weights file has no variables for it")
            }
            guard found.count == wanted.count else {
                throw .badWeights(
                    layer: layer.source.name,
                    reason: "has \(found.count) variables, expected \(wanted.count) ("
                        + wanted.map(\.name).joined(separator: ", ") + ")")
            }
            var byName: [String: [Float]] = [:]
            for (weight, tensor) in zip(wanted, found) {
                guard tensor.shape == weight.shape else {
                    throw .badWeights(
                        layer: layer.source.name,
                        reason: "its \(weight.name) has shape \(tensor.shape), expected \(weight.shape)")
                }
                if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                    throw .badWeights(
                        layer: layer.source.name, reason: "its \(weight.name) holds \(tensor.values[bad]) at index \(bad)")
                }
                byName[weight.name] = tensor.values
            }
            for weight in engineOrder {
                let values = byName[weight.name] ?? [Float](repeating: 0, count: weight.shape.reduce(1, *))
                if weight.trainable {
                    parameters += values
                    // A bias Keras does not have (use_bias=False) has no optimizer slots either.
                    counts.append(byName[weight.name] == nil ? -values.count : values.count)
                } else {
                    state += values
                }
            }
        }
        var notes = self.notes
        let width = architecture.inputWidth
        var inputScaling = InputScaling.scale
        switch scaling?.scaling {
        case nil:
            notes.append(
                "the model has no Rescaling or Normalization in front: dnb gives it pixels / 255, as Keras tutorials do")
        case .rescaling?:
            break
        case .normalization(let mean, let variance)?:
            var mean = mean
            var variance = variance
            let name = scaling?.source.name ?? "normalization"
            if mean == nil || variance == nil, let source = scaling?.source {
                guard let found = try store.layer(source), found.count >= 2 else {
                    throw .badWeights(layer: name, reason: "needs its mean and variance variables")
                }
                mean = found[0].values
                variance = found[1].values
            }
            func spread(_ values: [Float]?, _ what: String) throws(ModelFormatError) -> [Float] {
                guard let values, values.count == 1 || values.count == width, values.allSatisfy(\.isFinite) else {
                    throw .badWeights(
                        layer: name, reason: "dnb standardizes per pixel: the \(what) needs 1 or \(width) finite values")
                }
                return values.count == 1 ? [Float](repeating: values[0], count: width) : values
            }
            var std = try spread(variance, "variance").map(NormalizationTravel.std)
            var means = try spread(mean, "mean")
            // Statistics of pixels in [0, 1] (adapted on x / 255): dnb gives the model raw pixels, so
            // (x / 255 − m) / s becomes (x − 255·m) / (255·s).
            if let largest = means.max(), largest <= 1, (std.max() ?? 0) <= 1 {
                means = means.map { $0 * 255 }
                std = std.map { $0 * 255 }
                notes.append("its Normalization was adapted on pixels in [0, 1]: dnb feeds it x / 255")
            }
            inputScaling = .standardize(mean: means, std: std)
        }
        var optimizerState: OptimizerState?
        switch optimizer {
        case .success(let optimizer)?:
            let vars = try store.optimizer()
            if vars.count >= 2, let slots = KerasOptimizer.slots(optimizer, Array(vars.dropFirst(2)), counts: counts),
                let first = vars[0].first, first >= 0, first < 1e15
            {
                optimizerState = OptimizerState(optimizer: optimizer, iterations: Int(first), slots: slots)
            } else if vars.isEmpty {
                notes.append("the file has no optimizer state: fit starts \(optimizer.name) afresh")
            } else {
                notes.append("the optimizer's variables do not fit the model: fit starts \(optimizer.name) afresh")
            }
        case .failure(let error)?:
            notes.append("optimizer not read (\(error.description)): fit starts afresh")
        case nil:
            break
        }
        let file = ModelFile(
            architecture: architecture, parameters: parameters, state: state, optimizerState: optimizerState,
            inputScaling: inputScaling)
        return KerasImport(file: file, notes: notes)
    }
}

/// Where the assembler finds a layer's variables and the optimizer's.
struct KerasWeightStore {
    /// A layer's variables in Keras's order, nil when the file has none for it.
    var layer: (KerasLayerIn) throws(ModelFormatError) -> [(shape: [Int], values: [Float])]?
    /// The optimizer's variables (iterations, learning rate, slots), empty when there are none.
    var optimizer: () throws(ModelFormatError) -> [[Float]]
}

enum KerasConfig {
    /// Reads `config` (the whole model's `{"class_name": "Sequential", "config": {...}}`).
    static func read(_ config: JSONValue, training: JSONValue? = nil) throws(ModelFormatError) -> KerasConfigRead {
        let className = config["class_name"]?.string ?? ""
        guard let inner = config["config"], case .array(let layerValues)? = inner["layers"] else {
            throw .malformed("the model config has no list of layers (class_name \(className.isEmpty ? "missing" : className))")
        }
        switch className {
        case "Sequential": break
        case "Functional", "Model": try requireChain(layerValues)
        default: throw .notAStack("dnb reads Sequential models (and functional ones that are a chain), not \(className)")
        }
        var inputShape: [Int]?
        var scaling: (source: KerasLayerIn, scaling: KerasInputScaling)?
        var layers: [KerasConfigRead.Layer] = []
        var notes: [String] = []
        var savedNames: [String: Int] = [:]
        for (index, value) in layerValues.enumerated() {
            guard let layerClass = value["class_name"]?.string, let layerConfig = value["config"] else {
                throw .malformed("layer \(index + 1) of the config has no class_name and config")
            }
            var source = KerasLayerIn(
                className: layerClass, name: layerConfig["name"]?.string ?? "layer \(index + 1)", config: layerConfig)
            if layerClass != "InputLayer" {
                let base = KerasLayerIn.snakeCase(layerClass)
                let number = savedNames[base].map { $0 + 1 } ?? 0
                savedNames[base] = number
                source.savedName = number == 0 ? base : "\(base)_\(number)"
            }
            guard let reader = KerasLayerRegistry.reader(for: layerClass) else {
                throw source.unsupported(
                    "dnb has no such layer; it reads " + KerasLayerRegistry.classNames.joined(separator: ", "))
            }
            if layers.isEmpty, inputShape == nil,
                let shape = InputLayerTravel.batchShape(layerConfig["batch_shape"] ?? layerConfig["batch_input_shape"])
            {
                inputShape = shape
            }
            switch try reader(source) {
            case .input(let shape):
                guard layers.isEmpty, scaling == nil else { throw source.unsupported("an InputLayer must come first") }
                inputShape = shape
            case .scaling(let found):
                guard layers.isEmpty, scaling == nil else {
                    throw source.unsupported("dnb takes \(layerClass) only once, in front of the stack")
                }
                scaling = (source, found)
            case .layer(let spec, let omitsBias):
                layers.append(.init(source: source, spec: spec, omitsBias: omitsBias))
            case .activation(let activation):
                guard let last = layers.last, last.spec.activation == .linear else {
                    throw source.unsupported("dnb joins an activation layer to a linear Dense or Conv2D layer just before it")
                }
                layers[layers.count - 1].spec = last.spec.with(activation: activation)
            }
        }
        if inputShape == nil { inputShape = InputLayerTravel.batchShape(inner["build_input_shape"]) }
        guard var shape = inputShape else {
            throw .malformed("the model config says nothing of its input shape (no InputLayer, no batch_shape)")
        }
        // A (28, 28) input is a grey image: (28, 28, 1), which Flatten turns into the same 784 features.
        if shape.count == 2 { shape.append(1) }
        guard let last = layers.last else { throw .notAStack("it has no layers dnb can run") }
        if last.spec.className == "Dense", last.spec.activation == .linear {
            layers[layers.count - 1].spec = last.spec.with(activation: .softmax)
            notes.append(
                "the last layer \"\(last.source.name)\" gives logits (no softmax): dnb applies softmax in predict and evaluate")
        }
        return KerasConfigRead(
            inputShape: shape, scaling: scaling, layers: layers,
            optimizer: KerasOptimizer.read(config["compile_config"] ?? training), notes: notes)
    }

    /// A functional model is read only when each layer takes exactly the previous one's output.
    private static func requireChain(_ layers: [JSONValue]) throws(ModelFormatError) {
        var previous: String?
        for value in layers {
            let name = value["config"]?["name"]?.string ?? value["name"]?.string ?? "?"
            var sources: [String] = []
            collectSources(value["inbound_nodes"] ?? .null, into: &sources)
            if let previous {
                guard sources == [previous] else {
                    throw .notAStack(
                        "layer \"\(name)\" takes \(sources.isEmpty ? "no input" : sources.joined(separator: " and ")), "
                            + "not just \"\(previous)\" before it")
                }
            }
            previous = name
        }
    }

    /// Layer names an `inbound_nodes` value refers to: Keras 3's `keras_history`, Keras 2's `[name, 0, 0, {}]`.
    private static func collectSources(_ value: JSONValue, into sources: inout [String]) {
        switch value {
        case .object(let members):
            if case .array(let history)? = value["keras_history"], let name = history.first?.string {
                sources.append(name)
                return
            }
            for member in members { collectSources(member.value, into: &sources) }
        case .array(let items):
            if items.count >= 3, let name = items[0].string, items[1].integer != nil {
                sources.append(name)
                return
            }
            for item in items { collectSources(item, into: &sources) }
        default:
            break
        }
    }
}

extension LayerSpec {
    /// The same Dense or Conv2D layer with another activation.
    func with(activation: Activation) -> LayerSpec {
        let members = configMembers.map { member in
            member.key == "activation" ? JSONValue.Member(key: "activation", value: .string(activation.rawValue)) : member
        }
        return ((try? LayerSpec(className: className, config: .object(members))) ?? nil) ?? self
    }
}
