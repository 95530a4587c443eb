import Engine
import JSON

/// Conv2D: `activation(conv2d(input, kernel) + bias)`, channels-last. Keras
/// variables `kernel` (K, K, C, F) and `bias` (F). ONNX `Conv` on NCHW, the
/// kernel as (F, C, K, K), with TensorFlow's `same` split of the padding (the
/// smaller half before).
enum Conv2DTravel: LayerTravel {
    static let kerasClassNames = ["Conv2D", "Convolution2D"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        try layer.channelsLast()
        if try layer.square("dilation_rate", fallback: 1) != 1 {
            throw layer.unsupported("dnb has no dilated convolutions")
        }
        if let groups = layer.config["groups"]?.integer, groups != 1 {
            throw layer.unsupported("dnb has no grouped convolutions. Received: groups=\(groups)")
        }
        let config = JSONValue.object([
            .init(key: "filters", value: .number(try layer.positive("filters"))),
            .init(key: "kernel_size", value: pairJSON(try layer.square("kernel_size"))),
            .init(key: "strides", value: pairJSON(try layer.square("strides", fallback: 1))),
            .init(key: "padding", value: .string(try layer.padding().rawValue)),
            .init(key: "activation", value: .string(try layer.activation().rawValue)),
        ])
        return .layer(try layer.makeLayer(className: "Conv2D", config: config), omitsBias: !layer.usesBias)
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        let input = graph.shape
        let (k, stride, c, f) = (layer.square("kernel_size"), layer.square("strides"), input[2], layer.output[2])
        let hwio = layer.weight("kernel")
        var kernel = [Float](repeating: 0, count: k * k * c * f)
        for y in 0..<k {
            for x in 0..<k {
                for i in 0..<c {
                    for o in 0..<f { kernel[((o * c + i) * k + y) * k + x] = hwio[((y * k + x) * c + i) * f + o] }
                }
            }
        }
        var pads = [0, 0, 0, 0]
        if layer.config["padding"]?.string == "same" {
            let totalH = max((layer.output[0] - 1) * stride + k - input[0], 0)
            let totalW = max((layer.output[1] - 1) * stride + k - input[1], 0)
            pads = [totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2]
        }
        graph.channelsFirstImage()
        let name = graph.unique("conv2d")
        let kernelName = graph.constant(name + ".kernel", dims: [f, c, k, k], kernel)
        let biasName = graph.constant(name + ".bias", dims: [f], layer.weight("bias"))
        graph.apply(
            "Conv", [kernelName, biasName],
            [
                .ints("kernel_shape", [k, k]), .ints("strides", [stride, stride]), .ints("pads", pads),
                .ints("dilations", [1, 1]), .int("group", 1),
            ], shape: layer.output)
        graph.activation(layer.activation)
    }
}
