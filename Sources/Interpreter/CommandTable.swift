import Language

/// One row of the command table: the verb's syntax and help, and the
/// handler that runs it.
// The table is immutable and holds only specs and unbound method references.
struct CommandEntry: @unchecked Sendable {
    var spec: CommandSpec
    var handler: (Session) -> (Command) throws(Diagnostic) -> Void
    /// Whether a successful run is kept for `save session` (help and save are not).
    var isRecorded = true
}

/// Every command dnb knows. Parsing, `help` and tab completion all read this table.
public enum CommandTable {
    static let entries: [CommandEntry] = [
        CommandEntry(spec: CommandSpecs.load, handler: Session.load),
        CommandEntry(spec: CommandSpecs.normalize, handler: Session.normalize),
        CommandEntry(spec: CommandSpecs.build, handler: Session.build),
        CommandEntry(spec: CommandSpecs.fit, handler: Session.fit),
        CommandEntry(spec: CommandSpecs.evaluate, handler: Session.evaluate),
        CommandEntry(spec: CommandSpecs.show, handler: Session.show),
        CommandEntry(spec: CommandSpecs.predict, handler: Session.predict),
        CommandEntry(spec: CommandSpecs.save, handler: Session.save, isRecorded: false),
        CommandEntry(spec: CommandSpecs.param, handler: Session.param),
        CommandEntry(spec: CommandSpecs.set, handler: Session.set),
        CommandEntry(spec: CommandSpecs.run, handler: Session.runNotebook),
        CommandEntry(spec: CommandSpecs.help, handler: Session.help, isRecorded: false),
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
