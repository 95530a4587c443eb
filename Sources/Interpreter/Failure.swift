import Language

/// A command that failed: the diagnostic, and the source it points into, so
/// the front end can render `FILE:LINE:COL: error: ...` with the line and a caret.
public struct Failure: Error, Sendable {
    public var diagnostic: Diagnostic
    /// The notebook's path as the user named it; nil for a line typed at the prompt.
    public var file: String?
    public var sourceLines: [Substring]
    /// True when Ctrl-C stopped the command (exit code 130 in batch mode).
    public var interrupted: Bool

    public init(diagnostic: Diagnostic, file: String?, sourceLines: [Substring], interrupted: Bool = false) {
        self.diagnostic = diagnostic
        self.file = file
        self.sourceLines = sourceLines
        self.interrupted = interrupted
    }

    /// The one rendering of an error the user sees.
    public var rendered: String { diagnostic.rendered(file: file, sourceLines: sourceLines) }
}
