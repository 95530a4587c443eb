import Language
import Plotting

/// `help [COMMAND]`: its declaration and its handler; both texts come from the table.
enum HelpCommand {
    static let spec = CommandSpec(
        name: "help",
        usage: "help [COMMAND]",
        summary: "list commands, or explain one",
        arguments: [ArgumentSpec("COMMAND", .command, .optional)],
        examples: ["help", "help fit"])

    static let entry = CommandEntry(spec: spec, handler: Session.help, isRecorded: false)
}

extension Session {
    func help(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        if let verb = invocation.argument("COMMAND")?.textValue, let spec = CommandTable.spec(named: verb) {
            emit(.text(Self.details(of: spec, in: frontEnd)))
        } else {
            emit(.text(Self.overview(in: frontEnd)))
        }
        return .done
    }

    /// The command list, with the keys of the front end it is read in.
    static func overview(in frontEnd: FrontEnd) -> String {
        let rows = CommandTable.specs.map { ["  " + $0.name, $0.summary] }
        return
            (["commands (help COMMAND for details):"] + [textTable(rows)]
            + [
                "", "one command per line; `#` starts a comment; a trailing `\\` continues the line.",
                frontEnd.helpFooter,
            ])
            .joined(separator: "\n")
    }

    /// One command's help, worded for the front end it is read in.
    static func details(of spec: CommandSpec, in frontEnd: FrontEnd) -> String {
        var lines = ["usage: \(spec.usage)", "", spec.summary]
        if !spec.details.isEmpty { lines += ["", frontEnd.worded(spec.details)] }
        if let groups = spec.groups {
            lines += ["", "\(spec.groupNoun)s:", textTable(groups.map { ["  " + $0.usage, $0.summary] })]
            for group in groups where !group.options.isEmpty {
                lines += ["", "\(group.name) options:", optionRows(group.options)]
            }
        }
        if !spec.options.isEmpty {
            lines += ["", "options:", optionRows(spec.options)]
        }
        if !spec.examples.isEmpty {
            lines += ["", "example\(spec.examples.count > 1 ? "s" : ""):"] + spec.examples.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// `  name=  summary (default D; expectation)`, one row per option.
    private static func optionRows(_ options: [OptionSpec]) -> String {
        textTable(
            options.map { option in
                let facts = (option.defaultText.map { ["default \($0)"] } ?? []) + [option.kind.expectation]
                return ["  \(option.name)=", "\(option.summary) (\(facts.joined(separator: "; ")))"]
            })
    }
}

extension CommandTable {
    /// What `help VERB` shows in `frontEnd`, for front ends that document a
    /// command themselves (Jupyter's inspect); nil for an unknown verb.
    public static func helpText(for verb: String, in frontEnd: FrontEnd) -> String? {
        spec(named: verb).map { Session.details(of: $0, in: frontEnd) }
    }
}
