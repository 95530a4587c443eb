// dnb's model as an ONNX inference graph: raw pixels in (the input scaling
// first), each layer's nodes from its kind (its engine unit's `addNodes`;
// layers that are the identity outside training add none), softmax
// probabilities out.

import Engine

enum ONNXExport {
    static func encode(_ file: ModelFile) throws(ModelFormatError) -> [UInt8] {
        let model = try KerasModel(file)
        var graph = InferenceGraph(inputShape: file.architecture.inputShape)
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
            var weights: [String: [Float]] = [:]
            for (weight, values) in zip(layer.out.weights, layer.values) { weights[weight.name] = values }
            spec.addNodes(to: &graph, weights: weights, output: rows[index].outputShape)
        }
        return ONNXModel.encode(graph, producerVersion: "0.1.0")
    }
}
