import JSON

// What ModelFormats (Keras and ONNX files) needs to see of a layer kind from
// outside the engine: its config in Keras's names, its weights with their
// Keras names and shapes, and building a layer from a class name and config.

extension LayerSpec {
    /// The layer of Keras class `className` from config fields in Keras's
    /// names (as the model file reads them); nil when dnb has no such kind.
    public init?(className: String, config: JSONValue) throws(LayerConfigError) {
        guard let kind = LayerRegistry.kind(className: className) else { return nil }
        self.init(try kind.init(config: config))
    }

    /// The config keys the kind of Keras class `className` reads; nil when dnb has no such kind.
    public static func configKeys(className: String) -> [String]? {
        LayerRegistry.kind(className: className)?.configKeys
    }

    /// The layer's config fields, Keras's names and values (`units`, `activation`).
    public var configMembers: [JSONValue.Member] { layer.config }

    /// The layer's weights on `input`, in buffer order: Keras's variable name
    /// (`kernel`, `moving_mean`), shape, and whether it is trainable (in the
    /// parameter buffer) or not (in the state buffer).
    public func weightShapes(input: [Int]) -> [(name: String, shape: [Int], trainable: Bool)] {
        layer.weights(input: input).map { ($0.name, $0.shape, $0.trainable) }
    }
}
