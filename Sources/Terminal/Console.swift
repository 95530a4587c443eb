import Glibc
import Interpreter

/// Prints the interpreter's output events. On a terminal, progress lines are
/// redrawn in place; otherwise they are dropped and only whole lines appear.
///
/// A progress line is drawn as `\r ESC[2K text`: back to column 1, erase the
/// line, draw. That erases only one screen row, so the text is clipped to the
/// terminal's width; a wrapped line would leave its first row behind on every
/// redraw. Three columns are kept free for the `^C` the terminal echoes when
/// the user interrupts, so that the echo does not wrap either.
public final class Console {
    /// Columns left free at the end of a progress line (see above).
    static let progressMargin = 3

    let isTerminal: Bool
    /// The terminal's width in columns, asked at every redraw (it may be resized); nil when unknown.
    private let columns: () -> Int?
    /// Writes text to a descriptor (standard output or error).
    private let output: (String, Int32) -> Void
    private var progressShowing = false

    public convenience init(isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.init(isTerminal: isTerminal, columns: Self.terminalColumns, output: Self.write(_:to:))
    }

    init(isTerminal: Bool, columns: @escaping () -> Int?, output: @escaping (String, Int32) -> Void) {
        self.isTerminal = isTerminal
        self.columns = columns
        self.output = output
    }

    public func show(_ event: OutputEvent) {
        switch event {
        case .text(let text), .result(let text):
            clearProgress()
            write(text + "\n")
        case .progress(let text):
            guard isTerminal else { return }
            write("\r\u{1B}[2K" + clipped(text))
            progressShowing = true
        case .plot(_, _, let preview):
            clearProgress()
            if let preview, isTerminal { write(preview + (preview.hasSuffix("\n") ? "" : "\n")) }
            for line in event.transcriptLines { write(line + "\n") }
        }
    }

    /// Errors go to standard error, after any progress line is cleared.
    public func error(_ text: String) {
        clearProgress()
        output(text + "\n", STDERR_FILENO)
    }

    /// A command finished: a progress line still showing is erased, so the
    /// next prompt starts on a clean line.
    public func endCommand() {
        clearProgress()
    }

    func clearProgress() {
        if progressShowing {
            write("\r\u{1B}[2K")
            progressShowing = false
        }
    }

    /// `text` cut to fit one row of the terminal, less the margin.
    func clipped(_ text: String) -> String {
        guard let columns = columns() else { return text }
        let room = max(1, columns - Self.progressMargin)
        return text.count <= room ? text : String(text.prefix(room))
    }

    private func write(_ text: String) {
        output(text, STDOUT_FILENO)
    }

    /// Standard output's width in columns, or nil when it is not a terminal.
    static func terminalColumns() -> Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Unbuffered, so output and errors interleave in the order they happen.
    public static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
