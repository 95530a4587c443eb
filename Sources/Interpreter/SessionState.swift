import Datasets
import Engine

/// The data a session works on: the images as bytes, and how `normalize`
/// said to turn them into features (the engine converts batch by batch, so no
/// float copy of the data set is ever held).
struct LoadedData {
    var train: ImageSet
    var test: ImageSet
    var origin: String
    var normalization: Normalization?

    var width: Int { train.rows * train.cols }
}

/// Everything a session can change. One value, so it is clear what a
/// command may touch.
struct SessionState {
    var data: LoadedData?
    var model: Model?
    /// Where the model came from, for `show model` ("built", or a file).
    var modelOrigin = ""
    /// How the model's inputs were normalized when it was trained (or as its file says).
    var modelNormalization: Normalization?
    /// Every finished epoch since the model was built or loaded.
    var history: [EpochMetrics] = []
    /// The validation fraction of the last `fit`, for `evaluate validation`.
    var lastValidationFraction = 0.0
    var settings = Settings()
    /// Notebook parameters (`param`), used as `$name`.
    var parameters: [String: String] = [:]
    /// Names declared by `param` lines.
    var declaredParameters: Set<String> = []
    /// Parameters given on the command line (`-p name=value`); they win over `param` defaults.
    var parameterOverrides: [String: String] = [:]
    /// The source of every command that succeeded, for `save session`.
    var successfulCommands: [String] = []
}
