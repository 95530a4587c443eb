import Engine
import Foundation
import HostIO
import Language
import Plotting
import Testing

@testable import Interpreter

/// The command table as the one declaration: every verb refuses what it does not declare.
@Suite struct CommandTableTests {
    /// A valid line for each verb (its first example), which `bogus=1` then spoils.
    static let verbsWithOptionsChecked = CommandTable.specs.filter { !$0.acceptsAnyOption }.map(\.name)

    @Test(arguments: verbsWithOptionsChecked)
    func anUnknownOptionIsRefusedByEveryVerb(verb: String) throws {
        let spec = try #require(CommandTable.spec(named: verb))
        let line = try #require(spec.examples.first) + " bogus=1"
        let harness = try Harness()
        let rendered = try #require(harness.run(line), "\(line) was accepted")
        let column = line.count - "bogus=1".count + 1
        #expect(rendered.hasPrefix("test.dnb:1:\(column): error: unknown option 'bogus' — '"), "\(rendered)")
        #expect(harness.session.state.successfulCommands.isEmpty)
        #expect(harness.session.state.settings == Settings(), "nothing ran: \(line)")
    }

    @Test func theIssuesExampleIsRefusedWithTheNearestName() throws {
        let harness = try Harness()
        let rendered = try #require(harness.run("load model m.safetensors epochs=3 bogus=1"))
        #expect(
            rendered.hasPrefix(
                "test.dnb:1:26: error: unknown option 'epochs' — 'load model' takes no options\n"
                    + "    load model m.safetensors epochs=3 bogus=1\n                             ^~~~~~"))
        #expect(harness.run("fit epohcs=3")?.contains("note: did you mean 'epochs='?") == true)
        #expect(harness.run("load idx a b path=x")?.contains("error: path= goes with `load mnist`") == true)
    }

    /// Every sub-word, misspelt (its last letter changed), gets itself suggested.
    static let misspeltSubWords: [(String, String)] = CommandTable.specs.filter { $0.arguments.isEmpty }.flatMap { spec in
        spec.subcommands.map(\.name).map { name -> (String, String) in
            ("\(spec.name) \(name.dropLast())q", name)
        }
    }

    @Test(arguments: misspeltSubWords)
    func aWrongSubWordGetsItsSuggestion(line: String, meant: String) throws {
        let harness = try Harness()
        let rendered = try #require(harness.run(line))
        let column = line.firstIndex(of: " ").map { line.distance(from: line.startIndex, to: $0) + 2 } ?? 0
        #expect(rendered.hasPrefix("test.dnb:1:\(column): error: unknown "), "\(rendered)")
        #expect(rendered.hasSuffix("note: did you mean '\(meant)'?"), "\(rendered)")
    }

    @Test func helpShowsTypedDefaultsFromTheDeclaration() throws {
        let harness = try Harness()
        #expect(harness.run("help fit") == nil)
        #expect(
            harness.output.contains("batch=            samples per gradient step (default 32; a whole number from 1 to 1000000)"))
        #expect(harness.output.contains("seed=             shuffling seed (default the session seed, see set seed=N;"))
        #expect(Settings().seed == UInt64(SetCommand.seed.defaultValue) && Settings().plotFormat == "png")
    }
}

/// A command that fails part-way leaves the session exactly as it was.
@Suite struct FailedCommandTests {
    /// Everything a command may change, in comparable form.
    struct Snapshot: Equatable {
        var data: LoadedData?
        var parameters: [Float]?
        var optimizer: Optimizer?
        var iterations: Int?
        var slots: [[Float]]?
        var origin: String
        var scaling: InputScaling?
        var history: [EpochMetrics]
        var fraction: Double
        var settings: Settings
        var commands: [String]

        init(_ state: SessionState) {
            data = state.data
            parameters = state.model?.model.parameters
            optimizer = state.model?.model.optimizerState?.optimizer
            iterations = state.model?.model.optimizerState?.iterations
            slots = state.model?.model.optimizerState?.slots
            origin = state.modelOrigin
            scaling = state.modelScaling
            history = state.history
            fraction = state.lastValidationFraction
            settings = state.settings
            commands = state.successfulCommands
        }
    }

    /// Bar images whose labels are only 0...4, for a 5-class model.
    static func writeFiveClassFixtures(_ harness: Harness) throws {
        let bars = barImages(count: 100, seed: 3)
        try harness.write("five-images", idx(magic: 0x803, dims: [100, 28, 28], data: bars.images))
        try harness.write("five-labels", idx(magic: 0x801, dims: [100], data: bars.labels.map { $0 % 5 }))
    }

    func trained() throws -> Harness {
        let harness = try Harness()
        try writeBarFixtures(harness)
        try Self.writeFiveClassFixtures(harness)
        let setup = """
            load idx five-images five-labels
            normalize
            build dense 8 relu, dense 5 softmax
            fit epochs=1 batch=20 optimizer=adam validation=0.2
            """
        #expect(harness.run(setup) == nil)
        return harness
    }

    @Test func fitThatFailsAfterChangingItsOptimizerKeepsTheOldOne() throws {
        let harness = try trained()
        // Data with labels 5...9: the engine refuses it only after fit has set
        // the new learning rate on its copy of the model.
        #expect(harness.run("load idx train-images train-labels\nnormalize") == nil)
        let before = Snapshot(harness.session.state)
        let rendered = harness.run("fit epochs=1 optimizer=adam lr=0.05")
        #expect(rendered?.contains("error:") == true)
        #expect(Snapshot(harness.session.state) == before)
        #expect(before.optimizer == .adam(learningRate: 0.001))
    }

    @Test func loadThatFailsOnItsTestPairKeepsTheOldData() throws {
        let harness = try trained()
        try harness.write("bad-labels", idx(magic: 0x801, dims: [50], data: [UInt8](repeating: 11, count: 50)))
        let before = Snapshot(harness.session.state)
        let rendered = harness.run("load idx train-images train-labels test-images bad-labels")
        #expect(rendered?.contains("bad-labels") == true, "\(rendered ?? "")")
        #expect(Snapshot(harness.session.state) == before)
    }

    @Test func buildThatFailsInTheEngineKeepsTheOldModel() throws {
        let harness = try trained()
        let before = Snapshot(harness.session.state)
        #expect(harness.run("build dense 8 relu, dense 5 relu")?.contains("the last layer must use softmax") == true)
        #expect(Snapshot(harness.session.state) == before)
    }

    /// `run` is one command: a notebook that loads, normalizes, builds and
    /// fits, then fails, leaves nothing of that behind.
    @Test(arguments: ["load", "normalize", "build", "fit"])
    func aRunThatFailsAfterMutatingCommandsChangesNothing(failAfter: String) throws {
        let harness = try trained()
        let steps = [
            "set threads=2 seed=9", "load idx train-images train-labels test-images test-labels",
            "normalize standardize", "build dense 6 relu, dense 10 softmax", "fit epochs=1 batch=50 optimizer=sgd",
        ]
        let upTo = try #require(steps.firstIndex { $0.hasPrefix(failAfter) })
        let notebook = steps[...upTo].joined(separator: "\n") + "\nevaluate nowhere\n"
        try harness.write("inner.dnb", Array(notebook.utf8))
        let before = Snapshot(harness.session.state)
        #expect(harness.run("run inner.dnb")?.hasPrefix("inner.dnb:\(upTo + 2):10: error: unknown split 'nowhere'") == true)
        #expect(Snapshot(harness.session.state) == before)
    }

    @Test func normalizeThatFailsKeepsTheScaling() throws {
        let harness = try trained()
        let before = Snapshot(harness.session.state)
        #expect(harness.run("normalize standardise")?.contains("note: did you mean 'standardize'?") == true)
        #expect(Snapshot(harness.session.state) == before)
    }
}

/// The session reaches the disk only through `HostServices`.
@Suite struct HostServicesTests {
    /// Records every write and render; fails writes on request.
    final class RecordingHost: HostServices, @unchecked Sendable {
        var written: [String] = []
        var rendered: [String] = []
        var failWrites = false

        func read(_ path: String) throws(FileError) -> [UInt8] { try readFileBytes(path) }
        func write(_ bytes: [UInt8], to path: String, newFileMode: Int, creatingFolders: Bool) throws(FileError) {
            if failWrites { throw .unwritable(path: path, reason: "disk full") }
            written.append(path)
        }
        func kind(of path: String) -> FileKind { fileKind(path) }
        func size(of path: String) -> Int { 0 }
        func list(_ folder: String) -> [String] { [] }
        func render(_ script: GnuplotScript, in directory: String) -> GnuplotRenderResult {
            rendered.append(script.output?.scriptFileName ?? "")
            return .scriptOnly(script: directory + "/" + (script.output?.scriptFileName ?? ""))
        }
        func preview(_ script: GnuplotScript) -> GnuplotPreviewResult { .unavailable }
    }

    @Test func writesAndPlotsGoThroughTheHost() throws {
        let host = RecordingHost()
        let harness = try Harness()
        harness.host = host
        try writeBarFixtures(harness)
        #expect(harness.run(ModelAndPredictTests.trainOnBars + "\nsave model m.safetensors\nshow loss") == nil)
        #expect(host.written == [harness.directory + "/m.safetensors"])
        #expect(host.rendered == ["loss.gp"])
        #expect(!FileManager.default.fileExists(atPath: harness.directory + "/m.safetensors"))
    }

    @Test func aFailedWriteNamesTheFileAsTypedAndChangesNothing() throws {
        let host = RecordingHost()
        host.failWrites = true
        let harness = try Harness()
        harness.host = host
        try writeBarFixtures(harness)
        #expect(harness.run(ModelAndPredictTests.trainOnBars) == nil)
        let rendered = try #require(harness.run("save session out/s.dnb"))
        #expect(rendered.hasPrefix("test.dnb:1:14: error: cannot write out/s.dnb: disk full"), "\(rendered)")
        #expect(!rendered.contains(harness.directory))
    }
}

@Test func oneRendererServesBatchThePromptAndJupyter() throws {
    let harness = try Harness()
    let inBatch = try #require(harness.session.run(source: "\nfit epohcs=3", file: "nb.dnb"))
    #expect(inBatch.rendered.hasPrefix("nb.dnb:2:5: error: unknown option 'epohcs'"))
    let atPrompt = try #require(harness.session.run(source: "fit epohcs=3", file: nil))
    #expect(atPrompt.rendered.hasPrefix("error: unknown option 'epohcs'"))
    let jupyter = atPrompt.jupyterError
    #expect(jupyter.ename == "DnbError" && jupyter.evalue.hasPrefix("unknown option 'epohcs'"))
    #expect(jupyter.traceback == atPrompt.rendered.split(separator: "\n").map(String.init))
}

/// Odd words in every position of every command: each line fails or runs, never crashes.
@Test(arguments: CommandTable.verbs)
func oddWordsAnywhereNeverCrash(verb: String) throws {
    let harness = try Harness()
    try writeBarFixtures(harness, train: 40, test: 10)
    #expect(harness.run(ModelAndPredictTests.trainOnBars.replacingOccurrences(of: "batch=20", with: "batch=8")) == nil)
    let odd = ["", "x", "0", "-1", "99999999999999999999", ",", ", ,", "a=b", "n=", "\"\"", "dense", "1e999", "nan", "ü"]
    for first in odd {
        for second in odd {
            _ = harness.run("\(verb) \(first) \(second)")
        }
    }
    #expect(harness.run("evaluate") == nil, "the session still works after \(odd.count * odd.count) odd lines")
}
