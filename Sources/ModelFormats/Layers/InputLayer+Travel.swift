import Engine
import JSON

/// InputLayer: the shape of one example. Keras 3 writes `batch_shape`
/// (`[null, 28, 28]`), Keras 2 `batch_input_shape`. A (28, 28) input is
/// taken as (28, 28, 1) before a Conv2D and as 784 features before a
/// Flatten (TensorFlow's quickstart).
enum InputLayerTravel {
    static let kerasClassNames = ["InputLayer"]

    static func keras(_ shape: [Int]) -> (className: String, config: [JSONValue.Member]) {
        (
            "InputLayer",
            [
                .init(key: "batch_shape", value: .array([.null] + shape.map { .number($0) })),
                .init(key: "dtype", value: .string("float32")), .init(key: "sparse", value: .bool(false)),
                .init(key: "ragged", value: .bool(false)), .init(key: "name", value: .string("input_layer")),
            ]
        )
    }

    static func read(_ layer: KerasLayerIn) throws(ModelFormatError) -> KerasLayerRead {
        guard let shape = batchShape(layer.config["batch_shape"] ?? layer.config["batch_input_shape"]) else {
            throw layer.unsupported("needs batch_shape, a list like [null, 28, 28] of positive sizes")
        }
        return .input(shape: shape)
    }

    /// `[null, 28, 28]` to `[28, 28]`; nil unless every size after the batch axis is positive.
    static func batchShape(_ value: JSONValue?) -> [Int]? {
        guard case .array(let dims)? = value, dims.count >= 2 else { return nil }
        var shape: [Int] = []
        for dim in dims.dropFirst() {
            guard let size = dim.integer, size > 0, size <= 1 << 20 else { return nil }
            shape.append(size)
        }
        return shape
    }
}
