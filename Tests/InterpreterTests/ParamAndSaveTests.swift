import Foundation
import Language
import Testing

@testable import Interpreter

@Suite struct ParamAndSaveTests {
    @Test func parametersHaveDefaultsAndCommandLineOverridesWin() throws {
        let harness = try Harness()
        harness.session.overrideParameters(["hidden": "15"])
        #expect(harness.run("param hidden=128 epochs=10\nset seed=$epochs") == nil)
        #expect(harness.output == "param hidden=15 (from -p), epochs=10\nseed = 10")
    }

    @Test func saveSessionWritesANotebookThatReplaysTheSession() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let session = """
            load idx train-images train-labels test-images test-labels
            normalize
            build dense 8 relu, dense 10 softmax
            fit epochs=1 batch=10 optimizer=sgd lr=0.1
            evaluate
            """
        #expect(harness.run(session) == nil)
        #expect(harness.run("show modle") != nil, "a failed command is not saved")
        #expect(harness.run("help\nsave session replay.dnb") == nil)
        let saved = try String(contentsOfFile: harness.directory + "/replay.dnb", encoding: .utf8)
        #expect(saved.hasSuffix(session + "\n"))
        let replay = try Harness()
        try writeBarFixtures(replay)
        try replay.write("replay.dnb", Array(saved.utf8))
        #expect(replay.run("run replay.dnb") == nil)
        let evaluation = { (h: Harness) in h.lines.first { $0.hasPrefix("test: ") } }
        #expect(evaluation(replay) != nil && evaluation(replay) == evaluation(harness))
    }

    @Test func saveSessionRefusesANameThatIsNotANotebook() throws {
        let harness = try Harness()
        let rendered = harness.run("save session out.txt")
        #expect(rendered?.hasPrefix("test.dnb:1:14: error: a notebook's name ends in .dnb. Received: out.txt") == true)
    }
}

@Test func aFitStoppedByCtrlCIsSavedAsItsFinishedEpochs() throws {
    let command = try #require(try Parser.parse(line: #"fit epochs=50 optimizer=adam validation=0.2"#))
    #expect(
        Session.replayableFit(command, finishedEpochs: 2, stopped: (3, 700))
            == "# stopped by Ctrl-C at epoch 3, step 700; replaying the 2 finished epoch(s) only\n"
            + "fit epochs=2 optimizer=adam validation=0.2")
    #expect(
        Session.replayableFit(command, finishedEpochs: 0, stopped: (1, 5))
            == "# stopped by Ctrl-C at epoch 1, step 5; no epoch finished, so nothing to replay")
}
