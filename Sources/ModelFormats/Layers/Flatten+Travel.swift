import Engine
import JSON

/// Flatten: (H, W, C) to H·W·C in Keras's (height, width, channel) order.
/// ONNX: back to NHWC first (a Flatten of the NCHW tensor would pass
/// `onnx.checker` and feed the next Dense the wrong order), then `Flatten`.
enum FlattenTravel {
    static let kerasClassNames = ["Flatten"]

    static func keras() -> KerasLayerOut {
        KerasLayerOut(className: "Flatten", config: [.init(key: "data_format", value: .string("channels_last"))], weights: [])
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        try layer.channelsLast()
        return .layer(.flatten)
    }

    static func onnx(_ graph: inout ONNXGraph) {
        graph.channelsLastImage()
        graph.apply("Flatten", [], [.int("axis", 1)], shape: [graph.shape.reduce(1, *)])
    }
}
