import Glibc
import Interpreter

/// Prints the interpreter's output events. On a terminal, progress lines are
/// redrawn in place; otherwise they are dropped and only whole lines appear.
public final class Console {
    let isTerminal: Bool
    private var progressShowing = false

    public init(isTerminal: Bool = isatty(STDOUT_FILENO) == 1) {
        self.isTerminal = isTerminal
    }

    public func show(_ event: OutputEvent) {
        switch event {
        case .text(let text):
            clearProgress()
            write(text + "\n")
        case .progress(let text):
            guard isTerminal else { return }
            write("\r\u{1B}[2K" + text)
            progressShowing = true
        case .plot(let script, let image, let preview):
            clearProgress()
            if let preview, isTerminal { write(preview + (preview.hasSuffix("\n") ? "" : "\n")) }
            if let image {
                write("wrote \(image) (script \(script))\n")
            } else {
                write("wrote \(script) (render it with: gnuplot \(script))\n")
            }
        }
    }

    /// Errors go to standard error, after any progress line is cleared.
    public func error(_ text: String) {
        clearProgress()
        Self.write(text + "\n", to: STDERR_FILENO)
    }

    func clearProgress() {
        if progressShowing {
            write("\r\u{1B}[2K")
            progressShowing = false
        }
    }

    private func write(_ text: String) {
        Self.write(text, to: STDOUT_FILENO)
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
