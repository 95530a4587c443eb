import Engine
import JSON

/// Dropout: the identity outside training. No variables; left out of ONNX.
enum DropoutTravel {
    static let kerasClassNames = ["Dropout"]

    static func keras(_ rate: Double) -> KerasLayerOut {
        KerasLayerOut(
            className: "Dropout", config: [.init(key: "rate", value: .number(rate)), .init(key: "seed", value: .null)],
            weights: [])
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        guard let rate = layer.config["rate"]?.double, rate >= 0, rate < 1 else {
            throw layer.unsupported("needs rate, a number in [0, 1)")
        }
        if let shape = layer.config["noise_shape"], shape != .null {
            throw layer.unsupported("dnb drops single values only. Received: noise_shape=\(shape.serialized)")
        }
        return .layer(.dropout(rate: rate))
    }
}
