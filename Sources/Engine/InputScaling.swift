/// How pixels became the model's input features, as stored in a model file.
///
/// The engine's neutral copy of the datasets module's `Normalization` (the
/// engine cannot import it); the interpreter converts between the two.
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
