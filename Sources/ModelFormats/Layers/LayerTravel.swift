// A Keras file's layers as the reader sees them, and dnb's layers as the
// writers see them. Each dnb layer kind reads its Keras config and adds its
// ONNX nodes in its own engine unit (Engine/Layers/, through
// `LayerSpec.read(keras:)` and `addNodes`); the few Keras layers that are
// not dnb layers (InputLayer, and Rescaling or Normalization in front) have
// their files here.

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

/// One layer of a Keras config, as the reader sees it.
struct KerasLayerIn: Sendable {
    var className: String
    var name: String
    /// The layer's `config` object.
    var config: JSONValue
    /// Where Keras 3's .keras weights file keeps its variables: the class name in
    /// snake case, numbered per container (`conv2d`, `conv2d_1`), not the layer's name.
    var savedName = ""

    /// Keras's `naming.to_snake_case`: `BatchNormalization` → `batch_normalization`, `ReLU` → `re_lu`.
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
        if let order = kerasVariables {
            weights.sort { (order.firstIndex(of: $0.name) ?? order.count) < (order.firstIndex(of: $1.name) ?? order.count) }
        }
        return KerasLayerOut(className: className, config: configMembers, weights: weights)
    }
}

/// The Keras class names dnb reads, each with its reader.
enum KerasLayerRegistry {
    typealias Reader = @Sendable (KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead

    /// The layers in front of dnb's stack, then every class a dnb layer kind reads.
    static let kinds: [(names: [String], read: Reader)] =
        [
            (InputLayerTravel.kerasClassNames, InputLayerTravel.read),
            (RescalingTravel.kerasClassNames, RescalingTravel.read),
            (NormalizationTravel.kerasClassNames, NormalizationTravel.read),
        ] + [(LayerSpec.kerasClassNames, readLayer)]

    /// A dnb layer kind's reading, its refusals named after the Keras layer.
    private static func readLayer(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        do {
            switch try LayerSpec.read(keras: KerasLayerConfig(className: layer.className, config: layer.config)) {
            case .layer(let spec, let omitsBias)?: return .layer(spec, omitsBias: omitsBias)
            case .activation(let activation)?: return .activation(activation)
            case nil: throw layer.unsupported("dnb has no such layer yet")
            }
        } catch let error as LayerConfigError {
            throw layer.unsupported(error.reason)
        } catch let error as ModelFormatError {
            throw error
        } catch {
            throw layer.unsupported("\(error)")
        }
    }

    /// The reader for a class name, or nil.
    static func reader(for className: String) -> Reader? {
        kinds.first { $0.names.contains(className) }?.read
    }

    /// Every class name read, for messages.
    static var classNames: [String] { kinds.flatMap(\.names) }
}
