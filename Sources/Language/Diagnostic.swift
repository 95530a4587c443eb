/// A user-facing error with the place it points at. Every error the user
/// sees is turned into one of these and rendered by `rendered(file:sourceLines:)`.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// Where the problem is; nil for errors that belong to no line (e.g. a missing file given on the command line).
    public var span: SourceSpan?
    /// Extra lines printed after the caret, e.g. "note: did you mean 'fit'?".
    public var notes: [String]

    public init(_ message: String, at span: SourceSpan? = nil, notes: [String] = []) {
        self.message = message
        self.span = span
        self.notes = notes
    }

    public var description: String { message }

    /// `FILE:LINE:COL: error: message`, then the offending line and a caret
    /// under the span (`^~~~`). `sourceLines` are the physical lines of the
    /// source the span points into (1-based lines index it from 0).
    public func rendered(file: String?, sourceLines: [Substring]) -> String {
        var out = ""
        if let span {
            // At the prompt (no file) the line and caret below say where.
            if let file { out += "\(file):\(span.start.line):\(span.start.column): " }
        } else if let file {
            out += "\(file): "
        }
        // A message's first line heads the error; further lines (hints) follow the caret.
        let messageLines = message.split(separator: "\n", omittingEmptySubsequences: false)
        out += "error: \(messageLines.first ?? "")"
        if let span, span.start.line >= 1, span.start.line <= sourceLines.count {
            let text = sourceLines[span.start.line - 1]
            let lineText = String(text).replacingTabs()
            out += "\n    \(lineText)\n    "
            let lineLength = lineText.count
            let startColumn = min(span.start.column, lineLength + 1)
            let available = max(1, lineLength - startColumn + 1)
            out += String(repeating: " ", count: startColumn - 1)
            out += "^" + String(repeating: "~", count: max(0, min(span.length, available) - 1))
        }
        for line in messageLines.dropFirst() { out += "\n" + line }
        for note in notes { out += "\n" + note }
        return out
    }
}

extension String {
    /// Tabs shown as single spaces so the caret lines up with the column.
    fileprivate func replacingTabs() -> String {
        String(map { $0 == "\t" ? " " : $0 })
    }
}
