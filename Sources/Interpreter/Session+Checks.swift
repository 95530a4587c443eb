import Engine
import HostIO
import Language

/// Preconditions shared by handlers, each with the message that tells the
/// user what to run first. (Syntax is checked before any handler runs: see
/// `CommandSpec.bind`.)
extension Session {
    func requireData(for invocation: Invocation) throws(Diagnostic) -> LoadedData {
        guard let data = state.data else {
            throw Diagnostic("no data loaded: run `load mnist` first", at: invocation.verb.span)
        }
        return data
    }

    /// The model, for reading; `fit` trains `state.model` through `ModelValue.forTraining()`.
    func requireModel(for invocation: Invocation) throws(Diagnostic) -> Model {
        guard let model = state.model?.model else {
            throw Diagnostic(
                "no model yet: run `build dense 128 relu, dense 10 softmax` first", at: invocation.verb.span)
        }
        return model
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
}
