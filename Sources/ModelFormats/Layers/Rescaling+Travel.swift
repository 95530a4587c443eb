import Engine
import JSON

/// Rescaling in front of the stack: `x · scale + offset`. dnb's `scale`
/// normalization is Rescaling(1/255); ONNX divides by 255.
enum RescalingTravel {
    static let kerasClassNames = ["Rescaling"]

    static func keras() -> KerasLayerOut {
        KerasLayerOut(
            className: "Rescaling",
            config: [.init(key: "scale", value: .number(1.0 / 255.0)), .init(key: "offset", value: .number(0.0))],
            weights: [])
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        guard let scale = layer.config["scale"]?.double else {
            throw layer.unsupported(
                "dnb reads a single number for scale. Received: scale=\(layer.config["scale"]?.serialized ?? "nothing")")
        }
        let offset = layer.config["offset"]?.double ?? 0
        guard abs(scale * 255 - 1) < 1e-6, offset == 0 else {
            throw layer.unsupported(
                "dnb scales pixels to [0, 1] (scale=1/255, offset=0). Received: scale=\(scale), offset=\(offset)")
        }
        return .scaling(.rescaling(scale: scale, offset: offset))
    }

    static func onnx(_ graph: inout InferenceGraph) {
        let divisor = graph.constant(graph.unique("rescaling.divisor"), dims: [], [255])
        graph.apply("Div", [divisor])
    }
}
