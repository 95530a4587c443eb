import Datasets
import Interpreter
import Language

extension FuzzTargets {
    /// A line typed at the prompt: the lexer and parser, the check against
    /// the command's declaration (`CommandSpec.bind`, which every command
    /// goes through before its handler), and the two commands that touch
    /// neither data nor files (`help`, `param`) run in a session.
    public static let command = FuzzTarget(
        name: "command", summary: "one command line (Parser, option validation, help and param)",
        maximumLength: 110_000, maximumExpandedLength: 1 << 18, dictionary: "command.dict"
    ) { bytes in
        let line = String(decoding: bytes, as: UTF8.self)
        let parsed: Command?
        do {
            parsed = try Parser.parse(line: line)
        } catch {
            return .refused(String(describing: error))
        }
        guard let parsed else { return .accepted }
        if let spec = CommandTable.spec(named: parsed.verb.text) {
            do {
                _ = try spec.bind(parsed, verbs: CommandTable.verbs)
            } catch {
                return .refused(String(describing: error))
            }
        }
        guard ["help", "param"].contains(parsed.verb.text) else { return .accepted }
        return runInSession(line)
    }

    /// A notebook file (`dnb run FILE.dnb`, `dnb < FILE`): bytes to text,
    /// statements with their `#>` recorded outputs, every command parsed,
    /// `--check`'s comparison of each recorded output, and `--record`'s rewrite.
    /// Fuzzed inputs stop at 128 KiB, past the longest line (100,000
    /// characters); `RPT!` seeds reach 512 KiB and 20,000 lines.
    public static let notebook = FuzzTarget(
        name: "notebook", summary: "a notebook with #> outputs (notebookText, splitter, parser, --check, --record)",
        maximumLength: 1 << 17, maximumExpandedLength: 1 << 19, dictionary: "command.dict"
    ) { bytes in
        let source: String
        do {
            source = try Session.notebookText(bytes, name: "fuzz.dnb")
        } catch {
            return .refused(String(describing: error))
        }
        var outputs: [StatementOutput] = []
        var refusal: String?
        var onlyHarmless = true
        for statement in NotebookSplitter.statements(in: source) {
            do {
                if let command = try Parser.parse(statement), !["help", "param"].contains(command.verb.text) {
                    onlyHarmless = false
                }
            } catch {
                refusal = refusal ?? String(describing: error)
            }
            let recorded = statement.recordedOutput
            _ = NotebookRecording.difference(expected: recorded, actual: recorded.reversed(), tolerance: 1e-4)
            outputs.append(StatementOutput(statement: statement, events: [.text("accuracy 0.9761")]))
        }
        _ = NotebookRecording.rewrite(source: source, outputs: outputs)
        if let refusal { return .refused(refusal) }
        // A notebook of only `help` and `param` lines touches no data and no file: run it.
        return onlyHarmless ? runInSession(source) : .accepted
    }

    /// Runs `source` in a session whose folders do not exist, with no data.
    static func runInSession(_ source: String) -> FuzzOutcome {
        let environment = Environment(
            variables: [:], currentDirectory: "/nonexistent/dnb-fuzz", homeDirectory: "/nonexistent/dnb-fuzz")
        let session = Session(environment: environment, emit: { _ in })
        if let failure = session.run(source: source, file: "fuzz.dnb") { return .refused(failure.rendered) }
        return .accepted
    }
}
