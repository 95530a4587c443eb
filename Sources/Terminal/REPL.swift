@preconcurrency import CEditLine
import Foundation
import Glibc
import Interpreter
import Language
import Synchronization

/// The interactive prompt: reads lines (with libedit when stdin and stdout
/// are terminals, plain lines otherwise), runs them, reports errors, and
/// keeps going.
public final class REPL {
    static let prompt = "dnb> "
    static let continuationPrompt = "...> "

    let console: Console
    let session: Session
    let lineEditor: Bool
    let historyPath: String

    public init() {
        let isTerminal = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        lineEditor = isTerminal
        console = Console(isTerminal: isTerminal)
        let environment = Environment.current
        historyPath = environment.variables["DNB_HISTORY"] ?? environment.homeDirectory + "/.dnb_history"
        let console = self.console
        session = Session(environment: environment, isInterrupted: { Interrupts.isRequested }, emit: console.show)
    }

    /// Runs until Ctrl-D or `quit`; returns the exit code.
    public func run() -> Int32 {
        Interrupts.install()
        if lineEditor { LineEditor.setUp(historyPath: historyPath, session: session) }
        if lineEditor {
            console.show(.text("dnb — digit notebook. help lists commands; Ctrl-D or quit leaves."))
        }
        var lineNumber = 0
        while true {
            guard let source = readCommand() else { break }
            let trimmed = source.trimmingCharacters(in: .whitespaces)
            if trimmed == "quit" || trimmed == "exit" { break }
            if trimmed.isEmpty { continue }
            if lineEditor { LineEditor.remember(source, historyPath: historyPath) }
            lineNumber += 1
            Interrupts.clear()
            if let failure = session.run(source: source, file: nil) {
                if failure.interrupted {
                    console.error("interrupted")
                } else {
                    console.error(failure.rendered)
                }
            }
            Interrupts.clear()
        }
        if lineEditor { console.show(.text("")) }
        return 0
    }

    /// One command, joining lines that end in `\`. Nil at end of input.
    func readCommand() -> String? {
        var lines: [String] = []
        while true {
            let prompt = lines.isEmpty ? Self.prompt : Self.continuationPrompt
            guard let line = readLine(prompt: prompt) else {
                // Ctrl-C at the prompt clears the line; Ctrl-D (end of input) leaves.
                if Interrupts.isRequested {
                    Interrupts.clear()
                    if lineEditor { console.show(.text("")) }
                    lines = []
                    continue
                }
                return lines.isEmpty ? nil : lines.joined(separator: "\n")
            }
            lines.append(line)
            if !NotebookSplitter.needsContinuation(line) { return lines.joined(separator: "\n") }
        }
    }

    private func readLine(prompt: String) -> String? {
        if lineEditor {
            guard let pointer = readline(prompt) else { return nil }
            defer { free(pointer) }
            return String(cString: pointer)
        }
        return Swift.readLine(strippingNewline: true)
    }
}

/// libedit's readline-compatible API: history file and completion.
enum LineEditor {
    /// Candidates of the completion in progress, read by the C generator callback.
    private static let pending = Mutex<(candidates: [String], index: Int)>(([], 0))
    private static let session = Mutex<[String]>([])

    static func setUp(historyPath: String, session: Session) {
        setlocale(LC_CTYPE, "")
        rl_catch_signals = 0
        _ = read_history(historyPath)
        rl_basic_word_break_characters = UnsafePointer(strdup(" \t\n,="))
        rl_completer_word_break_characters = strdup(" \t\n,=")
        let names = session.parameterNames
        self.session.withLock { $0 = names }
        rl_attempted_completion_function = { text, start, _ in
            rl_attempted_completion_over = 1
            let buffer = rl_line_buffer.map { String(cString: $0) } ?? ""
            let before = String(buffer.utf8.prefix(Int(start))) ?? ""
            let word = text.map { String(cString: $0) } ?? ""
            let parameters = LineEditor.session.withLock { $0 }
            let candidates = Completer(parameterNames: parameters).candidates(before: before, word: word)
            let open = candidates.count == 1 && (candidates[0].hasSuffix("=") || candidates[0].hasSuffix("/"))
            rl_completion_append_character = open ? 0 : 32
            LineEditor.pending.withLock { $0 = (candidates, 0) }
            return rl_completion_matches(text) { _, state in
                LineEditor.pending.withLock { pending in
                    if state == 0 { pending.index = 0 }
                    guard pending.index < pending.candidates.count else { return nil }
                    defer { pending.index += 1 }
                    return strdup(pending.candidates[pending.index])
                }
            }
        }
    }

    /// Adds a line to the history and saves the file at once, so a crash
    /// loses nothing. Repeats of the previous line are not stored.
    static func remember(_ line: String, historyPath: String) {
        let last = history_length > 0 ? history_get(history_base + history_length - 1) : nil
        if let last, let previous = last.pointee.line, String(cString: previous) == line { return }
        add_history(line)
        _ = write_history(historyPath)
    }
}
