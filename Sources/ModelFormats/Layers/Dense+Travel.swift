import Engine
import JSON

/// Dense: `activation(dot(input, kernel) + bias)`. Keras variables
/// `kernel` (I, O) and `bias` (O); ONNX `Gemm` then the activation.
enum DenseTravel {
    static let kerasClassNames = ["Dense"]

    static func keras(_ spec: DenseSpec, input: [Int]) -> KerasLayerOut {
        KerasLayerOut(
            className: "Dense",
            config: [
                .init(key: "units", value: .number(spec.units)),
                .init(key: "activation", value: .string(spec.activation.kerasName)),
                .init(key: "use_bias", value: .bool(true)),
            ],
            weights: [[input.reduce(1, *), spec.units], [spec.units]])
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        .layer(
            .dense(DenseSpec(units: try layer.positive("units"), activation: try layer.activation())), omitsBias: !layer.usesBias)
    }

    static func onnx(_ spec: DenseSpec, _ graph: inout ONNXGraph, weights: [[Float]]) {
        graph.channelsLastImage()
        let inputs = weights[0].count / spec.units
        let name = graph.unique("dense")
        let kernel = graph.constant(name + ".kernel", dims: [inputs, spec.units], weights[0])
        let bias = graph.constant(name + ".bias", dims: [spec.units], weights[1])
        graph.apply("Gemm", [kernel, bias], shape: [spec.units])
        graph.activation(spec.activation)
    }
}
