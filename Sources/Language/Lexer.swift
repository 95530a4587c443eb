/// A token of one logical line.
enum Token: Equatable {
    case word(Word)
    case option(OptionArgument)
    case comma(SourceSpan)
}

/// Turns a statement's characters into words, `key=value` options and commas.
/// Words are separated by blanks; `"..."` quotes a word with blanks (`\"` and
/// `\\` inside); `#` after a blank starts a comment.
enum Lexer {
    /// Longest command accepted, continuations joined: 100,000 characters
    /// (a long `build` line has a few hundred). Past it, the command is
    /// refused before it is split into words.
    static let maximumStatementLength = 100_000
    /// Longest word or `key=value` accepted: 4,096 characters, Linux's
    /// longest path (PATH_MAX).
    static let maximumWordLength = 4096

    static func tokens(of statement: Statement) throws(Diagnostic) -> [Token] {
        let text = statement.text
        let locations = statement.locations
        func span(_ range: Range<Int>) -> SourceSpan {
            let start = locations[range.lowerBound]
            let end = locations[max(range.lowerBound, range.upperBound - 1)]
            let length = end.line == start.line ? end.column - start.column + 1 : 1
            return SourceSpan(start: start, length: length)
        }
        guard text.count <= maximumStatementLength else {
            throw Diagnostic(
                "the line is longer than \(maximumStatementLength) characters; split it over several commands",
                at: span(maximumStatementLength..<maximumStatementLength + 1))
        }
        func checkLength(of wordStart: Int, at index: Int) throws(Diagnostic) {
            guard index - wordStart < maximumWordLength else {
                throw Diagnostic(
                    "a word longer than \(maximumWordLength) characters (no path or value is that long)",
                    at: span(wordStart..<wordStart + 1))
            }
        }
        var tokens: [Token] = []
        var index = 0
        while index < text.count {
            let character = text[index]
            if character == " " || character == "\t" {
                index += 1
                continue
            }
            if character == "#" { break }
            if character == "," {
                tokens.append(.comma(span(index..<index + 1)))
                index += 1
                continue
            }
            // A raw token: up to a blank or a comma outside quotes.
            let start = index
            var value = ""
            var quoted = false
            var equalsAt: Int?  // index into `value` of the first unquoted '='
            var valueStartIndex: Int?  // index into `text` where the value begins
            while index < text.count {
                let c = text[index]
                if c == " " || c == "\t" || c == "," { break }
                try checkLength(of: start, at: index)
                if c == "\"" {
                    quoted = true
                    let open = index
                    index += 1
                    var closed = false
                    while index < text.count {
                        try checkLength(of: start, at: index)
                        let q = text[index]
                        if q == "\\", index + 1 < text.count, text[index + 1] == "\"" || text[index + 1] == "\\" {
                            value.append(text[index + 1])
                            index += 2
                            continue
                        }
                        if q == "\"" {
                            closed = true
                            index += 1
                            break
                        }
                        value.append(q)
                        index += 1
                    }
                    if !closed {
                        throw Diagnostic("unterminated string: add a closing '\"'", at: span(open..<text.count))
                    }
                    continue
                }
                if c == "=", equalsAt == nil, !quoted {
                    equalsAt = value.count
                    valueStartIndex = index + 1
                }
                value.append(c)
                index += 1
            }
            let whole = span(start..<index)
            if let equalsAt, let valueStartIndex {
                let key = String(value.prefix(equalsAt))
                let optionValue = String(value.dropFirst(equalsAt + 1))
                let keySpan = span(start..<max(start + 1, valueStartIndex - 1))
                guard isIdentifier(key) else {
                    let message =
                        key.isEmpty
                        ? "missing option name before '='" : "'\(key)' is not an option name (letters, digits and _)"
                    throw Diagnostic(message, at: key.isEmpty ? span(start..<start + 1) : keySpan)
                }
                guard !optionValue.isEmpty else {
                    throw Diagnostic("missing value after '\(key)='", at: whole)
                }
                let valueSpan = valueStartIndex < index ? span(valueStartIndex..<index) : whole
                tokens.append(
                    .option(
                        OptionArgument(
                            key: Word(text: key, span: keySpan),
                            value: Word(text: optionValue, span: valueSpan, quoted: quoted))))
            } else {
                guard !value.isEmpty else { throw Diagnostic("an empty word (\"\") means nothing here", at: whole) }
                tokens.append(.word(Word(text: value, span: whole, quoted: quoted)))
            }
        }
        return tokens
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }
}
