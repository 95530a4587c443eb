// Errors the engine reports. Every case carries the user-facing detail; the
// text is rendered in exactly one place, `description`.

/// What went wrong in the engine, as data. `description` is the message the
/// interpreter shows after `error: `.
public enum EngineError: Error, Equatable, Sendable {
    /// The layer stack cannot be built (bad units, softmax placement, size).
    case invalidArchitecture(String)
    /// A value passed to the engine is out of range (epochs, batch size, labels, hyperparameters).
    case invalidArgument(String)
    /// Array sizes do not agree (feature width, parameter count).
    case shapeMismatch(String)
}

extension EngineError: CustomStringConvertible {
    /// A one-line, user-facing message, e.g.
    /// `invalid architecture: layer 1: units must be a positive integer. Received: units=-3`.
    public var description: String {
        switch self {
        case .invalidArchitecture(let detail): "invalid architecture: \(detail)"
        case .invalidArgument(let detail): detail
        case .shapeMismatch(let detail): "shape mismatch: \(detail)"
        }
    }
}
