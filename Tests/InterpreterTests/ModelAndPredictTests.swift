import Foundation
import Testing

@testable import Interpreter

/// `save model`, `load model` and `predict`, as a user runs them.
@Suite struct ModelAndPredictTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/digits").path
    static let dataPath = ProcessInfo.processInfo.environment["DNB_DATA"]

    static let trainOnBars = """
        load idx train-images train-labels test-images test-labels
        normalize
        build dense 16 relu, dense 10 softmax
        fit epochs=1 batch=20 optimizer=adam lr=0.01
        """

    @Test func saveThenLoadGivesTheSameNumbers() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.trainOnBars + "\nevaluate\nsave model m.safetensors") == nil)
        let before = harness.lines.filter { $0.hasPrefix("test: ") }
        #expect(harness.run("build dense 4 relu, dense 10 softmax\nload model m.safetensors\nevaluate") == nil)
        let after = harness.lines.filter { $0.hasPrefix("test: ") }
        #expect(after.count == 2 && after[1] == before[0])
        #expect(
            harness.output.contains(
                "loaded the model from m.safetensors: 784-16-10, 12,730 parameters, 1 epoch(s) trained, adam after 10 steps"))
    }

    @Test func fitAfterLoadResumesWhereItStopped() throws {
        let straight = try Harness()
        try writeBarFixtures(straight)
        #expect(straight.run(Self.trainOnBars + "\nfit epochs=1\nevaluate") == nil)
        let resumed = try Harness()
        try writeBarFixtures(resumed)
        #expect(resumed.run(Self.trainOnBars + "\nsave model m.safetensors") == nil)
        let fresh = try Harness()
        try writeBarFixtures(fresh)
        try FileManager.default.copyItem(atPath: resumed.directory + "/m.safetensors", toPath: fresh.directory + "/m.safetensors")
        #expect(
            fresh.run(
                "load idx train-images train-labels test-images test-labels\nnormalize\nload model m.safetensors\nfit epochs=1\nevaluate"
            ) == nil)
        let evaluation = { (h: Harness) in h.lines.last { $0.hasPrefix("test: ") } }
        #expect(evaluation(fresh) != nil && evaluation(fresh) == evaluation(straight))
    }

    @Test func damagedModelFilesAreRefused() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.trainOnBars + "\nsave model m.safetensors") == nil)
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: harness.directory + "/m.safetensors")))
        try harness.write("truncated.safetensors", Array(good.prefix(good.count / 2)))
        try harness.write("garbage.safetensors", [UInt8](repeating: 0x41, count: 64))
        let foreignHeader = Array(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#.utf8)
        var foreign = withUnsafeBytes(of: UInt64(foreignHeader.count).littleEndian, Array.init) + foreignHeader
        foreign += [0, 0, 0x80, 0x3F]
        try harness.write("foreign.safetensors", foreign)
        for (file, expected) in [
            ("truncated.safetensors", "truncated.safetensors"), ("garbage.safetensors", "garbage.safetensors"),
            ("foreign.safetensors", "not a dnb model"), ("missing.safetensors", "missing.safetensors"),
        ] {
            let rendered = harness.run("load model \(file)") ?? ""
            #expect(rendered.hasPrefix("test.dnb:1:12: error: ") && rendered.contains(expected), "\(file): \(rendered)")
        }
        #expect(harness.session.state.modelOrigin == "built", "a refused file leaves the model alone")
    }

    @Test func badPicturesGetClearMessages() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run("predict digit.png")?.contains("error: no model yet") == true)
        #expect(harness.run(Self.trainOnBars) == nil)
        try harness.write("notes.png", Array("not a picture at all".utf8))
        try harness.write("blank.pgm", Array("P5 28 28 255\n".utf8) + [UInt8](repeating: 255, count: 784))
        try harness.write("huge.pgm", Array("P5 20000 20000 255\n".utf8) + [UInt8](repeating: 0, count: 16))
        for (line, expected) in [
            ("predict nowhere.png", "no such file or folder: nowhere.png"),
            ("predict notes.png", "notes.png"),
            ("predict blank.pgm", "no ink found"),
            ("predict huge.pgm", "20000"),
            ("predict test 50", "the test set has samples 0 to 49. Received: 50"),
            ("predict test", "`predict test` needs N (a sample number)"),
        ] {
            let rendered = harness.run(line) ?? ""
            #expect(rendered.hasPrefix("test.dnb:1:"), "\(line): \(rendered)")
            #expect(rendered.contains(expected), "\(line): \(rendered)")
        }
        #expect(harness.run("predict test 3") == nil)
        #expect(harness.output.contains("test sample 3: predicted "))
    }

    @Test func aFolderWithAnUnreadablePictureStillGetsTheRest() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.trainOnBars) == nil)
        let manager = FileManager.default
        for folder in ["drawings/7", "drawings/10"] {
            try manager.createDirectory(atPath: harness.directory + "/" + folder, withIntermediateDirectories: true)
        }
        try manager.copyItem(atPath: Self.fixtures + "/small/7/1.png", toPath: harness.directory + "/drawings/7/a.png")
        try harness.write("drawings/7/broken.png", Array("not a picture".utf8))
        #expect(harness.run("predict drawings") == nil)
        #expect(harness.output.contains("predicted 1 picture(s) in drawings: accuracy"))
        #expect(harness.output.contains("skipped drawings/7/broken.png"))
        #expect(harness.output.contains("ignored folder(s) 10: only 0/ … 9/ name a digit"))
    }

    /// The acceptance check of issue 6: people's drawings, small transparent
    /// ones and big canvases, read right by a seed-B model trained on the
    /// real MNIST. Since issue 12 the fixtures are drawn as variedly as people
    /// draw (boxy, angular, tilted, hairline and finger-thick, tiny and
    /// edge-touching), and this model reads them about 94% (small) and 89%
    /// (canvas) right; at least 85% each.
    @Test(.enabled(if: dataPath != nil, "DNB_DATA is not set"))
    func peoplesDrawingsAreReadRight() throws {
        let harness = try Harness(variables: ["DNB_DATA": try #require(Self.dataPath)])
        #expect(
            harness.run(
                "load mnist\nnormalize\nbuild dense 128 relu, dense 10 softmax\nfit epochs=5 optimizer=adam\n"
                    + "predict \"\(Self.fixtures)/small\"\npredict \"\(Self.fixtures)/canvas\"") == nil)
        let accuracies = harness.lines.compactMap { line -> Double? in
            guard let match = line.firstMatch(of: /accuracy (\d\.\d{4})/) else { return nil }
            return Double(match.1)
        }
        #expect(accuracies.count == 2)
        for accuracy in accuracies { #expect(accuracy >= 0.85, "\(harness.output)") }
    }
}
