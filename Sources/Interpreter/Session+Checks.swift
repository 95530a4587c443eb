import Datasets
import Engine
import Language

/// Preconditions shared by handlers, each with the message that tells the
/// user what to run first.
extension Session {
    func requireData(for command: Command) throws(Diagnostic) -> LoadedData {
        guard let data = state.data else {
            throw Diagnostic("no data loaded: run `load mnist` first", at: command.verb.span)
        }
        return data
    }

    func requireModel(for command: Command) throws(Diagnostic) -> Model {
        guard let model = state.model else {
            throw Diagnostic(
                "no model yet: run `build dense 128 relu, dense 10 softmax` first", at: command.verb.span)
        }
        return model
    }

    /// Positional words after the verb: at most `maximum`, with an error at the first extra one.
    func expectWords(_ command: Command, atMost maximum: Int, usage: String) throws(Diagnostic) -> [Word] {
        let words = command.words
        if words.count > maximum {
            throw Diagnostic("unexpected '\(words[maximum].text)' — usage: \(usage)", at: words[maximum].span)
        }
        if command.items.contains(where: { if case .comma = $0 { true } else { false } }),
            let comma = command.items.first(where: { if case .comma = $0 { true } else { false } })
        {
            throw Diagnostic("unexpected ',' — usage: \(usage)", at: comma.span)
        }
        return words
    }

    /// A sub-word from a fixed list (`show data`), with "did you mean" on a typo.
    func choose(_ word: Word, from choices: [String], what: String) throws(Diagnostic) -> String {
        let lowered = word.text.lowercased()
        if choices.contains(lowered) { return lowered }
        var notes: [String] = []
        if let guess = closestMatch(to: lowered, among: choices) { notes.append("note: did you mean '\(guess)'?") }
        throw Diagnostic(
            "unknown \(what) '\(word.text)' — expected one of: \(choices.joined(separator: ", "))", at: word.span,
            notes: notes)
    }

    func options(_ command: Command) throws(Diagnostic) -> OptionValues {
        guard let spec = CommandTable.spec(named: command.verb.text) else { return OptionValues() }
        return try spec.validateOptions(of: command)
    }

    /// A span covering the verb and its words, for errors about the whole command.
    func wholeSpan(_ command: Command) -> SourceSpan {
        var end = command.verb.span.start.column + command.verb.span.length
        for item in command.items where item.span.start.line == command.verb.span.start.line {
            end = max(end, item.span.start.column + item.span.length)
        }
        for option in command.options where option.value.span.start.line == command.verb.span.start.line {
            end = max(end, option.value.span.start.column + option.value.span.length)
        }
        return SourceSpan(start: command.verb.span.start, length: end - command.verb.span.start.column)
    }

    /// A path as the user wrote it, resolved against the working directory.
    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" { return environment.homeDirectory }
        if path.hasPrefix("~/") { return environment.homeDirectory + String(path.dropFirst(1)) }
        return environment.currentDirectory + "/" + path
    }
}
