/// What a command produces. The interpreter never prints; its front end
/// (the REPL or batch runner) decides how each event is shown.
public enum OutputEvent: Equatable, Sendable {
    /// Lines of text, without a trailing newline.
    case text(String)
    /// The value a command computed (`evaluate`'s loss and accuracy): a line
    /// of text at the prompt and in a notebook, a Jupyter `execute_result`
    /// (the cell's `Out[n]`) in the kernel.
    case result(String)
    /// A status line that replaces the previous one (a live progress bar).
    /// Front ends that are not terminals ignore it.
    case progress(String)
    /// A plot was written: its script, the image (nil when not rendered), and
    /// an optional terminal preview (ASCII chart or block-character digits).
    case plot(script: String, image: String?, preview: String?)
}

extension OutputEvent {
    /// Progress lines are redrawn in place and never recorded.
    public var isTransient: Bool {
        if case .progress = self { true } else { false }
    }

    /// The lines this event shows, as printed and as recorded under a
    /// command in a notebook (`#>` lines). Previews are not included.
    public var transcriptLines: [String] {
        switch self {
        case .text(let text), .result(let text):
            text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        case .progress:
            []
        case .plot(let script, let image?, _):
            ["wrote \(image) (script \(script))"]
        case .plot(let script, nil, _):
            ["wrote \(script) (gnuplot is not installed — render it with: gnuplot \(script))"]
        }
    }
}
