import Engine
import JSON

/// Normalization in front of the stack: `(x − mean) / max(√variance, 1e-7)`
/// per pixel. dnb's `standardize` is Normalization with per-pixel mean and
/// variance = std² as variables (`mean`, `variance`, `count`), over the last
/// axis of a flat input or all three axes of an image. ONNX: Sub, then Div by std.
enum NormalizationTravel {
    static let kerasClassNames = ["Normalization"]

    static func keras(inputShape: [Int]) -> KerasLayerOut {
        let axis: JSONValue = inputShape.count == 1 ? .array([.number(-1)]) : .array((1...inputShape.count).map { .number($0) })
        return KerasLayerOut(
            className: "Normalization",
            config: [
                .init(key: "axis", value: axis), .init(key: "invert", value: .bool(false)),
                .init(key: "mean", value: .null), .init(key: "variance", value: .null),
            ],
            weights: [("mean", inputShape, false), ("variance", inputShape, false), ("count", [], false)])
    }

    /// Keras's variables from dnb's statistics: mean, variance (std²), count.
    static func kerasWeights(mean: [Float], std: [Float]) -> [[Float]] {
        [mean, std.map { $0 * $0 }, [0]]
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        if layer.config["invert"] == .bool(true) { throw layer.unsupported("dnb cannot invert a normalization") }
        func values(_ key: String) throws(ModelFormatError) -> [Float]? {
            guard let value = layer.config[key], value != .null else { return nil }
            var out: [Float] = []
            func collect(_ value: JSONValue) -> Bool {
                if let number = value.float, number.isFinite {
                    out.append(number)
                    return true
                }
                guard case .array(let items) = value else { return false }
                return items.allSatisfy(collect)
            }
            guard collect(value) else { throw layer.unsupported("\(key) must be numbers") }
            return out
        }
        return .scaling(.normalization(mean: try values("mean"), variance: try values("variance")))
    }

    /// Keras's std from a variance: max(√variance, 1e-7).
    static func std(_ variance: Float) -> Float { max(variance.squareRoot(), 1e-7) }

    static func onnx(_ graph: inout InferenceGraph, mean: [Float], std: [Float]) {
        let shape = graph.shape
        let meanName = graph.constant(graph.unique("normalization.mean"), dims: shape, mean)
        let stdName = graph.constant(graph.unique("normalization.std"), dims: shape, std)
        graph.apply("Sub", [meanName])
        graph.apply("Div", [stdName])
    }
}
