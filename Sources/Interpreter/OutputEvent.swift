/// What a command produces. The interpreter never prints; its front end
/// (the REPL or batch runner) decides how each event is shown.
public enum OutputEvent: Equatable, Sendable {
    /// Lines of text, without a trailing newline.
    case text(String)
    /// A status line that replaces the previous one (a live progress bar).
    /// Front ends that are not terminals ignore it.
    case progress(String)
    /// A plot was written: its script, the image (nil when not rendered), and
    /// an optional terminal preview (ASCII chart or block-character digits).
    case plot(script: String, image: String?, preview: String?)
}
