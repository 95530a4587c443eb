// dnb's model as an ONNX inference graph: raw pixels in (the input scaling
// first), each layer's nodes from its kind (Layers/*+Travel.swift), softmax
// probabilities out. Dropout is left out.

import Engine

enum ONNXExport {
    static func encode(_ file: ModelFile) throws(ModelFormatError) -> [UInt8] {
        let model = try KerasModel(file)
        var graph = ONNXGraph(inputShape: file.architecture.inputShape)
        switch file.inputScaling {
        case .scale: RescalingTravel.onnx(&graph)
        case .standardize(let mean, let std): NormalizationTravel.onnx(&graph, mean: mean, std: std)
        }
        let rows: [LayerSummary]
        do {
            rows = try file.architecture.summary()
        } catch {
            throw .cannotWrite("the architecture is invalid: \(error.reason)")
        }
        for (index, layer) in file.architecture.stack.enumerated() {
            layer.onnx(&graph, weights: model.layers[index + model.scalingLayers].values, output: rows[index].outputShape)
        }
        return graph.model(producerVersion: "0.1.0")
    }
}
