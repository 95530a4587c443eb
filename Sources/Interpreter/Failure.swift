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

    /// The one rendering of an error the user sees: `FILE:LINE:COL: error: ...`
    /// with the line and a caret in batch, the same without the file at the prompt.
    public var rendered: String { diagnostic.rendered(file: file, sourceLines: sourceLines) }

    /// The same error as a Jupyter kernel's `error` message: `ename`, `evalue`
    /// (the message) and `traceback` (the rendered lines). An interrupt is
    /// Jupyter's `KeyboardInterrupt`, and its message alone: it is no fault
    /// of the line, so nothing points into it.
    public var jupyterError: (ename: String, evalue: String, traceback: [String]) {
        guard !interrupted else {
            return ("KeyboardInterrupt", diagnostic.message, [diagnostic.message] + diagnostic.notes)
        }
        return (
            "DnbError", diagnostic.message,
            rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        )
    }
}
