import Glibc

/// What reading one line of input gave.
enum LineInput: Equatable, Sendable {
    /// A line, without its line break.
    case line(String)
    /// Ctrl-C at the prompt: what was typed is dropped.
    case interrupted
    /// Ctrl-D on an empty line, or the end of the input.
    case end
}

/// Where the REPL's lines come from: the line editor on a terminal, plain
/// lines otherwise (and a script in tests).
protocol LineReader {
    /// Whether a person is typing (show a banner and prompts, keep history).
    var isInteractive: Bool { get }
    /// Shows `prompt` (when interactive) and reads one line.
    func read(prompt: String) -> LineInput
    /// The history that Up and Ctrl-R walk through, oldest first.
    func useHistory(_ entries: [String])
    /// The `$parameters` that completion offers.
    func useParameterNames(_ names: [String])
}

/// Plain lines from standard input: no prompt, no escape codes, no history.
///
/// Reads with `read(2)` rather than `Swift.readLine`: after Ctrl-C interrupts
/// a blocked read (EINTR), glibc's `getline` on stdin can spin forever.
final class PlainLineReader: LineReader {
    private let descriptor: Int32
    /// Bytes read past the last line returned.
    private var pending: [UInt8] = []
    private var atEnd = false

    init(descriptor: Int32 = STDIN_FILENO) {
        self.descriptor = descriptor
    }

    var isInteractive: Bool { false }

    func read(prompt: String) -> LineInput {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = pending[..<newline]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                pending.removeSubrange(...newline)
                return .line(String(decoding: line, as: UTF8.self))
            }
            if atEnd {
                // A last line without a line break still counts.
                guard !pending.isEmpty else { return .end }
                defer { pending = [] }
                return .line(String(decoding: pending, as: UTF8.self))
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                pending += chunk[..<count]
            } else if count < 0, errno == EINTR {
                // Without SA_RESTART, Ctrl-C ends the blocked read: drop the partial line.
                guard Interrupts.isRequested else { continue }
                Interrupts.clear()
                pending = []
                return .interrupted
            } else {
                atEnd = true
            }
        }
    }

    func useHistory(_ entries: [String]) {}
    func useParameterNames(_ names: [String]) {}
}
