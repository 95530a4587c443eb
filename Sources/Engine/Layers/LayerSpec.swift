// The layers a sequential model may stack, with Keras's names, arguments,
// defaults and shapes.
//
// Shapes are per example (Keras's `None` batch axis left out): `[W]` for a
// flat input of W features, `[H, W, C]` for an image (channels last, NHWC in
// memory, as Keras stores it).

/// Keras's `padding` of a Conv2D layer.
public enum Padding: String, CaseIterable, Sendable, Equatable {
    /// No padding: `out = ⌊(in − kernel) / stride⌋ + 1`.
    case valid
    /// Zeros around the input so that `out = ⌈in / stride⌉`; TensorFlow's
    /// split: `total = max((out − 1)·stride + kernel − in, 0)`, `total / 2`
    /// before (top, left), the rest after.
    case same
}

/// One Conv2D layer: `output = activation(conv2d(input, kernel) + bias)`.
///
/// The kernel has Keras's shape `(kernelSize, kernelSize, C_in, filters)`
/// (HWIO) and the bias `filters` values.
public struct Conv2DSpec: Equatable, Sendable {
    /// Output channels (Keras `filters`), at least 1.
    public var filters: Int
    /// Height and width of the square kernel (Keras `kernel_size`), at least 1.
    public var kernelSize: Int
    /// Step between windows in both directions (Keras `strides`). Default 1.
    public var strides: Int
    /// `valid` (default) or `same`.
    public var padding: Padding
    /// Element-wise activation; not softmax. Default linear (Keras's `None`).
    public var activation: Activation

    public init(
        filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding = .valid, activation: Activation = .linear
    ) {
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.activation = activation
    }
}

/// One layer of a sequential model.
public enum LayerSpec: Equatable, Sendable {
    /// `activation(dot(input, kernel) + bias)` on a flat input.
    case dense(DenseSpec)
    /// 2-D convolution over an `[H, W, C]` input.
    case conv2D(Conv2DSpec)
    /// The maximum of each `poolSize × poolSize` window, stride `poolSize`,
    /// `valid` padding (Keras's defaults): `out = ⌊in / poolSize⌋`.
    case maxPooling2D(poolSize: Int)
    /// `[H, W, C]` to `[H·W·C]` in NHWC order (as Keras), so a Dense kernel
    /// after it has Keras's row order.
    case flatten
    /// In training, each value is zeroed with probability `rate` and the
    /// rest scaled by `1 / (1 − rate)` (inverted dropout, as Keras); the
    /// identity outside training. `rate` in [0, 1).
    case dropout(rate: Double)

    /// Keras's class name: `Dense`, `Conv2D`, `MaxPooling2D`, `Flatten`, `Dropout`.
    public var className: String {
        switch self {
        case .dense: "Dense"
        case .conv2D: "Conv2D"
        case .maxPooling2D: "MaxPooling2D"
        case .flatten: "Flatten"
        case .dropout: "Dropout"
        }
    }

    /// Keras's base layer name: `dense`, `conv2d`, `max_pooling2d`, `flatten`, `dropout`.
    public var baseName: String {
        switch self {
        case .dense: "dense"
        case .conv2D: "conv2d"
        case .maxPooling2D: "max_pooling2d"
        case .flatten: "flatten"
        case .dropout: "dropout"
        }
    }

    /// The activation of a layer that has one (dense, conv2d).
    var activation: Activation? {
        switch self {
        case .dense(let spec): spec.activation
        case .conv2D(let spec): spec.activation
        default: nil
        }
    }
}

/// One row of Keras's `model.summary()`: the layer's name (`conv2d_1`),
/// class, output shape per example and parameter count.
public struct LayerSummary: Equatable, Sendable {
    /// Keras's layer name: the base name, numbered per class from the second
    /// one on (`conv2d`, `conv2d_1`, ...).
    public var name: String
    /// Keras's class name, e.g. `Conv2D`.
    public var className: String
    /// Output shape per example, e.g. `[26, 26, 32]`.
    public var outputShape: [Int]
    /// Weights of the layer (kernel plus bias; 0 for pooling, flatten, dropout).
    public var parameterCount: Int

    /// Keras's spelling of the output shape with its batch axis: `(None, 26, 26, 32)`.
    public var outputShapeText: String { Architecture.shapeText(outputShape) }
}
