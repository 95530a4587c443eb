import Foundation
import Interpreter
import Testing

@testable import Terminal

/// The prompt's loop with scripted input: what runs, what is shown, what is remembered.
@Suite struct REPLTests {
    /// A prompt reading `inputs`, with its output and history file in a temporary folder.
    final class Prompt {
        let directory: TemporaryDirectory
        let output = CapturedOutput()
        let reader: ScriptedReader
        let repl: REPL

        init(
            _ inputs: [LineInput], isInteractive: Bool = true, historyPath: String? = nil,
            isInterrupted: @escaping () -> Bool = { false }
        ) throws {
            directory = try TemporaryDirectory()
            reader = ScriptedReader(inputs, isInteractive: isInteractive)
            let console = output.console()
            let path = directory.path
            let session = Session(
                environment: Environment(variables: [:], currentDirectory: path, homeDirectory: path),
                isInterrupted: isInterrupted, emit: console.show)
            repl = REPL(
                reader: reader, console: console, session: session,
                history: History(path: historyPath ?? directory.file("history")))
        }

        func run() -> Int32 { repl.run() }
        var history: String? { directory.read("history") }
    }

    @Test func aBadLinePrintsCaretAndMessageAndTheSessionGoesOn() throws {
        let prompt = try Prompt([.line("fti epochs=1"), .line("help fit")])
        #expect(prompt.run() == 0)
        #expect(
            prompt.output.standardError.contains(
                "error: unknown command 'fti' — did you mean 'fit'? (help lists commands)\n    fti epochs=1\n    ^~~"))
        #expect(prompt.output.standardOutput.contains("usage: fit"))
        #expect(prompt.reader.prompts == ["dnb> ", "dnb> ", "dnb> "])
    }

    @Test func aTrailingBackslashAsksForMoreWithTheContinuationPrompt() throws {
        let prompt = try Prompt([.line("help \\"), .line("  fit")])
        #expect(prompt.run() == 0)
        #expect(prompt.reader.prompts == ["dnb> ", "...> ", "dnb> "])
        #expect(prompt.output.standardOutput.contains("usage: fit"))
        // Stored as one line, so Up gives back a command that runs as it is.
        #expect(prompt.history == "help fit\n")
    }

    @Test func ctrlCDropsTheHalfTypedCommandAndPromptsAfresh() throws {
        let prompt = try Prompt([.line("help \\"), .interrupted, .line("help set")])
        #expect(prompt.run() == 0)
        #expect(prompt.reader.prompts == ["dnb> ", "...> ", "dnb> ", "dnb> "])
        #expect(prompt.output.standardOutput.contains("usage: set"))
        #expect(!prompt.output.all.contains("error"))
        #expect(prompt.history == "help set\n")
    }

    @Test func ctrlDAfterABackslashLeavesWithoutRunningIt() throws {
        let prompt = try Prompt([.line("help \\"), .end, .line("help fit")])
        #expect(prompt.run() == 0)
        #expect(prompt.output.standardOutput == REPL.banner + "\n\n")
        #expect(prompt.history == nil)
    }

    @Test(arguments: ["quit", "  quit ", "exit"])
    func quitLeavesWithExitCodeZero(word: String) throws {
        let prompt = try Prompt([.line("help run"), .line(word), .line("help fit")])
        #expect(prompt.run() == 0)
        #expect(!prompt.output.standardOutput.contains("usage: fit"))
        #expect(prompt.history == "help run\n")
    }

    @Test func ctrlCDuringATypedCommandAddsNoErrorOfItsOwn() throws {
        let prompt = try Prompt([.line("help set")], isInterrupted: { true })
        #expect(prompt.run() == 0)
        #expect(prompt.output.standardOutput.contains("usage: set"))
        #expect(prompt.output.standardError == "")
    }

    @Test func ctrlCDuringARunNotebookSaysWhereItStopped() throws {
        let prompt = try Prompt([.line("run nb.dnb")], isInterrupted: { true })
        try "help set\nhelp run\n".write(toFile: prompt.directory.file("nb.dnb"), atomically: true, encoding: .utf8)
        #expect(prompt.run() == 0)
        #expect(prompt.output.standardError.hasPrefix("nb.dnb:1:1: error: interrupted (Ctrl-C)\n    help set\n"))
        #expect(!prompt.output.standardOutput.contains("usage: run"))
    }

    @Test func historyIsSavedOnEveryLineWithoutBlanksOrRepeats() throws {
        let prompt = try Prompt([.line("help"), .line("   "), .line("help set"), .line("fti"), .line("help")])
        #expect(prompt.run() == 0)
        #expect(prompt.history == "help set\nfti\nhelp\n")
        #expect(prompt.reader.history == ["help set", "fti", "help"])
    }

    @Test func theSavedHistoryIsWhatUpWalksThroughNextTime() throws {
        let directory = try TemporaryDirectory()
        try "help\nhelp fit\n".write(toFile: directory.file("h"), atomically: true, encoding: .utf8)
        let prompt = try Prompt([.line("help set")], historyPath: directory.file("h"))
        _ = prompt.run()
        #expect(directory.read("h") == "help\nhelp fit\nhelp set\n")
    }

    @Test func withoutATerminalThereIsNoBannerAndTheHistoryIsUntouched() throws {
        let prompt = try Prompt([.line("help set"), .interrupted, .line("help run")], isInteractive: false)
        #expect(prompt.run() == 0)
        #expect(!prompt.output.standardOutput.contains("dnb — "))
        #expect(prompt.output.standardOutput.contains("usage: run"))
        #expect(prompt.history == nil)
        #expect(prompt.reader.history == [])
    }

    @Test func anUnwritableHistoryWarnsOnceAndKeepsItInMemory() throws {
        let prompt = try Prompt([.line("help"), .line("help set")], historyPath: "/nonexistent-dnb-folder/history")
        #expect(prompt.run() == 0)
        let warnings = prompt.output.standardError.components(separatedBy: "warning: cannot save the history")
        #expect(warnings.count == 2)
        #expect(prompt.reader.history == ["help", "help set"])
        #expect(prompt.output.standardOutput.contains("usage: set"))
    }

    @Test(arguments: [
        (["help"], "help"),
        (["help \\", ""], "help"),
        (["load npz \"my  data.npz\"  "], "load npz \"my  data.npz\""),
        (["  help fit  "], "help fit"),
        (["build dense 128 relu, \\", "dense 10 softmax"], "build dense 128 relu, dense 10 softmax"),
        (["fit epochs=2\\", "batch=8 \\  ", "  seed=1"], "fit epochs=2 batch=8 seed=1"),
    ])
    func continuedLinesAreRememberedAsOne(lines: [String], expected: String) {
        #expect(REPL.logicalLine(lines) == expected)
    }
}
