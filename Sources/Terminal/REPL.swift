import Foundation
import Glibc
import Interpreter
import Language

/// The interactive prompt: reads commands (with libedit when stdin and
/// stdout are terminals, plain lines otherwise), runs them, reports errors,
/// and keeps going until Ctrl-D or `quit`.
public final class REPL {
    static let prompt = "dnb> "
    /// Shown after a line that ends in `\`.
    static let continuationPrompt = "...> "
    /// Leaves the prompt. Not a command: a notebook has no use for it.
    static let quitWord = "quit"
    static let leaveWords: Set<String> = [quitWord, "exit"]
    static let banner = "dnb — digit notebook. help lists commands; Ctrl-D or quit leaves."

    let reader: any LineReader
    let console: Console
    let session: Session
    /// The history file; nil when nobody is typing (history untouched).
    let history: History?
    /// The history as the line editor has it, oldest first.
    private var entries: [String] = []
    private var warnedAboutHistory = false

    /// The prompt on this process's standard input and output. Installs the
    /// Ctrl-C handler: from here on Ctrl-C stops a command, not the program.
    public convenience init() {
        Interrupts.install()
        let environment = Environment.current
        let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        let console = Console(isTerminal: isatty(STDOUT_FILENO) == 1)
        let session = Session(environment: environment, isInterrupted: { Interrupts.isRequested }, emit: console.show)
        // At a terminal, plots also show as an ASCII chart or block-character digits.
        session.wantsPreviews = interactive
        let history = History(
            path: History.path(variables: environment.variables, homeDirectory: environment.homeDirectory))
        self.init(
            reader: interactive ? LineEditor() : PlainLineReader(), console: console, session: session,
            history: interactive ? history : nil)
    }

    init(reader: any LineReader, console: Console, session: Session, history: History?) {
        self.reader = reader
        self.console = console
        self.session = session
        self.history = history
        session.frontEnd = .prompt
    }

    /// Runs until Ctrl-D or `quit`; returns the exit code (0).
    public func run() -> Int32 {
        if reader.isInteractive {
            entries = history?.load() ?? []
            reader.useHistory(entries)
            reader.useParameterNames(session.parameterNames)
            console.show(.text(Self.banner))
        }
        while true {
            guard let lines = readCommand() else {
                // Ctrl-D: end the line it was typed on.
                if reader.isInteractive { console.show(.text("")) }
                return 0
            }
            let logical = Self.logicalLine(lines)
            if Self.leaveWords.contains(logical) { return 0 }
            if logical.isEmpty { continue }
            remember(logical)
            Interrupts.clear()
            if let failure = session.run(source: lines.joined(separator: "\n"), file: nil) {
                report(failure)
            }
            console.endCommand()
            Interrupts.clear()
            reader.useParameterNames(session.parameterNames)
        }
    }

    /// One command's physical lines (all but the last end in `\`); nil at
    /// the end of input. Ctrl-C drops what was typed and prompts afresh;
    /// Ctrl-D after a `\` drops the half-typed command rather than run it.
    func readCommand() -> [String]? {
        var lines: [String] = []
        while true {
            switch reader.read(prompt: lines.isEmpty ? Self.prompt : Self.continuationPrompt) {
            case .line(let line):
                lines.append(line)
                // A comment typed after a `\` is skipped: the command goes on.
                let skipped = lines.count > 1 && NotebookSplitter.isCommentLine(line)
                if !skipped, !NotebookSplitter.needsContinuation(line) { return lines }
            case .interrupted:
                // The cursor is still on the abandoned line: the fresh prompt goes below it.
                if reader.isInteractive { console.show(.text("")) }
                lines = []
            case .end:
                return nil
            }
        }
    }

    /// The command as one line, for the history and for `quit`: each `\`
    /// and the blanks around the line break become one space. (A `\` inside
    /// a string does not continue a line, so no string is changed.)
    static func logicalLine(_ lines: [String]) -> String {
        // Comment lines inside the continuation are skipped, as the splitter skips them.
        let lines = lines.enumerated().filter { $0.offset == 0 || !NotebookSplitter.isCommentLine($0.element) }.map(\.element)
        let parts = lines.enumerated().map { index, line in
            var text = Substring(line).drop { $0 == " " || $0 == "\t" }
            if index < lines.count - 1 {
                text = text.dropLastBlanks()
                if text.last == "\\" { text = text.dropLast() }
            }
            return String(text.dropLastBlanks())
        }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Prints a failure with its caret. Ctrl-C is no error of the typed line:
    /// a command that heeds it says where it stopped (fit does), and one that
    /// does not has finished. Only a notebook replayed by `run` is reported,
    /// at the line where it stopped.
    private func report(_ failure: Failure) {
        if failure.interrupted, failure.file == nil { return }
        console.error(failure.rendered)
    }

    /// Stores an accepted command in the history file at once. If the file
    /// cannot be written, says so once and keeps the history in memory.
    private func remember(_ command: String) {
        guard reader.isInteractive, let history else { return }
        do {
            entries = try history.record(command)
        } catch {
            entries = History.adding(command, to: entries)
            if !warnedAboutHistory {
                warnedAboutHistory = true
                console.error("dnb: warning: \(error.description); this session's history is kept in memory only")
            }
        }
        reader.useHistory(entries)
    }
}

extension Substring {
    fileprivate func dropLastBlanks() -> Substring {
        var text = self
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
