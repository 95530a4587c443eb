import Foundation
import Testing

@testable import Interpreter

/// The layers added through the layer registry, through the commands:
/// `build` with batchnorm, activation, avgpool and globalavgpool, Keras's
/// summary with its non-trainable line, fit, evaluate, save, load, resume.
@Suite struct LayerCommandTests {
    static let issueExample =
        "build conv 32 3x3, batchnorm, activation relu, maxpool 2, conv 64 3x3, batchnorm, activation relu, "
        + "maxpool 2, flatten, dropout 0.5, dense 10 softmax"
    static let tiny =
        "build conv 4 3x3, batchnorm momentum=0.9, activation relu, avgpool 2, conv 6 3x3, batchnorm, "
        + "activation tanh, globalavgpool, dense 10 softmax"

    @Test func batchNormalizedConvnetHasKerasSummary() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(ConvCommandTests.loadBars + "\n" + Self.issueExample + "\nshow model") == nil)
        let lines = harness.lines.dropFirst(2).joined(separator: "\n").split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "built 28×28×1 → conv 26×26×32 linear → batchnorm → activation relu → maxpool 13×13×32 → "
                + "conv 11×11×64 linear → batchnorm → activation relu → maxpool 5×5×64 → flatten 1600 → dropout 0.5 → "
                + "dense 10 softmax: 35,210 parameters")
        #expect(lines.contains { $0.hasPrefix("batch_normalization (BatchNormalization)") && $0.contains("128") })
        #expect(lines.contains { $0.hasPrefix("activation_1 (Activation)") && $0.hasSuffix("relu") })
        #expect(lines.contains("Total params: 35,210 (137.54 KB)"))
        #expect(lines.contains("Trainable params: 35,018 (136.79 KB)"))
        #expect(lines.contains("Non-trainable params: 192 (768.00 B)"))
    }

    @Test func fitEvaluateSaveLoadAndResumeKeepTheMovingStatistics() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let train = ConvCommandTests.loadBars + "\n" + Self.tiny + "\nfit epochs=1 batch=20 optimizer=adam lr=0.01"
        #expect(harness.run(train + "\nevaluate\nsave model m.safetensors") == nil)
        let evaluation = { (h: Harness) in h.lines.last { $0.hasPrefix("test: ") } }
        let trained = try #require(evaluation(harness))
        // A fresh session reads the same model (moving statistics included) and evaluates the same.
        let loaded = try Harness()
        try writeBarFixtures(loaded)
        try FileManager.default.copyItem(
            atPath: harness.directory + "/m.safetensors", toPath: loaded.directory + "/m.safetensors")
        #expect(loaded.run(ConvCommandTests.loadBars + "\nload model m.safetensors\nevaluate") == nil)
        #expect(evaluation(loaded) == trained)
        // Resuming from the file equals one uninterrupted fit of two epochs.
        #expect(loaded.run("fit epochs=1 batch=20 optimizer=adam lr=0.01\nevaluate") == nil)
        let straight = try Harness()
        try writeBarFixtures(straight)
        #expect(
            straight.run(
                ConvCommandTests.loadBars + "\n" + Self.tiny + "\nfit epochs=2 batch=20 optimizer=adam lr=0.01\nevaluate") == nil)
        #expect(evaluation(loaded) == evaluation(straight))
        #expect(harness.run("show activations 0") == nil)
        #expect(harness.output.contains("batch_normalization 26x26x4"))
    }

    @Test(arguments: [
        (
            "build activation softmax, dense 10 softmax",
            "test.dnb:1:18: error: unknown activation 'softmax' — expected one of: relu, sigmoid, tanh, linear"
        ),
        (
            "build dense 16 relu, avgpool 2, dense 10 softmax",
            "test.dnb:1:22: error: invalid architecture: layer 2: average_pooling2d takes an image (height, width, channels) but receives (None, 16)"
        ),
        (
            "build dense 16 relu, globalavgpool, dense 10 softmax",
            "test.dnb:1:22: error: invalid architecture: layer 2: global_average_pooling2d takes an image (height, width, channels) but receives (None, 16)"
        ),
        (
            "build conv 4 3x3, batchnorm momentum=1.5, flatten, dense 10 softmax",
            "test.dnb:1:38: error: invalid value for 'momentum': expected a number from 0 to 1. Received: momentum=1.5"
        ),
        (
            "build conv 4 3x3, avgpool 30, flatten, dense 10 softmax",
            "test.dnb:1:19: error: invalid architecture: layer 2: a 30x30 pool leaves nothing of its input (None, 26, 26, 4)"
        ),
    ])
    func badLayersAreRefusedWhereTheyStand(line: String, message: String) throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(ConvCommandTests.loadBars) == nil)
        let rendered = try #require(harness.run(line))
        #expect(rendered.split(separator: "\n").first.map(String.init) == message)
    }
}
