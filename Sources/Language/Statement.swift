/// One logical line of a notebook (physical lines joined by a trailing `\`),
/// with the `#>` output lines recorded under it.
public struct Statement: Equatable, Sendable {
    var text: [Character]
    var locations: [SourceLocation]

    /// A single typed line (the REPL's input), numbered `line`.
    public init(line text: String, number line: Int = 1) {
        self.text = Array(text)
        self.locations = (0..<self.text.count).map { SourceLocation(line: line, column: $0 + 1) }
        self.line = line
        self.lastLine = line
        self.recordedOutput = []
    }

    init(text: [Character], locations: [SourceLocation], line: Int, lastLine: Int, recordedOutput: [String]) {
        self.text = text
        self.locations = locations
        self.line = line
        self.lastLine = lastLine
        self.recordedOutput = recordedOutput
    }
    /// First physical line (1-based).
    public var line: Int
    /// Last physical line, past any continuation.
    public var lastLine: Int
    /// `#>` lines that followed it, without the `#> ` prefix.
    public var recordedOutput: [String]

    /// The logical line's text as the user wrote it (continuations joined with a space).
    public var source: String { String(text) }

    /// True when nothing but blanks and comments: nothing to run.
    public var isBlank: Bool {
        (try? Lexer.tokens(of: self).isEmpty) ?? false
    }

}

/// Splits notebook text into statements: `#` comments, trailing-`\`
/// continuations and `#>` recorded-output lines.
public enum NotebookSplitter {
    /// Physical lines, as diagnostics quote them. `\n`, `\r\n` and a lone
    /// `\r` all end a line (Swift counts `\r\n` as one character, so the
    /// split is done on Unicode scalars); a leading byte-order mark is dropped.
    public static func lines(of source: String) -> [Substring] {
        let scalars = source.unicodeScalars
        var start = scalars.startIndex
        if scalars.first == "\u{FEFF}" { start = scalars.index(after: start) }
        var lines: [Substring] = []
        var index = start
        while index < scalars.endIndex {
            let scalar = scalars[index]
            guard scalar == "\n" || scalar == "\r" else {
                index = scalars.index(after: index)
                continue
            }
            lines.append(Substring(scalars[start..<index]))
            index = scalars.index(after: index)
            if scalar == "\r", index < scalars.endIndex, scalars[index] == "\n" { index = scalars.index(after: index) }
            start = index
        }
        lines.append(Substring(scalars[start...]))
        return lines
    }

    /// Every statement, including blank ones (so recorded outputs stay with
    /// their command). `firstLine` numbers the first physical line.
    public static func statements(in source: String, firstLine: Int = 1) -> [Statement] {
        var statements: [Statement] = []
        var pending: Statement?
        for (offset, physical) in lines(of: source).enumerated() {
            let lineNumber = firstLine + offset
            let trimmed = physical.drop { $0 == " " || $0 == "\t" }
            if pending == nil, trimmed.hasPrefix("#>") {
                var output = trimmed.dropFirst(2)
                if output.first == " " { output = output.dropFirst() }
                if let last = statements.indices.last {
                    statements[last].recordedOutput.append(String(output))
                }
                continue
            }
            // A comment line inside a continuation is skipped; the command goes on below it.
            if pending != nil, isCommentLine(physical) { continue }
            // Past the longest command, characters are not kept: the lexer
            // refuses the line at that column, and a 2 MB line costs no more.
            var characters = Array(physical.prefix(Lexer.maximumStatementLength + 1))
            var locations = (0..<characters.count).map { SourceLocation(line: lineNumber, column: $0 + 1) }
            let continues = endsWithContinuation(characters)
            if continues {
                // Drop the backslash and what follows it; a space stands for the line break.
                let index = characters.lastIndex(of: "\\") ?? characters.count - 1
                characters.removeSubrange(index...)
                locations.removeSubrange(index...)
                characters.append(" ")
                locations.append(SourceLocation(line: lineNumber, column: index + 1))
            }
            if pending != nil {
                // Appended in place: a copy per joined line made long continuations quadratic.
                if let length = pending?.text.count, length <= Lexer.maximumStatementLength {
                    pending?.text += characters
                    pending?.locations += locations
                }
                pending?.lastLine = lineNumber
            } else {
                pending = Statement(
                    text: characters, locations: locations, line: lineNumber, lastLine: lineNumber,
                    recordedOutput: [])
            }
            if !continues, let finished = pending {
                statements.append(finished)
                pending = nil
            }
        }
        if let finished = pending { statements.append(finished) }
        return statements
    }

    /// A line continues when its last non-blank character, outside a comment
    /// and a string, is a backslash.
    public static func endsWithContinuation(_ line: [Character]) -> Bool {
        var inString = false
        var escaped = false
        var last: Character?
        var previous: Character = " "
        for character in line {
            if inString {
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
                last = character
                previous = character
                continue
            }
            if character == "#", previous == " " || previous == "\t" || last == nil { return false }
            if character == "\"" { inString = true }
            if character != " " && character != "\t" { last = character }
            previous = character
        }
        return !inString && last == "\\"
    }

    /// True when the line holds only a comment (its first non-blank is `#`).
    /// After a trailing `\` such a line is skipped, and the command continues
    /// on the next line.
    public static func isCommentLine(_ line: some StringProtocol) -> Bool {
        line.first { $0 != " " && $0 != "\t" } == "#"
    }

    /// True when a typed line asks for another line (trailing `\`): the REPL
    /// then shows its continuation prompt.
    public static func needsContinuation(_ line: String) -> Bool {
        endsWithContinuation(Array(line))
    }
}
