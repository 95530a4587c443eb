/// Parses statements into commands.
public enum Parser {
    /// The command on a statement, or nil for a blank/comment-only line.
    public static func parse(_ statement: Statement) throws(Diagnostic) -> Command? {
        let tokens = try Lexer.tokens(of: statement)
        guard let first = tokens.first else { return nil }
        guard case .word(let verb) = first, !verb.quoted else {
            let span: SourceSpan
            switch first {
            case .word(let word): span = word.span
            case .option(let option): span = option.span
            case .comma(let comma): span = comma
            }
            throw Diagnostic("a command starts with a verb (help lists commands)", at: span)
        }
        var command = Command(verb: Word(text: verb.text.lowercased(), span: verb.span))
        // Where each key was first given in the current comma-separated group
        // (`build conv ... padding=same, conv ... padding=same` gives each layer
        // its own): the repeat check stays linear in the options.
        var firstKeys: [String: SourceSpan] = [:]
        for token in tokens.dropFirst() {
            switch token {
            case .word(let word): command.items.append(.word(word))
            case .comma(let span):
                command.items.append(.comma(span))
                firstKeys.removeAll(keepingCapacity: true)
            case .option(let option):
                if let earlier = firstKeys.updateValue(option.key.span, forKey: option.key.text) {
                    let first = earlier.start
                    let place =
                        first.line == option.key.span.start.line
                        ? "column \(first.column)" : "line \(first.line), column \(first.column)"
                    throw Diagnostic("option '\(option.key.text)' is given twice (first at \(place))", at: option.key.span)
                }
                command.options.append(option)
            }
        }
        return command
    }

    /// Parses one typed line.
    public static func parse(line: String, number: Int = 1) throws(Diagnostic) -> Command? {
        try parse(Statement(line: line, number: number))
    }
}
