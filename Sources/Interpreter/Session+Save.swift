import Datasets
import Language

extension Session {
    /// `save session FILE.dnb`: the commands that succeeded, as a notebook that replays this session.
    func save(_ command: Command) throws(Diagnostic) {
        let usage = CommandSpecs.save.usage
        let words = try expectWords(command, atMost: 2, usage: usage)
        _ = try options(command)
        guard let kindWord = words.first else {
            throw Diagnostic("save what? usage: \(usage)", at: command.verb.span)
        }
        let kind = try choose(kindWord, from: CommandSpecs.save.subcommands, what: "thing to save")
        guard words.count == 2 else {
            throw Diagnostic("save \(kind) needs a file name — usage: \(usage)", at: wholeSpan(command))
        }
        let file = words[1]
        switch kind {
        case "model":
            try saveModel(to: file, command: command)
        default:  // session
            guard file.text.hasSuffix(".dnb") else {
                throw Diagnostic("a notebook's name ends in .dnb. Received: \(file.text)", at: file.span)
            }
            let commands = state.successfulCommands
            let text =
                "# Saved from a dnb session: replay with `dnb run \(file.text)`.\n"
                + commands.map { $0 + "\n" }.joined()
            do {
                try writeFile(Array(text.utf8), to: resolve(file.text))
            } catch {
                throw Diagnostic(error.description.replacingOccurrences(of: resolve(file.text), with: file.text), at: file.span)
            }
            emit(.text("saved \(commands.count) command(s) to \(file.text)"))
        }
    }
}
