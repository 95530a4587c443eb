import Engine
import JSON

/// Dense: `activation(dot(input, kernel) + bias)`. Keras variables `kernel`
/// (I, O) and `bias` (O), as the engine's; ONNX `Gemm`, then the activation.
enum DenseTravel: LayerTravel {
    static let kerasClassNames = ["Dense"]

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        let config = layer.with("activation", .string(try layer.activation().rawValue))
        return .layer(try layer.makeLayer(className: "Dense", config: config), omitsBias: !layer.usesBias)
    }

    static func onnx(_ graph: inout ONNXGraph, _ layer: ONNXLayer) {
        graph.channelsLastImage()
        let units = layer.output[0]
        let kernel = layer.weight("kernel")
        let name = graph.unique("dense")
        let kernelName = graph.constant(name + ".kernel", dims: [kernel.count / units, units], kernel)
        let biasName = graph.constant(name + ".bias", dims: [units], layer.weight("bias"))
        graph.apply("Gemm", [kernelName, biasName], shape: [units])
        graph.activation(layer.activation)
    }
}
