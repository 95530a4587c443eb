import Datasets
import Engine
import HostIO
import Language

/// What handlers share: the data and the model, each with the message that
/// tells the user what to run first, the data as the engine reads it, and
/// files as the user named them. (Syntax is checked before any handler
/// runs: see `CommandSpec.bind`.)
extension Session {
    func requireData(for invocation: Invocation) throws(Diagnostic) -> LoadedData {
        guard let data = state.data else {
            throw Diagnostic("no data loaded: run `load mnist` first", at: invocation.verb.span)
        }
        return data
    }

    /// The model, for reading; `fit` trains its own copy (see `modelValue(for:)`).
    func requireModel(for invocation: Invocation) throws(Diagnostic) -> Model {
        try modelValue(for: invocation).model
    }

    /// The model as a value: training it (`ModelValue.forTraining()`) leaves the session's untouched.
    func modelValue(for invocation: Invocation) throws(Diagnostic) -> ModelValue {
        guard let value = state.model else {
            throw Diagnostic(
                "no model yet: run `build dense 128 relu, dense 10 softmax` first", at: invocation.verb.span)
        }
        return value
    }

    /// A path as the user wrote it, resolved against the working directory.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" { return environment.homeDirectory }
        if path.hasPrefix("~/") { return environment.homeDirectory + String(path.dropFirst(1)) }
        return environment.currentDirectory + "/" + path
    }

    /// The bytes of the file the user named with `word`; an error says
    /// which file as the user wrote it, at that word.
    func read(_ word: Word) throws(Diagnostic) -> [UInt8] {
        do {
            return try host.read(resolve(word.text))
        } catch {
            throw Diagnostic(error.message(naming: word.text), at: word.span)
        }
    }

    /// Writes the file the user named with `word` (atomically, folders created).
    func write(_ bytes: [UInt8], to word: Word) throws(Diagnostic) {
        do {
            try host.write(bytes, to: resolve(word.text), newFileMode: 0o644, creatingFolders: true)
        } catch {
            throw Diagnostic(error.message(naming: word.text), at: word.span)
        }
    }

    /// A split's images and labels, as the engine reads them: the pixels
    /// themselves, converted with the session's normalization as batches are gathered.
    func examples(_ split: String, for invocation: Invocation) throws(Diagnostic) -> Examples {
        let data = try requireData(for: invocation)
        let set = split == "test" ? data.test : data.train
        guard set.count > 0 else {
            throw Diagnostic("the \(split) set is empty (load idx with a test pair, or load mnist)", at: invocation.wholeSpan)
        }
        let all = try examples(of: set, in: data, for: invocation)
        guard split == "validation" else { return all }
        guard state.lastValidationFraction > 0 else {
            throw Diagnostic("no validation split: fit with validation=0.2 first (or evaluate test)", at: invocation.wholeSpan)
        }
        do throws(EngineError) {
            if let validation = try all.splitForValidation(state.lastValidationFraction).validation { return validation }
            throw .invalidArgument("no validation rows")
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
    }

    /// All of `set`, normalized as the model's inputs were when it was
    /// trained (or as its file says); for a model not trained yet, as
    /// `normalize` said. `fit` passes `forTraining` to use the data's.
    func examples(
        of set: ImageSet, in data: LoadedData, for invocation: Invocation, forTraining: Bool = false
    ) throws(Diagnostic) -> Examples {
        guard let scaling = (forTraining ? nil : state.modelScaling) ?? data.scaling else {
            throw Diagnostic("the data is not normalized yet: run `normalize` first (Keras: x / 255.0)", at: invocation.verb.span)
        }
        do {
            return try Examples(pixels: set.pixels, labels: set.labels, width: data.width, scaling: scaling)
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
    }
}
