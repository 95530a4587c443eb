import Engine
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
            == "# stopped by Ctrl-C at epoch 3, step 700; replaying the 2 finished epochs only\n"
            + "fit epochs=2 optimizer=adam validation=0.2")
    #expect(
        Session.replayableFit(command, finishedEpochs: 1, stopped: (2, 9), by: .jupyter)
            == "# interrupted at epoch 2, step 9; replaying the 1 finished epoch only\nfit epochs=1 optimizer=adam validation=0.2"
    )
    #expect(
        Session.replayableFit(command, finishedEpochs: 0, stopped: (1, 5))
            == "# stopped by Ctrl-C at epoch 1, step 5; no epoch finished, so nothing to replay")
}

@Suite struct RunAndSessionStateTests {
    @Test func saveSessionKeepsTheRunLineNotTheLinesItReplayed() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        try harness.write("prepare.dnb", Array("load idx train-images train-labels\nnormalize\n".utf8))
        #expect(harness.run("run prepare.dnb\nbuild dense 4 relu, dense 10 softmax\nsave session out.dnb") == nil)
        let saved = try String(contentsOfFile: harness.directory + "/out.dnb", encoding: .utf8)
        #expect(saved.hasSuffix("run prepare.dnb\nbuild dense 4 relu, dense 10 softmax\n"), "\(saved)")
    }

    @Test func aFailingRunLeavesTheSessionAsItWas() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run("load idx train-images train-labels\nnormalize\nbuild dense 4 relu, dense 10 softmax") == nil)
        let before = harness.session.state.model?.model.parameters
        try harness.write("inner.dnb", Array("set seed=9\nfit epochs=1 optimizer=sgd\nfit epochs=oops\n".utf8))
        #expect(harness.run("run inner.dnb")?.hasPrefix("inner.dnb:3:12: error:") == true)
        #expect(harness.session.state.settings.seed == 1)
        #expect(harness.session.state.history.isEmpty)
        #expect(harness.session.state.model?.model.parameters == before)
    }

    @Test func aNewLearningRateKeepsTheOptimizersMoments() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(ModelAndPredictTests.trainOnBars + "\nfit epochs=1 lr=0.001") == nil)
        let state = try #require(harness.session.state.model?.model.optimizerState)
        #expect(state.iterations == 17, "10 steps of 20, then 7 of the default 32: one Adam, continued")
        #expect(state.optimizer == .adam(learningRate: 0.001))
    }

    @Test func evaluateUsesTheModelsNormalizationEvenAfterTheDataChanges() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(
            harness.run(
                "load idx train-images train-labels test-images test-labels\nnormalize standardize\n"
                    + "build dense 16 relu, dense 10 softmax\nfit epochs=2 batch=20 optimizer=adam lr=0.01\nevaluate") == nil)
        let first = harness.lines.last
        #expect(harness.run("normalize\nevaluate") == nil)
        #expect(harness.lines.last == first)
    }
}
