import Engine
import JSON

/// Activation and ReLU layers. dnb has no separate activation layer yet:
/// one after a linear Dense or Conv2D joins that layer (the same function of
/// the same values). ONNX: the activation node.
enum ActivationTravel {
    static let kerasClassNames = ["Activation", "ReLU", "Softmax"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        switch layer.className {
        case "ReLU":
            let plain =
                (layer.config["max_value"] ?? .null) == .null && (layer.config["negative_slope"]?.double ?? 0) == 0
                && (layer.config["threshold"]?.double ?? 0) == 0
            guard plain else { throw layer.unsupported("dnb's relu has no max_value, negative_slope or threshold") }
            return .activation(.relu)
        case "Softmax":
            return .activation(.softmax)
        default:
            return .activation(try layer.activation())
        }
    }
}
