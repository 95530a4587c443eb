/// One Dense layer: `output = activation(dot(input, kernel) + bias)`.
///
/// The kernel has shape `(inputs, units)` (input-major, as in Keras) and the
/// bias has `units` values.
public struct DenseSpec: Equatable, Sendable {
    /// Width of the layer's output (Keras `units`), at least 1.
    public var units: Int
    /// Element-wise activation; `softmax` only on the last layer.
    public var activation: Activation

    public init(units: Int, activation: Activation) {
        self.units = units
        self.activation = activation
    }
}
