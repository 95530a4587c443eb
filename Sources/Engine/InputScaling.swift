/// How pixels become the model's input features: stored in a model file,
/// and applied row by row to pixel-backed `Examples` and
/// `Model.predict(pixels:count:scaling:)`.
///
/// The engine's neutral copy of the datasets module's `Normalization` (the
/// engine cannot import it), with the same arithmetic (see
/// `PixelConversion`); the interpreter converts between the two.
public enum InputScaling: Equatable, Sendable {
    /// x / 255, into [0, 1].
    case scale
    /// (x - mean[j]) / std[j] per feature j, with the training set's statistics.
    case standardize(mean: [Float], std: [Float])

    /// The name stored in the model file's metadata: `scale` or `standardize`.
    public var name: String {
        switch self {
        case .scale: "scale"
        case .standardize: "standardize"
        }
    }
}
