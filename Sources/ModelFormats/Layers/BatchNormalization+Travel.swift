import Engine
import JSON

/// BatchNormalization over the last axis: `gamma · (x − moving_mean) /
/// √(moving_variance + epsilon) + beta` outside training. Keras's variables
/// come as gamma, beta, moving_mean, moving_variance. ONNX
/// `BatchNormalization` (inference form) on (N, C) or NCHW.
enum BatchNormalizationTravel: LayerTravel {
    static let kerasClassNames = ["BatchNormalization"]
    static let kerasVariables: [String]? = ["gamma", "beta", "moving_mean", "moving_variance"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        // Keras writes -1 (or [-1]); 1 and 3 are the last axis of (N, C) and (N, H, W, C).
        let axis = layer.config["axis"]?.integer ?? layer.config["axis"]?[0]?.integer ?? -1
        guard [-1, 1, 3].contains(axis), layer.config["axis"]?[1] == nil else {
            throw layer.unsupported(
                "dnb normalizes the last (channel) axis only. Received: axis=\(layer.config["axis"]?.serialized ?? "")")
        }
        if layer.config["center"] == .bool(false) || layer.config["scale"] == .bool(false) {
            throw layer.unsupported("dnb's batch normalization has both gamma and beta (center=True, scale=True)")
        }
        if layer.config["renorm"] == .bool(true) { throw layer.unsupported("dnb has no batch renormalization") }
        return .layer(try layer.makeLayer(className: "BatchNormalization", config: layer.config))
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        let channels = layer.output.last ?? 1
        if layer.output.count == 3 { graph.channelsFirstImage() }
        let name = graph.unique("batch_normalization")
        let inputs = ["gamma", "beta", "moving_mean", "moving_variance"].map { weight in
            graph.constant("\(name).\(weight)", dims: [channels], layer.weight(weight))
        }
        let epsilon = layer.config["epsilon"]?.float ?? 1e-3
        graph.apply("BatchNormalization", inputs, [.float("epsilon", epsilon)], shape: layer.output)
    }
}

/// Activation and ReLU: the element-wise function as its own layer. When the
/// engine has no activation kind, one after a linear Dense or Conv2D joins
/// that layer (the same function of the same values). ONNX: the activation node.
enum ActivationTravel: LayerTravel {
    static let kerasClassNames = ["Activation", "ReLU", "Softmax"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        let activation: Activation
        switch layer.className {
        case "ReLU":
            let plain =
                (layer.config["max_value"] ?? .null) == .null && (layer.config["negative_slope"]?.double ?? 0) == 0
                && (layer.config["threshold"]?.double ?? 0) == 0
            guard plain else { throw layer.unsupported("dnb's relu has no max_value, negative_slope or threshold") }
            activation = .relu
        case "Softmax":
            activation = .softmax
        default:
            activation = try layer.activation()
        }
        // Softmax belongs to dnb's last Dense layer (fused with the loss): it joins that layer, as
        // any activation does while the engine has no activation kind.
        guard activation != .softmax, LayerSpec.configKeys(className: "Activation") != nil else {
            return .activation(activation)
        }
        let config = JSONValue.object([.init(key: "activation", value: .string(activation.rawValue))])
        return .layer(try layer.makeLayer(className: "Activation", config: config))
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        graph.activation(layer.activation)
    }
}
