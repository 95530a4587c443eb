import Engine
import HostIO
import Language

/// Where the interpreter runs: the environment it reads (`DNB_DATA`), the
/// working and home directories, and whether output goes to a terminal.
public struct Environment: Sendable {
    public var variables: [String: String]
    public var currentDirectory: String
    public var homeDirectory: String

    public init(variables: [String: String], currentDirectory: String, homeDirectory: String) {
        self.variables = variables
        self.currentDirectory = currentDirectory
        self.homeDirectory = homeDirectory
    }
}

/// Runs commands against one session. Used the same way by the REPL (one
/// typed line at a time), by `dnb run` (a whole notebook), and by any other
/// front end: it never prints, it sends `OutputEvent`s and returns `Failure`s.
public final class Session {
    let environment: Environment
    var state = SessionState()
    /// Every file read or written and every process run goes through here.
    let host: any HostServices
    /// Where output events go (the console, or a test's collector).
    let sink: (OutputEvent) -> Void
    /// Polled between batches: true when the user pressed Ctrl-C.
    let isInterrupted: () -> Bool
    /// Notebooks being replayed by `run`, innermost last (guards against loops).
    var runStack: [String] = []
    /// The events of the statements being run, for `run(source:onStatement:)`.
    private var transcript: [OutputEvent] = []
    /// Whether plots also come with a terminal preview (the REPL sets this).
    public var wantsPreviews = false
    /// Where the session's words are read (the REPL and the kernel set this):
    /// help texts and the message of a stopped command are worded for it.
    public var frontEnd = FrontEnd.batch
    /// The plot folders whose place the session has told (see `publish`).
    var toldPlotFolders: Set<String> = []

    public init(
        environment: Environment, host: any HostServices = LocalHost(), isInterrupted: @escaping () -> Bool = { false },
        emit: @escaping (OutputEvent) -> Void
    ) {
        self.environment = environment
        self.host = host
        self.isInterrupted = isInterrupted
        self.sink = emit
        setComputeThreads(state.settings.threads)
    }

    /// Notebook parameters from the command line (`-p hidden=15`); they
    /// override the notebook's `param` defaults.
    public func overrideParameters(_ values: [String: String]) {
        state.parameterOverrides.merge(values) { $1 }
        for (name, value) in values { state.journal.setParameter(name, to: value) }
    }

    /// Sends an event to the front end, and keeps it for the statement's transcript.
    func emit(_ event: OutputEvent) {
        if !event.isTransient { transcript.append(event) }
        sink(event)
    }

    /// Runs every statement of `source` in order and stops at the first
    /// failure. `file` names the notebook in diagnostics (nil at the prompt).
    /// When given, `onStatement` receives each statement with the events it
    /// produced (progress lines excluded), after it ran.
    @discardableResult
    public func run(
        source: String, file: String?, firstLine: Int = 1,
        onStatement: ((Statement, [OutputEvent]) -> Void)? = nil
    ) -> Failure? {
        let lines = NotebookSplitter.lines(of: source)
        let sourceLines = firstLine == 1 ? lines : Array(repeating: "", count: firstLine - 1) + lines
        for statement in NotebookSplitter.statements(in: source, firstLine: firstLine) {
            let mark = transcript.count
            let failure = execute(statement, file: file, sourceLines: sourceLines)
            if let onStatement { onStatement(statement, Array(transcript[mark...])) }
            if runStack.isEmpty { transcript.removeAll(keepingCapacity: true) }
            if let failure { return failure }
            // Ctrl-C stops the command it hit (which keeps what it finished);
            // a notebook being replayed stops there too.
            if isInterrupted() {
                let span = SourceSpan(line: statement.line, column: 1, length: statement.source.count)
                return Failure(
                    diagnostic: Diagnostic(frontEnd.interruptedMessage, at: span), file: file, sourceLines: sourceLines,
                    interrupted: true)
            }
        }
        return nil
    }

    /// Parses, checks and runs one statement. The handler runs on the
    /// session's state, and a command that fails gets back the state it
    /// started from: `SessionState` is a value (its model included, see
    /// `ModelValue`), so a failed command changes nothing.
    func execute(_ statement: Statement, file: String?, sourceLines: [Substring]) -> Failure? {
        let before = (state: state, journal: state.journal.mark)
        do throws(Diagnostic) {
            guard var command = try Parser.parse(statement) else { return nil }
            command = try command.substitutingParameters(state.parameters)
            guard let entry = CommandTable.entry(named: command.verb.text) else {
                throw CommandTable.unknownVerb(command.verb)
            }
            let invocation = try entry.spec.bind(command, verbs: CommandTable.verbs)
            let outcome = try entry.handler(self)(invocation)
            if var nested = outcome.nestedFailure {
                // Ctrl-C keeps what was done, as it does for a single fit.
                if !nested.interrupted { restore(before) }
                nested.diagnostic.notes.append("note: replayed by `run` at \(file ?? "the prompt"):\(statement.line)")
                return nested
            }
            // Only top-level commands: a `run` is kept as its own line.
            if entry.isRecorded, runStack.isEmpty {
                state.journal.recordCommand(outcome.recordedSource ?? statement.source)
            }
            if let stopped = outcome.stoppedNote {
                // On a terminal the command says where it stopped, and the
                // prompt adds nothing; in Jupyter the note is the one message
                // of the interrupt (the cell's error), without a caret.
                guard frontEnd == .jupyter else {
                    emit(.text(stopped))
                    return nil
                }
                let span = SourceSpan(line: statement.line, column: 1, length: statement.source.count)
                return Failure(
                    diagnostic: Diagnostic(stopped, at: span), file: file, sourceLines: sourceLines, interrupted: true)
            }
            return nil
        } catch {
            restore(before)
            return Failure(diagnostic: error, file: file, sourceLines: sourceLines)
        }
    }

    private func restore(_ saved: (state: SessionState, journal: SessionJournal.Mark)) {
        if state.settings.threads != saved.state.settings.threads { setComputeThreads(saved.state.settings.threads) }
        state = saved.state
        state.journal.undo(to: saved.journal)
    }

    /// `-p` names that no `param` line declared (probably a typo).
    public var undeclaredOverrides: [String] {
        state.parameterOverrides.keys.filter { !state.declaredParameters.contains($0) }.sorted()
    }

    /// The names `$` can use right now (for completion).
    public var parameterNames: [String] { state.parameters.keys.sorted() }
}
