import Datasets
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
        runStack.append(fileWord.text)
        defer { runStack.removeLast() }
        if let failure = run(source: source, file: fileWord.text) {
            nestedFailure = failure
            throw Diagnostic("in notebook \(fileWord.text)", at: fileWord.span)
        }
    }

    /// A notebook's text; refuses binary files and invalid UTF-8 with a clear message.
    public static func readNotebook(_ path: String) throws(DatasetError) -> String {
        let bytes = try readFileBytes(path)
        guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed(file: path, reason: "not a text notebook (binary or not UTF-8)")
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
