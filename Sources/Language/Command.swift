/// A word as written, with where it was written. Quoted words keep their
/// unquoted text.
public struct Word: Equatable, Sendable {
    public var text: String
    public var span: SourceSpan
    public var quoted: Bool

    public init(text: String, span: SourceSpan, quoted: Bool = false) {
        self.text = text
        self.span = span
        self.quoted = quoted
    }
}

/// `key=value`.
public struct OptionArgument: Equatable, Sendable {
    public var key: Word
    public var value: Word

    /// From the start of the key to the end of the value.
    public var span: SourceSpan {
        let end =
            value.span.start.line == key.span.start.line
            ? value.span.start.column + value.span.length : key.span.start.column + key.span.length
        return SourceSpan(start: key.span.start, length: end - key.span.start.column)
    }
}

/// A positional item: a word, or the comma that separates groups
/// (`build dense 128 relu, dense 10 softmax`).
public enum Item: Equatable, Sendable {
    case word(Word)
    case comma(SourceSpan)

    public var span: SourceSpan {
        switch self {
        case .word(let word): word.span
        case .comma(let span): span
        }
    }
}

/// One command: a verb, positional items, then `key=value` options.
public struct Command: Equatable, Sendable {
    public var verb: Word
    public var items: [Item]
    public var options: [OptionArgument]

    public init(verb: Word, items: [Item] = [], options: [OptionArgument] = []) {
        self.verb = verb
        self.items = items
        self.options = options
    }

    /// The positional words, without commas.
    public var words: [Word] {
        items.compactMap { if case .word(let word) = $0 { word } else { nil } }
    }

    /// Positional words split at commas: `dense 128 relu, dense 10 softmax`
    /// gives two groups.
    public var groups: [[Word]] {
        var result: [[Word]] = [[]]
        for item in items {
            switch item {
            case .word(let word): result[result.count - 1].append(word)
            case .comma: result.append([])
            }
        }
        return result
    }

    public func option(_ key: String) -> OptionArgument? {
        options.first { $0.key.text == key }
    }

    /// Replaces `$name` and `${name}` in every word and option value with the
    /// notebook parameter's value. An undeclared name is an error at its place.
    public func substitutingParameters(_ values: [String: String]) throws(Diagnostic) -> Command {
        var copy = self
        for index in copy.items.indices {
            if case .word(let word) = copy.items[index] {
                copy.items[index] = .word(try word.substituting(values))
            }
        }
        for index in copy.options.indices {
            copy.options[index].value = try copy.options[index].value.substituting(values)
        }
        return copy
    }
}

extension Word {
    func substituting(_ values: [String: String]) throws(Diagnostic) -> Word {
        guard !quoted, text.contains("$") else { return self }
        var result = ""
        var characters = Array(text)[...]
        var offset = 0
        while let character = characters.first {
            guard character == "$" else {
                result.append(character)
                characters = characters.dropFirst()
                offset += 1
                continue
            }
            let braced = characters.dropFirst().first == "{"
            var nameStart = characters.dropFirst(braced ? 2 : 1)
            var name = ""
            while let next = nameStart.first, next.isLetter || next.isNumber || next == "_" {
                name.append(next)
                nameStart = nameStart.dropFirst()
            }
            var consumed = (braced ? 2 : 1) + name.count
            let here = SourceSpan(line: span.start.line, column: span.start.column + offset, length: consumed)
            if braced {
                guard nameStart.first == "}" else {
                    throw Diagnostic("missing '}' after '${\(name)'", at: here)
                }
                consumed += 1
            }
            guard !name.isEmpty else {
                throw Diagnostic("'$' must be followed by a parameter name, as in $hidden", at: here)
            }
            guard let value = values[name] else {
                let known = values.keys.sorted()
                var notes: [String] = []
                if let guess = closestMatch(to: name, among: known) {
                    notes.append("note: did you mean '$\(guess)'?")
                }
                throw Diagnostic(
                    "unknown parameter '$\(name)' (declare it first with: param \(name)=VALUE)", at: here,
                    notes: notes)
            }
            result += value
            characters = characters.dropFirst(consumed)
            offset += consumed
        }
        return Word(text: result, span: span, quoted: quoted)
    }
}
