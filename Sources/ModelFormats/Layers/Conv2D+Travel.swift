import Engine
import JSON

/// Conv2D: `activation(conv2d(input, kernel) + bias)`, channels-last.
/// Keras variables `kernel` (K, K, C, F) and `bias` (F); ONNX `Conv` on NCHW
/// with the kernel as (F, C, K, K) and TensorFlow's `same` split of the padding
/// (the smaller half before).
enum Conv2DTravel {
    static let kerasClassNames = ["Conv2D"]

    static func keras(_ spec: Conv2DSpec, input: [Int]) -> KerasLayerOut {
        let channels = input.count == 3 ? input[2] : 1
        return KerasLayerOut(
            className: "Conv2D",
            config: [
                .init(key: "filters", value: .number(spec.filters)),
                .init(key: "kernel_size", value: pairJSON(spec.kernelSize)),
                .init(key: "strides", value: pairJSON(spec.strides)),
                .init(key: "padding", value: .string(spec.padding.rawValue)),
                .init(key: "data_format", value: .string("channels_last")),
                .init(key: "dilation_rate", value: pairJSON(1)),
                .init(key: "groups", value: .number(1)),
                .init(key: "activation", value: .string(spec.activation.kerasName)),
                .init(key: "use_bias", value: .bool(true)),
            ],
            weights: [[spec.kernelSize, spec.kernelSize, channels, spec.filters], [spec.filters]])
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        try layer.channelsLast()
        if try layer.square("dilation_rate", fallback: 1) != 1 {
            throw layer.unsupported("dnb has no dilated convolutions")
        }
        if let groups = layer.config["groups"]?.integer, groups != 1 {
            throw layer.unsupported("dnb has no grouped convolutions. Received: groups=\(groups)")
        }
        let spec = Conv2DSpec(
            filters: try layer.positive("filters"), kernelSize: try layer.square("kernel_size"),
            strides: try layer.square("strides", fallback: 1), padding: try layer.padding(),
            activation: try layer.activation())
        return .layer(.conv2D(spec), omitsBias: !layer.usesBias)
    }

    static func onnx(_ spec: Conv2DSpec, _ graph: inout ONNXGraph, weights: [[Float]], output: [Int]) {
        let input = graph.shape
        let (k, c, f) = (spec.kernelSize, input[2], spec.filters)
        // HWIO to OIHW.
        var kernel = [Float](repeating: 0, count: k * k * c * f)
        for y in 0..<k {
            for x in 0..<k {
                for i in 0..<c {
                    for o in 0..<f { kernel[((o * c + i) * k + y) * k + x] = weights[0][((y * k + x) * c + i) * f + o] }
                }
            }
        }
        var pads = [0, 0, 0, 0]
        if spec.padding == .same {
            let totalH = max((output[0] - 1) * spec.strides + k - input[0], 0)
            let totalW = max((output[1] - 1) * spec.strides + k - input[1], 0)
            pads = [totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2]
        }
        graph.channelsFirstImage()
        let name = graph.unique("conv2d")
        let kernelName = graph.constant(name + ".kernel", dims: [f, c, k, k], kernel)
        let biasName = graph.constant(name + ".bias", dims: [f], weights[1])
        graph.apply(
            "Conv", [kernelName, biasName],
            [
                .ints("kernel_shape", [k, k]), .ints("strides", [spec.strides, spec.strides]), .ints("pads", pads),
                .ints("dilations", [1, 1]), .int("group", 1),
            ], shape: output)
        graph.activation(spec.activation)
    }
}
