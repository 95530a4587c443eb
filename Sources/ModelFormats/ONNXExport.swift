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
        for (index, spec) in file.architecture.stack.enumerated() {
            let layer = model.layers[index + model.scalingLayers]
            guard let kind = LayerTravels.kind(spec.className) else {
                throw .cannotWrite("dnb cannot write a \(spec.className) layer to ONNX yet")
            }
            var weights: [String: [Float]] = [:]
            for (weight, values) in zip(layer.out.weights, layer.values) { weights[weight.name] = values }
            kind.onnx(&graph, ONNXLayer(config: .object(spec.configMembers), weights: weights, output: rows[index].outputShape))
        }
        return graph.model(producerVersion: "0.1.0")
    }
}
