import Foundation
import Plotting
import Testing

@testable import Interpreter

/// Every kind of bad notebook line gets `FILE:LINE:COL: error: ...`, the line
/// and a caret, and stops the replay there.
@Suite struct NotebookErrorTests {
    /// (notebook, the first line of the rendered error)
    @Test(arguments: [
        ("help\nfti epochs=3", "test.dnb:2:1: error: unknown command 'fti' — did you mean 'fit'? (help lists commands)"),
        ("frobnicate", "test.dnb:1:1: error: unknown command 'frobnicate' (help lists commands)"),
        (
            "fit epohcs=3",
            "test.dnb:1:5: error: unknown option 'epohcs' — 'fit' takes: epochs= batch= validation= optimizer= lr= momentum= nesterov= shuffle= seed="
        ),
        (
            "fit epochs=-1",
            "test.dnb:1:12: error: invalid value for 'epochs': expected a whole number from 1 to 100000. Received: epochs=-1"
        ),
        ("\n\nfit lr=abc", "test.dnb:3:8: error: invalid value for 'lr': expected a number > 0 and ≤ 10. Received: lr=abc"),
        ("fit epochs=2", "test.dnb:1:1: error: no model yet: run `build dense 128 relu, dense 10 softmax` first"),
        ("build dense 128 relu, dense 10 softmax", "test.dnb:1:1: error: no data loaded: run `load mnist` first"),
        ("evaluate", "test.dnb:1:1: error: no model yet: run `build dense 128 relu, dense 10 softmax` first"),
        ("show histroy", "test.dnb:1:6: error: unknown topic 'histroy' — expected one of: data, model, history"),
        (
            "load",
            "test.dnb:1:1: error: load what? usage: load mnist [path=DIR_OR_NPZ] | load idx IMAGES LABELS [IMAGES LABELS] | load npz FILE"
        ),
        ("load idx missing-images missing-labels", "test.dnb:1:10: error: "),
        ("load npz nowhere.npz", "test.dnb:1:10: error: "),
        ("set format=jpg", "test.dnb:1:12: error: invalid value for 'format': expected one of png, svg. Received: format=jpg"),
        ("run nowhere.dnb", "test.dnb:1:5: error: "),
        (
            "build dense $units relu",
            "test.dnb:1:13: error: unknown parameter '$units' (declare it first with: param units=VALUE)"
        ),
    ])
    func errorNamesFileLineAndColumn(notebook: String, expected: String) throws {
        let harness = try Harness()
        let rendered = try #require(harness.run(notebook))
        let first = String(rendered.split(separator: "\n", omittingEmptySubsequences: false)[0])
        #expect(first.hasPrefix(expected), "\(rendered)")
        // The offending line and a caret follow.
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count >= 3)
        #expect(lines[2].trimmingCharacters(in: .whitespaces).hasPrefix("^"))
    }

    @Test func buildErrorsPointAtTheBadWord() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run("load idx train-images train-labels") == nil)
        let cases = [
            ("build dense 128 rleu, dense 10 softmax", "test.dnb:1:17: error: unknown activation 'rleu'"),
            (
                "build dense x relu, dense 10 softmax",
                "test.dnb:1:13: error: units must be a whole number from 1 to 1000000. Received: x"
            ),
            ("build cnov 3 relu", "test.dnb:1:7: error: unknown layer type 'cnov'"),
            ("build dense 10 relu", "test.dnb:1:7: error: invalid architecture: the last layer must use softmax"),
            ("build dense 10 softmax, dense 10 softmax", "test.dnb:1:7: error: invalid architecture: "),
            (
                "build dense 128 relu dense 10 softmax",
                "test.dnb:1:22: error: unexpected 'dense' — separate layers with a comma: build dense 128 relu, dense 10 softmax"
            ),
        ]
        for (line, expected) in cases {
            let rendered = harness.run(line) ?? ""
            #expect(rendered.hasPrefix(expected), "\(line) → \(rendered)")
        }
    }

    @Test func fitBeforeNormalizeSaysWhatToRun() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let rendered = harness.run("load idx train-images train-labels\nbuild dense 4 relu, dense 10 softmax\nfit")
        #expect(rendered?.hasPrefix("test.dnb:3:1: error: the data is not normalized yet: run `normalize` first") == true)
    }

    @Test func aFailedCommandChangesNothing() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(
            harness.run(
                "load idx train-images train-labels test-images test-labels\nnormalize\nbuild dense 4 relu, dense 10 softmax")
                == nil)
        let model = harness.session.state.model
        #expect(harness.run("build dense 4 relu, dense 10 rleu") != nil)
        #expect(harness.session.state.model?.model === model?.model)
        #expect(harness.run("fit epochs=1 validation=0.999") != nil)
        #expect(harness.session.state.history.isEmpty)
        #expect(harness.session.state.successfulCommands.count == 3)
    }

    @Test func errorsInsideARunNotebookNameThatNotebook() throws {
        let harness = try Harness()
        try harness.write("inner.dnb", Array("help\n\nfit epochs=zero\n".utf8))
        let rendered = try #require(harness.run("# outer\nrun inner.dnb"))
        #expect(rendered.hasPrefix("inner.dnb:3:12: error: invalid value for 'epochs'"), "\(rendered)")
        #expect(rendered.contains("note: replayed by `run` at test.dnb:2"))
    }

    @Test func aNotebookThatRunsItselfStops() throws {
        let harness = try Harness()
        try harness.write("loop.dnb", Array("run loop.dnb\n".utf8))
        let rendered = try #require(harness.run("run loop.dnb"))
        #expect(rendered.contains("notebooks run each other more than 8 deep"), "\(rendered)")
    }

    @Test func binaryFileIsNotANotebook() throws {
        let harness = try Harness()
        try harness.write("model.bin", [0, 1, 2, 0xFF])
        let rendered = try #require(harness.run("run model.bin"))
        #expect(rendered.contains("not a text notebook"), "\(rendered)")
    }
}

@Suite struct SweepRegressionTests {
    @Test func theCaretPointsAtTheFileTheMessageNames() throws {
        let harness = try Harness()
        let bars = barImages(count: 20, seed: 1)
        try harness.write("images", idx(magic: 0x803, dims: [20, 28, 28], data: bars.images))
        try harness.write("labels", idx(magic: 0x801, dims: [10], data: Array(bars.labels.prefix(10))))
        let rendered = try #require(harness.run("load idx images labels"))
        #expect(rendered.hasPrefix("test.dnb:1:17: error: labels"), "\(rendered)")
    }

    @Test func notebooksThatAreNotTextSayWhere() {
        #expect(throws: (any Error).self) { try Session.notebookText(Array("help\nset\u{0}\n".utf8), name: "nb") }
        do {
            _ = try Session.notebookText(Array("help\n".utf8) + [0x73, 0xFF, 0x0A], name: "nb")
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.description == "nb: line 2 is not UTF-8 text; save the notebook as UTF-8")
        }
    }

    @Test func nanIsShownAsKerasShowsIt() {
        #expect(NumberFormat.fixed(.nan, 4) == "nan")
        #expect(NumberFormat.fixed(-.infinity, 4) == "-inf")
    }

    @Test func aLearningRateTooSmallForFloatIsRefusedAtItsValue() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let rendered = harness.run(
            "load idx train-images train-labels\nnormalize\nbuild dense 4 relu, dense 10 softmax\nfit lr=1e-320")
        #expect(rendered?.hasPrefix("test.dnb:4:8: error: lr=") == true, "\(rendered ?? "")")
    }
}
