// dnb's model as Keras writes it: the Sequential config (InputLayer, the
// input scaling as Rescaling or Normalization, then dnb's layers with
// Keras's names) and the variables of every layer and of the optimizer.

import Engine
import JSON

/// A dnb model laid out as Keras's Sequential model.
struct KerasModel {
    /// One layer: its name, what Keras writes, its input shape and its variables' values.
    struct Layer {
        var name: String
        var out: KerasLayerOut
        var input: [Int]
        var values: [[Float]]
    }

    let file: ModelFile
    let layers: [Layer]
    /// How many layers in front hold the input scaling (0 or 1).
    let scalingLayers: Int

    init(_ file: ModelFile) throws(ModelFormatError) {
        self.file = file
        let architecture = file.architecture
        let rows: [LayerSummary]
        do {
            rows = try architecture.summary()
        } catch {
            throw .cannotWrite("the architecture is invalid: \(error.reason)")
        }
        guard file.parameters.count == architecture.parameterCount, file.state.count == architecture.stateCount else {
            throw .cannotWrite(
                "the architecture needs \(architecture.parameterCount) parameters and \(architecture.stateCount) "
                    + "non-trainable weights but the model has \(file.parameters.count) and \(file.state.count)")
        }
        var layers: [Layer] = []
        let inputShape = architecture.inputShape
        switch file.inputScaling {
        case .scale:
            layers.append(Layer(name: "rescaling", out: RescalingTravel.keras(), input: inputShape, values: []))
        case .standardize(let mean, let std):
            guard mean.count == architecture.inputWidth, std.count == architecture.inputWidth else {
                throw .cannotWrite("standardize needs \(architecture.inputWidth) means and standard deviations")
            }
            layers.append(
                Layer(
                    name: "normalization", out: NormalizationTravel.keras(inputShape: inputShape), input: inputShape,
                    values: NormalizationTravel.kerasWeights(mean: mean, std: std)))
        }
        scalingLayers = layers.count
        var (parameterOffset, stateOffset) = (0, 0)
        var input = inputShape
        for (layer, row) in zip(architecture.stack, rows) {
            let out = layer.keras(input: input)
            // The engine's buffers in its weight order; Keras's order may differ (batchnorm).
            var byName: [String: [Float]] = [:]
            for weight in layer.weightShapes(input: input) {
                let count = weight.shape.reduce(1, *)
                if weight.trainable {
                    byName[weight.name] = Array(file.parameters[parameterOffset..<(parameterOffset + count)])
                    parameterOffset += count
                } else {
                    byName[weight.name] = Array(file.state[stateOffset..<(stateOffset + count)])
                    stateOffset += count
                }
            }
            let values = out.weights.map { byName[$0.name] ?? [] }
            layers.append(Layer(name: row.name, out: out, input: input, values: values))
            input = row.outputShape
        }
        self.layers = layers
    }

    /// `config.json`: the Sequential model, compiled with dnb's optimizer when it has one.
    func configJSON() -> JSONValue {
        let inputShape = file.architecture.inputShape
        func shapeJSON(_ shape: [Int]) -> JSONValue { .array([.null] + shape.map { .number($0) }) }
        let input = InputLayerTravel.keras(inputShape)
        var layerValues: [JSONValue] = [
            .object([
                .init(key: "module", value: .string("keras.layers")), .init(key: "class_name", value: .string(input.className)),
                .init(key: "config", value: .object(input.config)), .init(key: "registered_name", value: .null),
            ])
        ]
        for layer in layers {
            let config: [JSONValue.Member] =
                [
                    .init(key: "name", value: .string(layer.name)), .init(key: "trainable", value: .bool(true)),
                    .init(key: "dtype", value: .string("float32")),
                ] + layer.out.config
            layerValues.append(
                .object([
                    .init(key: "module", value: .string("keras.layers")),
                    .init(key: "class_name", value: .string(layer.out.className)),
                    .init(key: "config", value: .object(config)), .init(key: "registered_name", value: .null),
                    .init(key: "build_config", value: .object([.init(key: "input_shape", value: shapeJSON(layer.input))])),
                ]))
        }
        var members: [JSONValue.Member] = [
            .init(key: "module", value: .string("keras")), .init(key: "class_name", value: .string("Sequential")),
            .init(
                key: "config",
                value: .object([
                    .init(key: "name", value: .string("sequential")), .init(key: "trainable", value: .bool(true)),
                    .init(key: "dtype", value: .string("float32")), .init(key: "layers", value: .array(layerValues)),
                    .init(key: "build_input_shape", value: shapeJSON(inputShape)),
                ])),
            .init(key: "registered_name", value: .null),
            .init(key: "build_config", value: .object([.init(key: "input_shape", value: shapeJSON(inputShape))])),
        ]
        if let state = file.optimizerState {
            members.append(.init(key: "compile_config", value: KerasOptimizer.compileConfig(state.optimizer)))
        }
        return .object(members)
    }

    /// `model.weights.h5`: every layer's variables, then the optimizer's.
    func weightsHDF5() throws(ModelFormatError) -> [UInt8] {
        do {
            let h5 = try HDF5Writer()
            try h5.group("layers")
            for layer in layers {
                try h5.group("layers/\(layer.name)/vars")
                try h5.attribute("layers/\(layer.name)/vars", "name", layer.name)
                for (index, (shape, values)) in zip(layer.out.weights.map(\.shape), layer.values).enumerated() {
                    if layer.out.className == "Normalization", index == 2 {
                        try h5.integer("layers/\(layer.name)/vars/\(index)", 0)
                    } else {
                        try h5.floats("layers/\(layer.name)/vars/\(index)", shape: shape, values)
                    }
                }
            }
            if let state = file.optimizerState {
                try h5.group("optimizer/vars")
                try h5.attribute("optimizer/vars", "name", state.optimizer.name)
                try h5.integer("optimizer/vars/0", Int64(state.iterations))
                try h5.floats("optimizer/vars/1", shape: [], [KerasOptimizer.learningRate(state.optimizer)])
                let shapes = layers.dropFirst(scalingLayers).flatMap { $0.out.weights.filter(\.trainable).map(\.shape) }
                for (index, (slot, shape, offset)) in KerasOptimizer.variables(state, shapes: shapes).enumerated() {
                    let count = shape.reduce(1, *)
                    try h5.floats(
                        "optimizer/vars/\(index + 2)", shape: shape, Array(state.slots[slot][offset..<(offset + count)]))
                }
            }
            try h5.group("vars")
            try h5.attribute("vars", "name", "sequential")
            return try h5.image()
        } catch {
            throw .cannotWrite("model.weights.h5: \(error.reason)")
        }
    }
}
