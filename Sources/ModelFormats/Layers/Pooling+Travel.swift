import Engine
import JSON

/// MaxPooling2D: the maximum of each window, stride = pool size, `valid`
/// padding. No variables; ONNX `MaxPool` on NCHW.
enum MaxPooling2DTravel: LayerTravel {
    static let kerasClassNames = ["MaxPooling2D", "MaxPool2D"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        .layer(try layer.makeLayer(className: "MaxPooling2D", config: try poolingConfig(layer)))
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        let size = layer.square("pool_size")
        graph.channelsFirstImage()
        graph.apply("MaxPool", [], [.ints("kernel_shape", [size, size]), .ints("strides", [size, size])], shape: layer.output)
    }
}

/// AveragePooling2D: the mean of each window, stride = pool size, `valid`
/// padding. No variables; ONNX `AveragePool` on NCHW.
enum AveragePooling2DTravel: LayerTravel {
    static let kerasClassNames = ["AveragePooling2D", "AvgPool2D"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        .layer(try layer.makeLayer(className: "AveragePooling2D", config: try poolingConfig(layer)))
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        let size = layer.square("pool_size")
        graph.channelsFirstImage()
        graph.apply(
            "AveragePool", [], [.ints("kernel_shape", [size, size]), .ints("strides", [size, size])], shape: layer.output)
    }
}

/// GlobalAveragePooling2D: (H, W, C) to the C channel means. No variables;
/// ONNX `GlobalAveragePool` on NCHW, then `Flatten` of the (N, C, 1, 1) result.
enum GlobalAveragePooling2DTravel: LayerTravel {
    static let kerasClassNames = ["GlobalAveragePooling2D", "GlobalAvgPool2D"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        try layer.channelsLast()
        if layer.config["keepdims"] == .bool(true) { throw layer.unsupported("dnb's global pooling gives a flat output") }
        return .layer(try layer.makeLayer(className: "GlobalAveragePooling2D", config: .object([])))
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        graph.channelsFirstImage()
        graph.apply("GlobalAveragePool")
        graph.apply("Flatten", [], [.int("axis", 1)], shape: layer.output)
        graph.leftImage()
    }
}

/// A Keras pooling config in dnb's terms: square `pool_size`, `strides`
/// equal to it (Keras's `None`), `valid` padding.
private func poolingConfig(_ layer: KerasLayerIn) throws(ModelFormatError) -> JSONValue {
    try layer.channelsLast()
    let size = try layer.square("pool_size", fallback: 2)
    guard try layer.square("strides", fallback: size) == size, try layer.padding() == .valid else {
        throw layer.unsupported("dnb pools with strides equal to pool_size and padding \"valid\" only")
    }
    return .object([
        .init(key: "pool_size", value: pairJSON(size)), .init(key: "strides", value: pairJSON(size)),
        .init(key: "padding", value: .string("valid")),
    ])
}

/// `[a, a]`.
func pairJSON(_ value: Int) -> JSONValue { .array([.number(value), .number(value)]) }
