import Datasets
import Engine

/// The data a session works on: the images as bytes, and how `normalize`
/// said to turn them into features (the engine converts batch by batch, so no
/// float copy of the data set is ever held).
struct LoadedData: Equatable {
    var train: ImageSet
    var test: ImageSet
    var origin: String
    var scaling: InputScaling?

    var width: Int { train.rows * train.cols }
}

/// The engine's model (a class) as a value: copies share one `Model` until
/// one of them is trained, which first gives it its own copy. So a copy of
/// `SessionState` taken before a command is exactly the state before it.
struct ModelValue {
    /// For reading (predict, evaluate, save); never mutate through it.
    private(set) var model: Model
    /// What the next fit of this model carries on (its schedule, its
    /// plateau) and the run that trained it last; a new model starts afresh.
    var carried = CarriedTraining()

    init(_ model: Model) { self.model = model }

    /// The same model with other weights, trainable and not (Keras's
    /// `set_weights`, for restore_best_weights): the optimizer state stays.
    mutating func replaceWeights(with weights: ModelWeights) throws(EngineError) {
        let copy = try Model(architecture: model.architecture, parameters: weights.parameters, state: weights.state)
        copy.optimizerState = model.optimizerState
        model = copy
    }

    /// The model to train in place: this value's own, cloned if shared.
    mutating func forTraining() throws(EngineError) -> Model {
        if !isKnownUniquelyReferenced(&model) {
            model = model.copy()
        }
        return model
    }
}

/// A model's weights as Keras's `get_weights` has them: the trainable
/// parameters and the non-trainable state (moving statistics).
struct ModelWeights {
    var parameters: [Float]
    var state: [Float]
}

/// Everything a session can change. One value: a command runs on it, and a
/// command that fails leaves the value it started from (see `Session.execute`).
struct SessionState {
    var data: LoadedData?
    var model: ModelValue?
    /// Where the model came from, for `show model` ("built", or a file).
    var modelOrigin = ""
    /// How the model's inputs were scaled when it was trained (or as its file says).
    var modelScaling: InputScaling?
    /// Every finished epoch since the model was built or loaded.
    var history: [EpochMetrics] = []
    /// Every fit of the session, whatever model it trained (`show runs`, `show compare`).
    var runs: [Run] = []
    /// The validation fraction of the last `fit`, for `evaluate validation`.
    var lastValidationFraction = 0.0
    var settings = Settings()
    /// Parameters given on the command line (`-p name=value`); they win over `param` defaults.
    var parameterOverrides: [String: String] = [:]
    /// Parameters and the commands that succeeded: shared by every copy of
    /// this value, undone to a mark instead (see `SessionJournal`).
    let journal = SessionJournal()
    var parameters: [String: String] { journal.parameters }
    var declaredParameters: Set<String> { journal.declaredParameters }
    var successfulCommands: [String] { journal.successfulCommands }
}
