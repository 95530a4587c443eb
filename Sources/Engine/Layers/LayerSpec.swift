/// One row of Keras's `model.summary()`: the layer's name (`conv2d_1`),
/// class, output shape per example and parameter counts.
public struct LayerSummary: Equatable, Sendable {
    /// Keras's layer name: the base name, numbered per class from the second
    /// one on (`conv2d`, `conv2d_1`, ...).
    public var name: String
    /// Keras's class name, e.g. `Conv2D`.
    public var className: String
    /// Output shape per example, e.g. `[26, 26, 32]`.
    public var outputShape: [Int]
    /// Weights of the layer, trainable or not (kernel plus bias, say; 0 for a layer without weights).
    public var parameterCount: Int
    /// The non-trainable part of `parameterCount` (batch normalization's moving statistics).
    public var nonTrainableCount: Int = 0

    /// Keras's spelling of the output shape with its batch axis: `(None, 26, 26, 32)`.
    public var outputShapeText: String { Architecture.shapeText(outputShape) }
}
