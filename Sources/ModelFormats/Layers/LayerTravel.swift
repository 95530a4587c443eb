// What a layer kind needs to leave dnb and come back: its Keras class name,
// its Keras config keys, its weights in Keras's variable order, and its ONNX
// nodes. Each kind keeps these in its own file here (`Dense+Travel.swift`,
// ...), one small unit per kind; this file holds the shared shapes of the
// answers, the one dispatch from a dnb layer to its kind, and the registry
// of Keras class names the reader knows.

import Engine
import JSON

/// A dnb layer as Keras writes it.
struct KerasLayerOut {
    /// Keras's class name, e.g. `Dense`.
    var className: String
    /// The class's own config keys (after `name`, `trainable`, `dtype`).
    var config: [JSONValue.Member]
    /// The layer's variables in Keras's order (`vars/0`, `vars/1`, ...):
    /// name, shape, and whether dnb keeps it in the parameter buffer
    /// (trainable) or the state buffer (moving statistics).
    var weights: [(name: String, shape: [Int], trainable: Bool)]
}

/// What one layer kind needs besides what its engine unit says (class name,
/// config in Keras's names, weights): how a Keras config becomes dnb's, the
/// order of Keras's variables when it is not dnb's, and its ONNX nodes.
protocol LayerTravel: Sendable {
    /// The Keras class names it reads (dnb's own first).
    static var kerasClassNames: [String] { get }
    /// Keras's variable order, when it differs from the engine's weight order.
    static var kerasVariables: [String]? { get }
    /// A Keras layer config to a dnb layer.
    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead
    /// Adds the layer's ONNX nodes to the graph.
    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer)
}

extension LayerTravel {
    static var kerasVariables: [String]? { nil }

    /// The default reading: the Keras config's values for the keys dnb's kind reads.
    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        .layer(try layer.makeLayer(className: kerasClassNames[0], config: layer.config))
    }
}

/// One dnb layer as the ONNX writer sees it.
struct ONNXLayer {
    /// Its config fields in Keras's names (`units`, `pool_size`).
    var config: JSONValue
    /// Its weights by Keras name (`kernel`, `moving_mean`).
    var weights: [String: [Float]]
    /// Its output shape per example (NHWC for images).
    var output: [Int]

    func weight(_ name: String) -> [Float] { weights[name] ?? [] }
    /// A square window or step from `[a, a]` or `a`.
    func square(_ key: String) -> Int { config[key]?.integer ?? config[key]?[0]?.integer ?? 1 }
    var activation: Activation { Activation(rawValue: config["activation"]?.string ?? "linear") ?? .linear }
}

extension JSONValue {
    /// Element `index` of an array.
    subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, index >= 0, index < items.count else { return nil }
        return items[index]
    }
}

/// One layer of a Keras config, as the reader sees it.
struct KerasLayerIn: Sendable {
    var className: String
    var name: String
    /// The layer's `config` object.
    var config: JSONValue
    /// Where Keras 3's .keras weights file keeps its variables: the class name in
    /// snake case, numbered per container (`conv2d`, `max_pooling2d_1`), not the layer's name.
    var savedName = ""

    /// Keras's `naming.to_snake_case`: `MaxPooling2D` → `max_pooling2d`, `ReLU` → `re_lu`.
    static func snakeCase(_ name: String) -> String {
        let characters = Array(name.filter { $0.isLetter || $0.isNumber || $0 == "_" })
        // (.)([A-Z][a-z]+) → \1_\2
        var first: [Character] = []
        for (index, character) in characters.enumerated() {
            if index > 0, character.isUppercase, index + 1 < characters.count, characters[index + 1].isLowercase {
                first.append("_")
            }
            first.append(character)
        }
        // ([a-z])([A-Z]) → \1_\2, then lower case.
        var result = ""
        for (index, character) in first.enumerated() {
            if index > 0, character.isUppercase, first[index - 1].isLowercase { result.append("_") }
            result.append(character)
        }
        return result.lowercased()
    }

    func unsupported(_ reason: String) -> ModelFormatError {
        .unsupportedLayer(className: className, name: name, reason: reason)
    }

    /// A positive integer option.
    func positive(_ key: String) throws(ModelFormatError) -> Int {
        guard let value = config[key]?.integer, value > 0 else {
            throw unsupported("needs \(key), a positive integer. Received: \(key)=\(config[key]?.serialized ?? "nothing")")
        }
        return value
    }

    /// A square window or step: `3` or `[3, 3]`; `fallback` when absent or null.
    func square(_ key: String, fallback: Int? = nil) throws(ModelFormatError) -> Int {
        let value = config[key]
        if value == nil || value == .null, let fallback { return fallback }
        if let single = value?.integer, single > 0 { return single }
        if case .array(let pair)? = value, pair.count == 2, let a = pair[0].integer, a > 0, pair[1].integer == a {
            return a
        }
        throw unsupported(
            "dnb takes square \(key) only (two equal positive integers). Received: \(key)=\(value?.serialized ?? "nothing")")
    }

    /// `padding`: valid (default) or same.
    func padding() throws(ModelFormatError) -> Padding {
        let name = config["padding"]?.string ?? "valid"
        guard let padding = Padding(rawValue: name.lowercased()) else {
            throw unsupported("padding must be \"valid\" or \"same\". Received: padding=\(name)")
        }
        return padding
    }

    /// Refuses channels-first images (dnb and Keras's default are channels-last).
    func channelsLast() throws(ModelFormatError) {
        if let format = config["data_format"]?.string, format != "channels_last" {
            throw unsupported("dnb keeps images channels-last. Received: data_format=\(format)")
        }
    }

    /// `activation`: a name dnb has (Keras's `None` is linear).
    func activation(_ key: String = "activation") throws(ModelFormatError) -> Activation {
        let value = config[key]
        if value == nil || value == .null { return .linear }
        // Keras 3 may wrap a built-in activation: {"class_name": "function", "config": "relu"}.
        let name = value?.string ?? value?["config"]?.string ?? value?["class_name"]?.string ?? ""
        guard let activation = Activation(rawValue: name.lowercased()) else {
            throw unsupported(
                "dnb has activations " + Activation.allCases.map(\.rawValue).joined(separator: ", ")
                    + ". Received: \(key)=\(value?.serialized ?? "nothing")")
        }
        return activation
    }

    /// dnb's layer of `className` from `config`, keeping only the keys its kind reads;
    /// nil from the engine (no such kind) is an unsupported layer.
    func makeLayer(className: String, config: JSONValue) throws(ModelFormatError) -> LayerSpec {
        guard let keys = LayerSpec.configKeys(className: className) else {
            throw unsupported("dnb has no such layer yet")
        }
        var members: [JSONValue.Member] = []
        for key in keys { if let value = config[key] { members.append(.init(key: key, value: value)) } }
        do {
            guard let spec = try LayerSpec(className: className, config: .object(members)) else {
                throw unsupported("dnb has no such layer yet")
            }
            return spec
        } catch let error as LayerConfigError {
            throw unsupported(error.reason)
        } catch let error as ModelFormatError {
            throw error
        } catch {
            throw unsupported("\(error)")
        }
    }

    /// This config with `key` set to `value`.
    func with(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = config else { return config }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append(.init(key: key, value: value))
        }
        return .object(members)
    }

    /// `use_bias` (default true).
    var usesBias: Bool { config["use_bias"] != .bool(false) }
}

/// What one Keras layer becomes in dnb.
enum KerasLayerRead {
    /// `InputLayer`: the shape of one example.
    case input(shape: [Int])
    /// A dnb layer; `omitsBias` when Keras has no bias variable (`use_bias=False`), read as zeros.
    case layer(LayerSpec, omitsBias: Bool = false)
    /// `Rescaling` or `Normalization` in front: how pixels become features.
    case scaling(KerasInputScaling)
    /// `Activation`, `ReLU`: joins the linear layer before it.
    case activation(Activation)
}

/// Pixel scaling written as a Keras layer in front of the stack.
enum KerasInputScaling {
    /// `x · scale + offset`.
    case rescaling(scale: Double, offset: Double)
    /// `(x − mean) / max(√variance, 1e-7)`: values in the config, or `nil` to read them from the weights.
    case normalization(mean: [Float]?, variance: [Float]?)
}

extension LayerSpec {
    /// This layer as Keras writes it, on an input of `input` (per example).
    func keras(input: [Int]) -> KerasLayerOut {
        var weights = weightShapes(input: input)
        if let order = LayerTravels.kind(className)?.kerasVariables {
            weights.sort { (order.firstIndex(of: $0.name) ?? order.count) < (order.firstIndex(of: $1.name) ?? order.count) }
        }
        return KerasLayerOut(className: className, config: configMembers, weights: weights)
    }
}

/// The per-kind pieces, by Keras class name.
enum LayerTravels {
    static let kinds: [any LayerTravel.Type] = [
        DenseTravel.self, Conv2DTravel.self, MaxPooling2DTravel.self, FlattenTravel.self, DropoutTravel.self,
        BatchNormalizationTravel.self, ActivationTravel.self, AveragePooling2DTravel.self,
        GlobalAveragePooling2DTravel.self,
    ]

    static func kind(_ className: String) -> (any LayerTravel.Type)? {
        kinds.first { $0.kerasClassNames.contains(className) }
    }
}

/// The Keras class names dnb reads, each with its kind's reader.
enum KerasLayerRegistry {
    typealias Reader = @Sendable (KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead

    static let kinds: [(names: [String], read: Reader)] =
        [
            (InputLayerTravel.kerasClassNames, InputLayerTravel.read),
            (RescalingTravel.kerasClassNames, RescalingTravel.read),
            (NormalizationTravel.kerasClassNames, NormalizationTravel.read),
        ] + LayerTravels.kinds.map { kind in (kind.kerasClassNames, { layer throws(ModelFormatError) in try kind.read(layer) }) }

    /// The reader for a class name, or nil.
    static func reader(for className: String) -> Reader? {
        kinds.first { $0.names.contains(className) }?.read
    }

    /// Every class name read, for messages.
    static var classNames: [String] { kinds.flatMap(\.names) }
}
