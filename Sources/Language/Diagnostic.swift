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

    /// Characters of the line shown on each side of a span in a long line.
    static let context = 60
    /// The longest caret underline drawn.
    static let maximumCaret = 80
    /// The longest message line shown (a 1 MB word inside a message is cut).
    static let maximumMessageLength = 300

    static func shortened(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "… (\(text.count - limit) more characters)"
    }

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
        out += "error: " + Self.shortened(String(messageLines.first ?? ""), to: Self.maximumMessageLength)
        if let span, span.start.line >= 1, span.start.line <= sourceLines.count {
            let line = Array(String(sourceLines[span.start.line - 1]).replacingTabs())
            // Very long lines are shown as a window around the span, with "…" where cut.
            let start = min(max(span.start.column - 1, 0), line.count)
            let length = max(1, min(span.length, line.count - start))
            let first = start > Self.context + 40 ? start - Self.context : 0
            let last = min(line.count, max(start + min(length, Self.maximumCaret) + Self.context, first + 2 * Self.context))
            let lead = first > 0 ? "…" : ""
            let trail = last < line.count ? "…" : ""
            out += "\n    " + lead + String(line[first..<last]) + trail + "\n    "
            out += String(repeating: " ", count: lead.count + start - first)
            out += "^" + String(repeating: "~", count: max(0, min(length, Self.maximumCaret, last - start) - 1))
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
