import Foundation
import Language
import Testing

@testable import Interpreter

/// What a small notebook prints, line for line (timings masked).
@Suite struct TranscriptTests {
    @Test func smallNotebookPrintsWhatAKerasUserExpects() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let failure = harness.run(
            """
            # a tiny notebook on fixtures
            load idx train-images train-labels test-images test-labels
            normalize
            build dense 16 relu, dense 10 softmax
            show model
            fit epochs=2 batch=20 validation=0.25 optimizer=adam lr=0.01
            evaluate
            show history
            """)
        #expect(failure == nil)
        let expected = """
            loaded 200 training and 50 test images, 28x28, from train-images, train-labels, test-images, test-labels in <t>
            normalized 200 training and 50 test images to 784 features in [0, 1] (x / 255)
            built 784 → 16 relu → 10 softmax: 12,730 parameters
            Model: "sequential" (built), input (None, 784)
            ──────────────────────────────────────────────────
            Layer (type)     Output Shape  Param #  Activation
            ──────────────────────────────────────────────────
            dense (Dense)    (None, 16)     12,560  relu
            dense_1 (Dense)  (None, 10)        170  softmax
            ──────────────────────────────────────────────────
            Total params: 12,730 (49.73 KB)
            Trainable params: 12,730 (49.73 KB)
            Non-trainable params: 0 (0.00 B)
            optimizer: none yet (the first fit sets it)
            """
        let transcript = maskingTimes(harness.output)
        #expect(transcript.hasPrefix(expected), "\(transcript)")
        let lines = transcript.split(separator: "\n").map(String.init)
        let epochs = lines.filter { $0.hasPrefix("Epoch ") }
        #expect(epochs.count == 2)
        #expect(epochs[0].hasPrefix("Epoch 1/2 - 8/8 - <t> - loss: "), "150 samples / batch 20 = 8 steps")
        #expect(epochs[0].contains(" - val_loss: ") && epochs[0].contains(" - val_accuracy: "))
        let evaluation = try #require(lines.first { $0.hasPrefix("test: ") })
        #expect(evaluation.contains(/^test: loss \d\.\d{4} - accuracy \d\.\d{4} \(50 samples\)$/))
        #expect(lines.contains { $0.contains("epoch") && $0.contains("val_accuracy") })
    }

    @Test func sameNotebookSameSeedSameNumbers() throws {
        func transcript() throws -> String {
            let harness = try Harness()
            try writeBarFixtures(harness)
            harness.run(
                """
                load idx train-images train-labels test-images test-labels
                normalize
                set seed=7
                build dense 12 tanh, dense 10 softmax
                fit epochs=2 batch=16 validation=0.2 optimizer=rmsprop
                evaluate
                """)
            return maskingTimes(harness.output)
        }
        #expect(try transcript() == transcript())
    }

    @Test func helpComesFromTheCommandTable() throws {
        let harness = try Harness()
        harness.run("help")
        for spec in CommandTable.specs {
            #expect(harness.output.contains("  \(spec.name)"), "help lists \(spec.name)")
            #expect(harness.output.contains(spec.summary))
        }
        harness.lines = []
        harness.run("help fit")
        #expect(harness.output.hasPrefix("usage: fit "))
        #expect(harness.output.contains("epochs=") && harness.output.contains("default 32"))
    }

    @Test func setChangesAndListsSettings() throws {
        let harness = try Harness()
        #expect(harness.run("set seed=7 threads=1\nset") == nil)
        #expect(harness.output == "seed = 7\nthreads = 1\nseed = 7\nplots = plots\nformat = png\nthreads = 1")
    }

    @Test func runReplaysAnotherNotebookInTheSameSession() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        try harness.write("prepare.dnb", Array("load idx train-images train-labels\nnormalize\n".utf8))
        #expect(harness.run("run prepare.dnb\nbuild dense 4 relu, dense 10 softmax") == nil)
        #expect(harness.output.contains("built 784 → 4 relu → 10 softmax"))
    }
}

@Test func theValidationSplitIsTheTailOfTheTrainingArrays() throws {
    let harness = try Harness()
    try writeBarFixtures(harness)
    #expect(
        harness.run(
            "load idx train-images train-labels\nnormalize\nbuild dense 4 relu, dense 10 softmax\nfit validation=0.25 batch=50")
            == nil)
    #expect(harness.output.contains("Epoch 1/1 - 3/3 - "), "150 training rows in batches of 50")
    let parsed = try #require(try Parser.parse(line: "evaluate validation"))
    let command = try EvaluateCommand.spec.bind(parsed, verbs: CommandTable.verbs)
    let validation = try harness.session.examples("validation", for: command)
    let labels = try #require(harness.session.state.data?.train.labels)
    #expect(validation.count == 50)
    #expect(validation.labels == Array(labels[150...]))
    let tail = try harness.session.examples("train", for: command).rows(150..<200)
    #expect(validation.features == tail.features)
}
