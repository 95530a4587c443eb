import Datasets
import Engine
import Language

extension Session {
    /// Notebooks may `run` each other, but not endlessly.
    static let maximumRunDepth = 8

    /// `run FILE.dnb`: replays another notebook in this session. An error
    /// inside it is reported at its own file, line and column.
    func runNotebook(_ command: Command) throws(Diagnostic) {
        let words = try expectWords(command, atMost: 1, usage: CommandSpecs.run.usage)
        _ = try options(command)
        guard let fileWord = words.first else {
            throw Diagnostic("run needs a notebook: run FILE.dnb", at: command.verb.span)
        }
        let path = resolve(fileWord.text)
        guard runStack.count < Self.maximumRunDepth else {
            throw Diagnostic(
                "notebooks run each other more than \(Self.maximumRunDepth) deep (\(runStack.joined(separator: " → ")))",
                at: fileWord.span)
        }
        let source: String
        do {
            source = try Self.readNotebook(path)
        } catch {
            throw Diagnostic(error.description.replacingOccurrences(of: path, with: fileWord.text), at: fileWord.span)
        }
        // Like any command, a `run` that fails leaves the session as it was;
        // the model is a reference, so its weights are copied aside too.
        let saved = state
        let savedModel = state.model.flatMap { model in
            (try? Model(architecture: model.architecture, parameters: model.parameters)).map { copy in
                copy.optimizerState = model.optimizerState
                return copy
            }
        }
        runStack.append(fileWord.text)
        defer { runStack.removeLast() }
        // The `run` line is what `save session` keeps, not the lines it replays.
        let recorded = state.successfulCommands
        if let failure = run(source: source, file: fileWord.text) {
            // Ctrl-C keeps what was done, as it does for a single fit.
            if !failure.interrupted {
                state = saved
                if saved.model != nil { state.model = savedModel }
                setComputeThreads(state.settings.threads)
            }
            nestedFailure = failure
            throw Diagnostic("in notebook \(fileWord.text)", at: fileWord.span)
        }
        state.successfulCommands = recorded
    }

    /// A notebook's text; refuses binary files and invalid UTF-8 with a clear message.
    public static func readNotebook(_ path: String) throws(DatasetError) -> String {
        try notebookText(try readFileBytes(path), name: path)
    }

    /// Notebook text from bytes (a file, or standard input), refusing what is
    /// not text with the line and column of the first bad byte.
    public static func notebookText(_ bytes: [UInt8], name: String) throws(DatasetError) -> String {
        var line = 1
        var lineStart = 0
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 {
                throw .malformed(
                    file: name, reason: "line \(line), column \(index - lineStart + 1): a NUL byte; this is not a text notebook")
            }
            if byte == 0x0A {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            // Find the first line that is not UTF-8, to say where.
            var number = 1
            for piece in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
                if String(validating: piece, as: UTF8.self) == nil { break }
                number += 1
            }
            throw .malformed(file: name, reason: "line \(number) is not UTF-8 text; save the notebook as UTF-8")
        }
        return text
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return components(separatedBy: target).joined(separator: replacement)
    }
}
