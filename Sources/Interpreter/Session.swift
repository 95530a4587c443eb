import Engine
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
/// typed line at a time) and by `dnb run` (a whole notebook).
public final class Session {
    let environment: Environment
    var state = SessionState()
    /// Where output events go (the console, or a test's collector).
    let sink: (OutputEvent) -> Void
    /// The events of the statement being recorded (`dnb run --record/--check/--report`).
    var captured: [OutputEvent]?
    /// Polled between batches: true when the user pressed Ctrl-C.
    let isInterrupted: () -> Bool
    /// Notebooks being replayed by `run`, innermost last (guards against loops).
    var runStack: [String] = []
    /// The statement being executed, so handlers can point at it.
    var currentSource: (file: String?, lines: [Substring]) = (nil, [])
    /// What `save session` keeps for the command just run, when it is not
    /// the command as typed (a `fit` stopped by Ctrl-C).
    var recordedSource: String?
    /// Writes and renders plots.
    let renderer: GnuplotRenderer
    /// Whether plots also come with a terminal preview (the REPL sets this).
    public var wantsPreviews = false
    /// A failure inside a notebook replayed by `run`, reported at its own place.
    var nestedFailure: Failure?

    public init(
        environment: Environment, renderer: GnuplotRenderer = GnuplotRenderer(),
        isInterrupted: @escaping () -> Bool = { false }, emit: @escaping (OutputEvent) -> Void
    ) {
        self.environment = environment
        self.renderer = renderer
        self.isInterrupted = isInterrupted
        self.sink = emit
        setComputeThreads(state.settings.threads)
    }

    /// Notebook parameters from the command line (`-p hidden=15`); they
    /// override the notebook's `param` defaults.
    public func overrideParameters(_ values: [String: String]) {
        state.parameterOverrides.merge(values) { $1 }
        state.parameters.merge(values) { $1 }
    }

    /// Sends an event to the front end, and to the recording when there is one.
    func emit(_ event: OutputEvent) {
        if captured != nil, !event.isTransient { captured?.append(event) }
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
        let saved = currentSource
        currentSource = (file, firstLine == 1 ? lines : Array(repeating: "", count: firstLine - 1) + lines)
        defer { currentSource = saved }
        for statement in NotebookSplitter.statements(in: source, firstLine: firstLine) {
            if onStatement != nil { captured = [] }
            let failure = execute(statement)
            if let onStatement, let events = captured {
                captured = nil
                onStatement(statement, events)
            }
            if let failure { return failure }
            // Ctrl-C stops the command it hit (which keeps what it finished);
            // a notebook being replayed stops there too.
            if isInterrupted() {
                let span = SourceSpan(line: statement.line, column: 1, length: statement.source.count)
                return Failure(
                    diagnostic: Diagnostic("interrupted (Ctrl-C)", at: span), file: file,
                    sourceLines: currentSource.lines, interrupted: true)
            }
        }
        return nil
    }

    /// Parses and runs one statement; a failure leaves the session as it was
    /// before the command (commands change state only once they succeed).
    func execute(_ statement: Statement) -> Failure? {
        recordedSource = nil
        do throws(Diagnostic) {
            guard var command = try Parser.parse(statement) else { return nil }
            command = try command.substitutingParameters(state.parameters)
            guard let entry = CommandTable.entry(named: command.verb.text) else {
                throw CommandTable.unknownVerb(command.verb)
            }
            try entry.handler(self)(command)
            if entry.isRecorded {
                state.successfulCommands.append(recordedSource ?? statement.source)
            }
            recordedSource = nil
            return nil
        } catch {
            if let nested = nestedFailure {
                nestedFailure = nil
                var failure = nested
                failure.diagnostic.notes.append(
                    "note: replayed by `run` at \(currentSource.file ?? "the prompt"):\(statement.line)")
                return failure
            }
            return Failure(diagnostic: error, file: currentSource.file, sourceLines: currentSource.lines)
        }
    }

    /// `-p` names that no `param` line declared (probably a typo).
    public var undeclaredOverrides: [String] {
        state.parameterOverrides.keys.filter { !state.declaredParameters.contains($0) }.sorted()
    }

    /// The names `$` can use right now (for completion).
    public var parameterNames: [String] { state.parameters.keys.sorted() }
}
