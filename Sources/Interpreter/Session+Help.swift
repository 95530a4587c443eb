import Language

extension Session {
    /// `help` lists every command from the table; `help VERB` explains one.
    func help(_ command: Command) throws(Diagnostic) {
        let words = try expectWords(command, atMost: 1, usage: CommandSpecs.help.usage)
        _ = try options(command)
        guard let verbWord = words.first else {
            emit(.text(Self.overview()))
            return
        }
        let verb = try choose(verbWord, from: CommandTable.verbs, what: "command")
        guard let spec = CommandTable.spec(named: verb) else { return }
        emit(.text(Self.details(of: spec)))
    }

    static func overview() -> String {
        let rows = CommandTable.specs.map { ["  " + $0.name, $0.summary] }
        return
            (["commands (help COMMAND for details):"] + [Formatting.table(rows)]
            + [
                "", "one command per line; `#` starts a comment; a trailing `\\` continues the line.",
                "at the prompt: Tab completes, Up and Ctrl-R recall, Ctrl-C stops a command, quit or Ctrl-D leaves.",
            ])
            .joined(separator: "\n")
    }

    static func details(of spec: CommandSpec) -> String {
        var lines = ["usage: \(spec.usage)", "", spec.summary]
        if !spec.details.isEmpty { lines += ["", spec.details] }
        if !spec.options.isEmpty {
            lines += ["", "options:"]
            let rows = spec.options.map { option in
                let facts = (option.defaultValue.map { ["default \($0)"] } ?? []) + [option.kind.expectation]
                return ["  \(option.name)=", "\(option.summary) (\(facts.joined(separator: "; ")))"]
            }
            lines.append(Formatting.table(rows))
        }
        if !spec.examples.isEmpty {
            lines += ["", "example\(spec.examples.count > 1 ? "s" : ""):"] + spec.examples.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}
