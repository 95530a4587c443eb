import Engine
import JSON

/// Flatten: (H, W, C) to H·W·C in Keras's (height, width, channel) order.
/// ONNX: back to NHWC first (a Flatten of the NCHW tensor would pass
/// `onnx.checker` and feed the next Dense the wrong order), then `Flatten`.
enum FlattenTravel: LayerTravel {
    static let kerasClassNames = ["Flatten"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        try layer.channelsLast()
        return .layer(try layer.makeLayer(className: "Flatten", config: .object([])))
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        graph.channelsLastImage()
        graph.apply("Flatten", [], [.int("axis", 1)], shape: layer.output)
    }
}

/// Dropout: the identity outside training. No variables; left out of ONNX.
enum DropoutTravel: LayerTravel {
    static let kerasClassNames = ["Dropout"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        if let shape = layer.config["noise_shape"], shape != .null {
            throw layer.unsupported("dnb drops single values only. Received: noise_shape=\(shape.serialized)")
        }
        return .layer(try layer.makeLayer(className: "Dropout", config: layer.config))
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {}
}
