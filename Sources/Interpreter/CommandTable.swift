import Language

/// What a handler gives back when it succeeds. A handler never reports
/// through session fields: what `save session` keeps and a failure inside a
/// replayed notebook come back here, and `Session.execute` decides.
struct Outcome {
    /// What `save session` keeps instead of the command as typed (a `fit`
    /// stopped by Ctrl-C keeps the epochs it finished).
    var recordedSource: String?
    /// A command of a notebook replayed by `run` failed, at its own place.
    var nestedFailure: Failure?
    /// The command was interrupted and kept what it finished: where it
    /// stopped and what was kept, worded for the front end (`Session.execute` shows it).
    var stoppedNote: String?

    static let done = Outcome()
}

/// One row of the command table: the command's whole declaration (its
/// sub-words, positional words and typed options, with help) and its handler.
struct CommandEntry: Sendable {
    var spec: CommandSpec
    /// An unbound method reference: it captures nothing.
    var handler: @Sendable (Session) -> (Invocation) throws(Diagnostic) -> Outcome
    /// Whether a successful run is kept for `save session` (help and save are not).
    var isRecorded = true
}

/// Every command dnb knows. Parsing, validation, defaults, `help` and tab
/// completion all read this table.
public enum CommandTable {
    static let entries: [CommandEntry] = [
        LoadCommand.entry, NormalizeCommand.entry, BuildCommand.entry, FitCommand.entry, EvaluateCommand.entry,
        ShowCommand.entry, PredictCommand.entry, SaveCommand.entry, ParamCommand.entry, SetCommand.entry,
        RunCommand.entry, HelpCommand.entry,
    ]

    /// The specs in table order, for help and completion.
    public static var specs: [CommandSpec] { entries.map(\.spec) }

    public static var verbs: [String] { entries.map(\.spec.name) }

    static func entry(named verb: String) -> CommandEntry? {
        entries.first { $0.spec.name == verb }
    }

    public static func spec(named verb: String) -> CommandSpec? {
        entry(named: verb)?.spec
    }

    /// `unknown command 'fti' — did you mean 'fit'? (help lists commands)`
    static func unknownVerb(_ verb: Word) -> Diagnostic {
        if let guess = closestMatch(to: verb.text, among: verbs) {
            return Diagnostic("unknown command '\(verb.text)' — did you mean '\(guess)'? (help lists commands)", at: verb.span)
        }
        return Diagnostic("unknown command '\(verb.text)' (help lists commands)", at: verb.span)
    }
}
