import Foundation
import Testing

@testable import Interpreter

/// Convnets through the commands: `build` with conv, maxpool, flatten and
/// dropout layers, Keras's summary, training with augmentation, files and predictions.
@Suite struct ConvCommandTests {
    static let kerasExample =
        "build conv 32 3x3 relu, maxpool 2, conv 64 3x3 relu, maxpool 2, flatten, dropout 0.5, dense 10 softmax"

    static let loadBars = "load idx train-images train-labels test-images test-labels\nnormalize"
    static let tinyConvnet = "build conv 4 3x3 relu, maxpool 2, flatten, dense 10 softmax"
    static let trainTiny = loadBars + "\n" + tinyConvnet + "\nfit epochs=1 batch=20 optimizer=adam lr=0.01"

    @Test func kerasExampleHasKerasSummary() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.loadBars + "\n" + Self.kerasExample + "\nshow model") == nil)
        let expected = """
            built 28×28×1 → conv 26×26×32 relu → maxpool 13×13×32 → conv 11×11×64 relu → maxpool 5×5×64 → flatten 1600 → dropout 0.5 → dense 10 softmax: 34,826 parameters
            Model: "sequential" (built), input (None, 28, 28, 1)
            ───────────────────────────────────────────────────────────────────────
            Layer (type)                    Output Shape        Param #  Activation
            ───────────────────────────────────────────────────────────────────────
            conv2d (Conv2D)                 (None, 26, 26, 32)      320  relu
            max_pooling2d (MaxPooling2D)    (None, 13, 13, 32)        0
            conv2d_1 (Conv2D)               (None, 11, 11, 64)   18,496  relu
            max_pooling2d_1 (MaxPooling2D)  (None, 5, 5, 64)          0
            flatten (Flatten)               (None, 1600)              0
            dropout (Dropout)               (None, 1600)              0
            dense (Dense)                   (None, 10)           16,010  softmax
            ───────────────────────────────────────────────────────────────────────
            Total params: 34,826 (136.04 KB)
            Trainable params: 34,826 (136.04 KB)
            Non-trainable params: 0 (0.00 B)
            optimizer: none yet (the first fit sets it)
            """
        #expect(harness.lines.dropFirst(2).joined(separator: "\n") == expected)
    }

    @Test func denseStacksKeepTheirFlatInputAndText() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(
            harness.run(
                Self.loadBars
                    + "\nbuild dense 128 relu, dense 10 softmax\nbuild dense 16 relu, dropout 0.2, dense 10 softmax\n"
                    + "build flatten, dense 10 softmax\nbuild dropout 0.1, conv 2 5x5 padding=same stride=2, flatten, dense 10 softmax"
            ) == nil)
        #expect(
            Array(harness.lines.dropFirst(2)) == [
                "built 784 → 128 relu → 10 softmax: 101,770 parameters",
                "built 784 → dense 16 relu → dropout 0.2 → dense 10 softmax: 12,730 parameters",
                "built 28×28×1 → flatten 784 → dense 10 softmax: 7,850 parameters",
                "built 28×28×1 → dropout 0.1 → conv 14×14×2 linear → flatten 392 → dense 10 softmax: 3,982 parameters",
            ])
    }

    /// Each layer takes its own options: two convs may both say padding=;
    /// one layer saying it twice is refused at the repeat.
    @Test func eachLayerHasItsOwnOptions() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let build = "build conv 4 3x3 relu padding=same stride=2, conv 4 3x3 padding=same, flatten, dense 10 softmax"
        #expect(harness.run(Self.loadBars + "\n" + build) == nil)
        #expect(harness.output.contains("conv 14×14×4 relu → conv 14×14×4 linear → flatten 784"))
        let twice = harness.run("build conv 4 3x3 padding=same padding=valid, flatten, dense 10 softmax")
        #expect(twice?.contains("option 'padding' is given twice (first at column 18)") == true, "\(twice ?? "")")
    }

    /// Each bad layer list is refused at `build`, with the caret under the
    /// layer (or word, or option) to blame.
    @Test(arguments: [
        (
            "build conv 32 30x30 relu, flatten, dense 10 softmax",
            "test.dnb:1:7: error: invalid architecture: layer 1: the 30x30 kernel is larger than its input (None, 28, 28, 1); use a smaller kernel or padding=same",
            "      ^~~~~~~~~~~~~~~~~~"
        ),
        (
            "build conv 8 3x3 relu, maxpool 2, maxpool 20, flatten, dense 10 softmax",
            "test.dnb:1:35: error: invalid architecture: layer 3: a 20x20 pool leaves nothing of its input (None, 13, 13, 8)",
            "                                  ^~~~~~~~~~"
        ),
        (
            "build conv 8 3x3 relu, dense 10 softmax",
            "test.dnb:1:24: error: invalid architecture: layer 2: dense takes a flat input but receives (None, 26, 26, 8); add flatten before it",
            "                       ^~~~~~~~~~~~~~~~"
        ),
        (
            "build conv 8 3x relu, flatten, dense 10 softmax",
            "test.dnb:1:14: error: invalid value for 'kernel size': expected a square size such as 3x3 (from 1x1 to 1024x1024). Received: 3x",
            "             ^~"
        ),
        (
            "build conv 8 3x5 relu, flatten, dense 10 softmax",
            "test.dnb:1:14: error: kernel size must be square, as 3x3 or 5x5. Received: 3x5",
            "             ^~~"
        ),
        (
            "build conv 8 3x3 relu paddin=same, flatten, dense 10 softmax",
            "test.dnb:1:23: error: unknown option 'paddin' — 'conv' takes: padding= stride=",
            "                      ^~~~~~"
        ),
        (
            "build conv 8 3x3 relu, maxpool 2 padding=same, flatten, dense 10 softmax",
            "test.dnb:1:34: error: padding= goes with a layer of type `conv`, not `maxpool`",
            "                                 ^~~~~~~"
        ),
        (
            "build conv 8 3x3 relu padding=full, flatten, dense 10 softmax",
            "test.dnb:1:31: error: invalid value for 'padding': expected one of valid, same. Received: padding=full",
            "                              ^~~~"
        ),
        (
            "build conv 8 3x3 relu stride=0, flatten, dense 10 softmax",
            "test.dnb:1:30: error: invalid value for 'stride': expected a whole number from 1 to 1024. Received: stride=0",
            "                             ^"
        ),
        (
            "build dense 16 relu, dropout 1, dense 10 softmax",
            "test.dnb:1:22: error: invalid architecture: layer 2: the dropout rate must be in [0, 1). Received: rate=1.0",
            "                     ^~~~~~~~~"
        ),
        (
            "build convv 8 3x3, flatten, dense 10 softmax",
            "test.dnb:1:7: error: unknown layer type 'convv' — expected one of: dense, conv, maxpool, flatten, dropout, batchnorm, activation, avgpool, globalavgpool",
            "      ^~~~~"
        ),
        (
            "build conv 8 relu, flatten, dense 10 softmax",
            "test.dnb:1:14: error: invalid value for 'kernel size': expected a square size such as 3x3 (from 1x1 to 1024x1024). Received: relu",
            "             ^~~~"
        ),
        (
            "build conv 8 3x3 relu, maxpool, flatten, dense 10 softmax",
            "test.dnb:1:24: error: `maxpool` needs N (pool size) — usage: maxpool N",
            "                       ^~~~~~~"
        ),
        (
            "build conv 8 3x3 relu, flatten, dense 10 relu",
            "test.dnb:1:33: error: invalid architecture: the last layer must use softmax activation, because the loss is categorical cross-entropy on class probabilities. Received: activation=relu on layer 3",
            "                                ^~~~~~~~~~~~~"
        ),
    ])
    func badLayerListsAreRefusedWithACaret(line: String, message: String, caret: String) throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.loadBars) == nil)
        let rendered = try #require(harness.run(line))
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == message)
        #expect(lines.dropFirst().first == "    " + line)
        #expect(lines.dropFirst(2).first == "    " + caret)
        #expect(harness.session.state.model == nil, "a refused build leaves no model")
    }

    @Test func atThePromptAnErrorLeavesTheSessionUsable() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.loadBars, file: nil) == nil)
        let rendered = harness.run("build conv 8 9x9 relu, maxpool 9, maxpool 3, flatten, dense 10 softmax", file: nil)
        #expect(
            rendered?.hasPrefix("error: invalid architecture: layer 3: a 3x3 pool leaves nothing") == true, "\(rendered ?? "")")
        #expect(harness.run(Self.tinyConvnet, file: nil) == nil)
        #expect(
            harness.lines.last
                == "built 28×28×1 → conv 26×26×4 relu → maxpool 13×13×4 → flatten 676 → dense 10 softmax: 6,810 parameters")
    }

    @Test func fitEvaluateSaveAndLoadAConvnet() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.trainTiny + "\nevaluate\nsave model m.safetensors") == nil)
        #expect(harness.output.contains("Epoch 1/1 - 10/10 - "))
        let before = harness.lines.filter { $0.hasPrefix("test: ") }
        #expect(
            harness.lines.last?.hasPrefix(
                "saved the model (28x28x1-26x26x4-13x13x4-676-10, 6,810 parameters, 1 epoch(s) trained) to m.safetensors") == true
        )
        #expect(harness.run("build dense 4 relu, dense 10 softmax\nload model m.safetensors\nevaluate\nshow model") == nil)
        let after = harness.lines.filter { $0.hasPrefix("test: ") }
        #expect(after.count == 2 && after[1] == before[0])
        #expect(
            harness.output.contains(
                "loaded the model from m.safetensors: 28x28x1-26x26x4-13x13x4-676-10, 6,810 parameters, 1 epoch(s) trained, adam after 10 steps"
            ))
        #expect(harness.output.contains("Model: \"sequential\" (loaded from m.safetensors), input (None, 28, 28, 1)"))
        #expect(harness.output.contains("optimizer: adam, 10 steps taken"))
    }

    @Test func fitAfterLoadResumesAConvnetWhereItStopped() throws {
        let straight = try Harness()
        try writeBarFixtures(straight)
        #expect(straight.run(Self.trainTiny + "\nfit epochs=1\nevaluate") == nil)
        let saved = try Harness()
        try writeBarFixtures(saved)
        #expect(saved.run(Self.trainTiny + "\nsave model m.safetensors") == nil)
        let resumed = try Harness()
        try writeBarFixtures(resumed)
        try FileManager.default.copyItem(atPath: saved.directory + "/m.safetensors", toPath: resumed.directory + "/m.safetensors")
        #expect(resumed.run(Self.loadBars + "\nload model m.safetensors\nfit epochs=1\nevaluate") == nil)
        let evaluation = { (h: Harness) in h.lines.last { $0.hasPrefix("test: ") } }
        #expect(evaluation(resumed) != nil && evaluation(resumed) == evaluation(straight))
    }

    @Test func predictReadsPicturesFoldersAndSamplesWithAConvnet() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.trainTiny) == nil)
        let small = ModelAndPredictTests.fixtures + "/small"
        #expect(harness.run("predict \"\(small)\"\npredict \"\(small)/7/1.png\"\npredict test 3") == nil)
        #expect(harness.output.contains(/predicted \d+ picture\(s\) in .*small: accuracy \d\.\d{4}/))
        #expect(harness.output.contains(/predicted \d — top 3:/) && harness.output.contains("prepared like MNIST"))
        #expect(harness.output.contains("test sample 3: predicted "))
        // A convnet's `show weights` draws its first layer's filters (ConvnetPlotCommandTests has the picture).
        #expect(harness.run("show weights") == nil)
        #expect(harness.output.contains("weights.gp"))
    }

    @Test func augmentationIsSeededAndChangesTraining() throws {
        func evaluation(_ fit: String) throws -> String? {
            let harness = try Harness()
            try writeBarFixtures(harness)
            #expect(harness.run(Self.loadBars + "\n" + Self.tinyConvnet + "\n" + fit + "\nevaluate") == nil)
            return harness.lines.last { $0.hasPrefix("test: ") }
        }
        let plain = try evaluation("fit epochs=2 batch=20 optimizer=adam lr=0.01")
        let augmented = try evaluation("fit epochs=2 batch=20 optimizer=adam lr=0.01 augment=on")
        let again = try evaluation("fit epochs=2 batch=20 optimizer=adam lr=0.01 augment=on shift=0.1 rotate=0.05 zoom=0.1")
        let other = try evaluation("fit epochs=2 batch=20 optimizer=adam lr=0.01 augment=on seed=9")
        let explicit = try evaluation(
            "fit epochs=2 batch=20 optimizer=adam lr=0.01 augment=on shear_x=0 shear_y=0 elastic=0")
        let distorted = try evaluation(
            "fit epochs=2 batch=20 optimizer=adam lr=0.01 augment=on shear_x=0.3 zoom_width=0.2 elastic=1")
        #expect(
            augmented != nil && augmented == again && augmented == explicit,
            "the defaults are Augmentation()'s, and the same seed gives the same numbers")
        #expect(augmented != plain && augmented != other && distorted != nil && distorted != augmented)
    }

    @Test(arguments: [
        (
            "fit augment=on", "build dense 16 relu, dense 10 softmax",
            "test.dnb:1:13: error: augment=on moves pixels of images, but this model takes 784 flat features: build one that starts with conv, maxpool, flatten, avgpool or globalavgpool"
        ),
        ("fit shift=0.2", tinyConvnet, "test.dnb:1:5: error: shift= goes with augment=on"),
        (
            "fit augment=on rotate=0.7", tinyConvnet,
            "test.dnb:1:23: error: invalid value for 'rotate': expected a number from 0 to 0.5. Received: rotate=0.7"
        ),
        ("fit epochs=1 elastic=0.5", tinyConvnet, "test.dnb:1:14: error: elastic= goes with augment=on"),
        ("fit augment=off shear_x=0.2", tinyConvnet, "test.dnb:1:17: error: shear_x= goes with augment=on"),
        (
            "fit augment=on shear_x=1.5", tinyConvnet,
            "test.dnb:1:24: error: invalid value for 'shear_x': expected a number from 0 to 1. Received: shear_x=1.5"
        ),
        (
            "fit augment=on zoom_width=1", tinyConvnet,
            "test.dnb:1:27: error: invalid value for 'zoom_width': expected a number from 0 to 0.99. Received: zoom_width=1"
        ),
        (
            "fit augment=on elastic=-0.5", tinyConvnet,
            "test.dnb:1:24: error: invalid value for 'elastic': expected a number from 0 to 1. Received: elastic=-0.5"
        ),
        (
            "fit augment=maybe", tinyConvnet,
            "test.dnb:1:13: error: invalid value for 'augment': expected true or false. Received: augment=maybe"
        ),
    ])
    func badAugmentationIsRefusedAtItsPlace(fit: String, build: String, expected: String) throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        #expect(harness.run(Self.loadBars + "\n" + build) == nil)
        let rendered = harness.run(fit) ?? ""
        #expect(rendered.hasPrefix(expected), "\(rendered)")
        #expect(harness.session.state.history.isEmpty)
    }

    @Test func helpListsTheLayerKindsAndTheirOptions() throws {
        let harness = try Harness()
        #expect(harness.run("help build\nhelp fit") == nil)
        let build = harness.lines[0]
        for fragment in [
            "  dense UNITS [ACTIVATION]", "  conv FILTERS KxK [ACTIVATION] [padding=valid|same] [stride=N]",
            "  maxpool N", "  flatten", "  dropout RATE", "conv options:", "  padding=", "(default valid; one of valid, same)",
            "  stride=", "(default 1; a whole number from 1 to 1024)",
        ] {
            #expect(build.contains(fragment), "\(fragment)\n\(build)")
        }
        let fit = harness.lines[1]
        for fragment in [
            "  augment=", "(default false; true or false)", "  shift=", "(default 0.1; a number from 0 to 0.99)", "  rotate=",
            "(default 0.05; a number from 0 to 0.5)", "  zoom=", "  zoom_width=",
            "(default the height's scale: the aspect kept; a number from 0 to 0.99)", "  shear_x=",
            "(default 0; a number from 0 to 1)", "  shear_y=", "  elastic=",
        ] {
            #expect(fit.contains(fragment), "\(fragment)\n\(fit)")
        }
    }

    /// The real MNIST: a small convnet on the first 12,000 augmented images learns in one epoch.
    @Test(.enabled(if: ModelAndPredictTests.dataPath != nil, "DNB_DATA is not set"))
    func aSmallConvnetLearnsMNIST() throws {
        let harness = try Harness(variables: ["DNB_DATA": try #require(ModelAndPredictTests.dataPath)])
        let failure = harness.run(
            """
            load mnist
            normalize
            build conv 8 3x3 relu, maxpool 2, flatten, dense 10 softmax
            fit epochs=1 batch=32 validation=0.8 optimizer=adam augment=on
            evaluate
            """)
        #expect(failure == nil, "\(failure ?? "")")
        #expect(harness.output.contains("Epoch 1/1 - 375/375 - "), "12,000 / 32 = 375 steps")
        let evaluation = try #require(harness.lines.first { $0.hasPrefix("test: ") })
        let accuracy = try #require(Double(String(evaluation.split(separator: " ")[5])))
        #expect(accuracy >= 0.85, "\(evaluation)")
    }
}
