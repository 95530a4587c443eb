import Engine
import JSON

/// MaxPooling2D: the maximum of each window, stride = pool size, `valid`
/// padding. No variables; ONNX `MaxPool` on NCHW.
enum MaxPooling2DTravel {
    static let kerasClassNames = ["MaxPooling2D", "MaxPool2D"]

    static func keras(_ size: Int) -> KerasLayerOut {
        KerasLayerOut(
            className: "MaxPooling2D",
            config: [
                .init(key: "pool_size", value: pairJSON(size)), .init(key: "strides", value: pairJSON(size)),
                .init(key: "padding", value: .string("valid")),
                .init(key: "data_format", value: .string("channels_last")),
            ],
            weights: [])
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        try layer.channelsLast()
        let size = try layer.square("pool_size", fallback: 2)
        guard try layer.square("strides", fallback: size) == size, try layer.padding() == .valid else {
            throw layer.unsupported("dnb pools with strides equal to pool_size and padding \"valid\" only")
        }
        return .layer(.maxPooling2D(poolSize: size))
    }

    static func onnx(_ size: Int, _ graph: inout ONNXGraph, output: [Int]) {
        graph.channelsFirstImage()
        graph.apply("MaxPool", [], [.ints("kernel_shape", [size, size]), .ints("strides", [size, size])], shape: output)
    }
}
