import Foundation
import Testing

@testable import Terminal

/// The prompt driven for real: dnb on a tmux terminal, keys sent, screen read.
@Suite(.timeLimit(.minutes(1))) struct REPLTmuxTests {
    @Test func typingACommandShowsItsOutput() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        #expect(try pane.screen().hasPrefix(REPL.banner))
        let output = try await pane.run("help")
        #expect(output.hasPrefix("commands (help COMMAND for details):"))
        #expect(output.contains("  fit "))
    }

    @Test func upRecallsACommandAfterRestartingDnb() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try await pane.run("help evaluate")
        try pane.press("C-d")
        #expect(try await pane.waitForExit() == 0)
        #expect(FileManager.default.contents(atPath: pane.historyPath) == Data("help evaluate\n".utf8))

        try await pane.launch()
        try pane.press("Up")
        try await pane.waitFor("Up to recall `help evaluate`") { $0.hasSuffix("\ndnb> help evaluate") }
        #expect(try await pane.submit("the recalled command").hasPrefix("usage: evaluate"))
    }

    @Test func tabCompletesVerbsSubWordsAndOptionKeys() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try pane.type("sh")
        try pane.press("Tab")
        try await pane.waitFor("`sh` to complete to `show `") { $0.hasSuffix("\ndnb> show") }
        #expect(try pane.cursorColumn() == "dnb> show ".count)  // with the space after it
        try pane.type("mo")
        try pane.press("Tab")
        try await pane.waitFor("`show mo` to complete to `show model `") { $0.hasSuffix("\ndnb> show model") }
        try pane.press("C-u")
        try pane.type("fit ep")
        try pane.press("Tab")
        try await pane.waitFor("`fit ep` to complete to `fit epochs=`") { $0.hasSuffix("\ndnb> fit epochs=") }
        #expect(try pane.cursorColumn() == "dnb> fit epochs=".count)  // no space: the value follows
    }

    @Test func tabCompletesShowPredictions() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try pane.type("show pr")
        try pane.press("Tab")
        try await pane.waitFor("`show pr` to complete to `show predictions`") {
            $0.hasSuffix("\ndnb> show predictions")
        }
    }

    @Test func helpFitExplainsTheCommand() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        let output = try await pane.run("help fit")
        #expect(output.hasPrefix("usage: fit [epochs=N] [batch=N]"))
        #expect(output.contains("options:"))
        #expect(output.contains("  epochs="))
        #expect(output.contains("fit epochs=10 batch=32 validation=0.2 optimizer=adam"))
    }

    @Test func aBadLinePrintsCaretAndMessageThenAGoodLineRuns() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        let error = try await pane.run("fti epochs=3")
        #expect(error.contains("error: unknown command 'fti' — did you mean 'fit'? (help lists commands)"))
        #expect(error.contains("\n    fti epochs=3\n    ^~~"))
        let output = try await pane.run("help set")
        #expect(output.hasPrefix("usage: set"))
    }

    @Test func ctrlCAtThePromptClearsTheLine() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try pane.type("show da")
        try await pane.waitFor("the typed text") { $0.hasSuffix("\ndnb> show da") }
        try pane.press("C-c")
        let screen = try await pane.waitFor("a fresh prompt after Ctrl-C") {
            $0.hasSuffix("\ndnb> show da\ndnb>")
        }
        #expect(!screen.contains("error"))
        // What was typed is gone: the next line runs on its own.
        let output = try await pane.run("help set")
        #expect(output.hasPrefix("usage: set"))
        try pane.press("C-d")
        #expect(try await pane.waitForExit() == 0)
    }

    @Test func ctrlDLeavesWithExitCodeZeroAndHistorySaved() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try await pane.run("help run")
        try pane.press("C-d")
        #expect(try await pane.waitForExit() == 0)
        #expect(FileManager.default.contents(atPath: pane.historyPath) == Data("help run\n".utf8))
    }

    @Test func quitLeavesWithExitCodeZero() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try pane.type("quit")
        try pane.press("Enter")
        #expect(try await pane.waitForExit() == 0)
    }

    @Test func aTrailingBackslashShowsTheContinuationPrompt() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try pane.type("help \\")
        try pane.press("Enter")
        try await pane.waitFor("the continuation prompt") { $0.hasSuffix("\n" + TmuxPane.continuationPrompt) }
        let output = try await pane.run("fit")
        #expect(output.hasPrefix("...> fit\nusage: fit"))
        #expect(FileManager.default.contents(atPath: pane.historyPath) == Data("help fit\n".utf8))
    }

    @Test func ctrlRSearchesTheHistory() async throws {
        let pane = try TmuxPane()
        try "help fit\nhelp set\nhelp run\n".write(toFile: pane.historyPath, atomically: true, encoding: .utf8)
        try await pane.launch()
        try pane.press("C-r")
        try pane.type("fit")
        try await pane.waitFor("Ctrl-R to find `help fit`") { $0.contains("help fit") }
        #expect(try await pane.submit("the found command").contains("usage: fit"))
        #expect(FileManager.default.contents(atPath: pane.historyPath) == Data("help set\nhelp run\nhelp fit\n".utf8))
    }

    @Test func arrowsAndCtrlAECtrlEEditTheLine() async throws {
        let pane = try TmuxPane()
        try await pane.launch()
        try pane.type("el fi")
        try pane.press("C-a")
        try pane.type("h")
        try pane.press("C-e")
        try pane.type("t")
        try pane.press("Left", "Left", "Left", "Left")
        try pane.type("p")
        try await pane.waitFor("the edited line") { $0.hasSuffix("\ndnb> help fit") }
        #expect(try await pane.submit("the edited command").hasPrefix("usage: fit"))
    }
}
