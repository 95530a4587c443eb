import Foundation
import Language
import Testing

@testable import Interpreter

/// fit's callbacks (early_stopping, reduce_lr, checkpoint, schedule), its
/// weight_decay and label_smoothing, and runs compared side by side.
@Suite struct TrainingControlsTests {
    static let prelude = """
        load idx train-images train-labels test-images test-labels
        normalize
        build dense 16 relu, dense 10 softmax

        """

    static func harness() throws -> Harness {
        let harness = try Harness()
        try writeBarFixtures(harness)
        return harness
    }

    /// Refused at fit, with a caret at the culprit, before any epoch runs.
    @Test(arguments: [
        (
            "fit epochs=3, early_stopping patience=2",
            "test.dnb:4:15: error: early_stopping watches val_loss (its default), but this fit has no validation data: add validation=0.2, or monitor=loss"
        ),
        (
            "fit epochs=3, checkpoint best.safetensors monitor=val_accuracy",
            "test.dnb:4:51: error: checkpoint watches val_accuracy, but this fit has no validation data: add validation=0.2, or monitor=accuracy"
        ),
        (
            "fit validation=0.2, early_stopping monitor=val_los",
            "test.dnb:4:44: error: invalid value for 'monitor': expected one of val_loss, val_accuracy, loss, accuracy. Received: monitor=val_los\nnote: did you mean 'val_loss'?"
        ),
        (
            "fit validation=0.2, schedule cosine decay_steps=9, schedule exponential decay_steps=5 decay_rate=0.5",
            "test.dnb:4:52: error: two schedules: the rate can follow only one (first at column 21)"
        ),
        (
            "fit validation=0.2, early_stopping, early_stopping patience=3",
            "test.dnb:4:37: error: `early_stopping` is given twice (first at column 21)"
        ),
        (
            "fit epochs=3 patience=3",
            "test.dnb:4:14: error: patience= goes with callback `early_stopping` or `reduce_lr`, after a comma: fit ..., early_stopping patience=..."
        ),
        (
            "fit validation=0.2, early_stopping lr=0.1",
            "test.dnb:4:36: error: lr= is an option of `fit` itself, not of `early_stopping`: write it before the first comma"
        ),
        (
            "fit epochs=3 early_stopping",
            "test.dnb:4:14: error: unexpected 'early_stopping' — callbacks come after a comma: fit epochs=60 validation=0.2 optimizer=adam, early_stopping patience=3 restore_best_weights=true, reduce_lr factor=0.5 patience=2, checkpoint best.safetensors"
        ),
        (
            "fit validation=0.2, reduce_lr patience=2, schedule cosine decay_steps=100",
            "test.dnb:4:21: error: reduce_lr sets the optimizer's rate, but `schedule cosine` sets every step's: use one of them (Keras refuses this too)"
        ),
        (
            "fit validation=0.2, reduce_lr factor=1",
            "test.dnb:4:38: error: factor=1 would not lower the rate: ReduceLROnPlateau needs a factor below 1"
        ),
        (
            "fit validation=0.2, schedule exponential decay_steps=10",
            "test.dnb:4:21: error: schedule exponential needs decay_rate= — usage: schedule exponential decay_steps=N decay_rate=F [staircase=false]"
        ),
        (
            "fit validation=0.2, schedule cosine decay_steps=10 decay_rate=0.5",
            "test.dnb:4:63: error: decay_rate= goes with schedule exponential, not schedule cosine"
        ),
        (
            "fit validation=0.2, schedule piecewise boundaries=10,20 values=\"0.1,0.01,0.001\"",
            "test.dnb:4:54: error: unknown callback type '20' — expected one of: early_stopping, reduce_lr, checkpoint, schedule\nnote: a list in an option's value goes in quotes, as values=\"0.01,0.001\""
        ),
        (
            "fit validation=0.2 lr=0.1, schedule piecewise boundaries=\"10\" values=\"0.1,0.01\"",
            "test.dnb:4:20: error: schedule piecewise takes its rates from values=: leave out lr="
        ),
        (
            "fit validation=0.2, schedule piecewise boundaries=\"10,x\" values=\"0.1,0.01,0.001\"",
            "test.dnb:4:51: error: invalid value for 'boundaries': expected numbers separated by commas, in quotes (boundaries=\"1000,2000\"). Received: x"
        ),
        (
            "fit validation=0.2, schedule piecewise boundaries=\"10,20\" values=\"0.1,0.01\"",
            "test.dnb:4:21: error: piecewise schedule: values must have one more entry than boundaries. Received: 2 values, 2 boundaries"
        ),
        (
            "fit validation=0.2, earlystopping",
            "test.dnb:4:21: error: unknown callback type 'earlystopping' — expected one of: early_stopping, reduce_lr, checkpoint, schedule\nnote: did you mean 'early_stopping'?"
        ),
    ])
    func badCallbacksAreRefusedBeforeTraining(line: String, expected: String) throws {
        let harness = try Self.harness()
        let rendered = try #require(harness.run(Self.prelude + line))
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expectedLines = expected.split(separator: "\n").map(String.init)
        #expect(lines.first == expectedLines.first, "\(rendered)")
        if expectedLines.count > 1 { #expect(lines.last == expectedLines.last, "\(rendered)") }
        // The caret sits under the column the message names.
        let column = Int(expected.split(separator: ":")[2]) ?? 0
        let caret = try #require(lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("^") })
        let quoted = try #require(lines.first { $0.contains(line) })
        let start = try #require(quoted.range(of: line)).lowerBound
        let offset = quoted.distance(from: quoted.startIndex, to: start)
        #expect(
            caret.firstIndex(of: "^").map { caret.distance(from: caret.startIndex, to: $0) + 1 - offset } == column, "\(rendered)"
        )
        #expect(!harness.output.contains("Epoch 1/"), "no training before the refusal")
    }

    /// A checkpoint that cannot be written stops the fit at that epoch and
    /// fails it at the file's name; the session is as before the fit.
    @Test func anUnwritableCheckpointFailsTheFitAtItsName() throws {
        let harness = try Self.harness()
        try harness.write("taken", [1])
        let rendered = try #require(
            harness.run(Self.prelude + "fit epochs=5 batch=50 validation=0.25, checkpoint taken/best.safetensors"))
        #expect(rendered.hasPrefix("test.dnb:4:51: error: checkpoint: cannot write taken/best.safetensors"), "\(rendered)")
        #expect(harness.lines.filter { $0.hasPrefix("Epoch ") && $0.contains(" - loss: ") }.count == 1)
        #expect(harness.run("show history", file: "after.dnb")?.contains("no training history yet") == true)
    }

    /// A second run with a taken name is refused at its name.
    @Test func runNamesAreUnique() throws {
        let harness = try Self.harness()
        #expect(harness.run(Self.prelude + "fit batch=50 name=first") == nil)
        let rendered = try #require(harness.run("fit batch=50 name=first", file: "again.dnb"))
        #expect(rendered.hasPrefix("again.dnb:1:19: error: a run named 'first' exists already (run 1)"), "\(rendered)")
    }

    /// EarlyStopping never satisfied (min_delta=1 on an accuracy) stops after
    /// patience epochs, prints Keras's two lines, and leaves the weights of
    /// the best epoch (the first): evaluate validation prints its val_loss.
    /// The checkpoint written then loads to the same figures.
    @Test func earlyStoppingRestoresTheBestEpochAndTheCheckpointHoldsIt() throws {
        let harness = try Self.harness()
        let failure = harness.run(
            Self.prelude
                + """
                fit epochs=20 batch=50 validation=0.25 optimizer=adam lr=0.01, \\
                    early_stopping monitor=val_accuracy min_delta=1 patience=2 restore_best_weights=true, \\
                    checkpoint best.safetensors monitor=val_accuracy min_delta=0 save_best_only=true mode=max
                evaluate validation
                """.replacingOccurrences(of: " min_delta=0", with: ""))
        #expect(failure == nil, "\(failure ?? "")")
        let lines = harness.lines
        let epochs = lines.filter { $0.hasPrefix("Epoch ") && $0.contains(" - loss: ") }
        #expect(epochs.count == 3, "stops at epoch patience + 1: \(lines)")
        #expect(lines.contains("Epoch 3: early stopping"))
        #expect(lines.contains("Restoring model weights from the end of the best epoch: 1."))
        let firstValidationLoss = try #require(epochs[0].split(separator: " - ").first { $0.hasPrefix("val_loss: ") })
        let evaluation = try #require(lines.last)
        #expect(evaluation.hasPrefix("validation: loss \(firstValidationLoss.dropFirst("val_loss: ".count)) - "), "\(lines)")
        #expect(
            lines.contains {
                $0.hasPrefix("Epoch 1: val_accuracy improved from None to ") && $0.hasSuffix("saving model to best.safetensors")
            })
        // The file holds the last epoch whose val_accuracy improved; loaded, it evaluates to that epoch's val_loss.
        let saves = lines.filter { $0.hasSuffix("saving model to best.safetensors") }
        let lastSaved = Int(saves.last?.split(separator: ":").first?.dropFirst("Epoch ".count) ?? "") ?? 0
        let savedLoss = try #require(epochs[lastSaved - 1].split(separator: " - ").first { $0.hasPrefix("val_loss: ") })
        #expect(harness.run("load model best.safetensors\nevaluate validation", file: "load.dnb") == nil)
        #expect(harness.lines.last?.hasPrefix("validation: loss \(savedLoss.dropFirst("val_loss: ".count)) - ") == true)
    }

    /// ReduceLROnPlateau with a plateau that never ends (min_delta=1 on an
    /// accuracy) lowers the rate after every `patience` epochs, says so as
    /// Keras does, logs learning_rate in the epoch line, and the history
    /// has the rate of every epoch; a second fit carries on its plateau.
    @Test func reduceLRLowersTheRateVisibly() throws {
        let harness = try Self.harness()
        let failure = harness.run(
            Self.prelude + """
                fit epochs=3 batch=50 validation=0.25 optimizer=adam, reduce_lr monitor=val_accuracy min_delta=1 patience=1 factor=0.5
                show history
                """)
        #expect(failure == nil, "\(failure ?? "")")
        let lines = harness.lines
        #expect(lines.contains("Epoch 2: ReduceLROnPlateau reducing learning rate to 0.0005000000237487257."), "\(lines)")
        #expect(lines.contains("Epoch 3: ReduceLROnPlateau reducing learning rate to 0.0002500000118743628."), "\(lines)")
        let epochs = lines.filter { $0.hasPrefix("Epoch ") && $0.contains(" - loss: ") }
        #expect(
            epochs.map { $0.split(separator: " - ").last ?? "" } == [
                "learning_rate: 0.0010", "learning_rate: 0.0010", "learning_rate: 5.0000e-04",
            ])
        let table = try #require(lines.last).split(separator: "\n").map(String.init)
        #expect(table[0].contains("learning_rate"))
        #expect(table[1].contains(" 0.0010 ") && table[3].contains(" 5.0000e-04 "), "\(table)")
        // The next fit with the same reduce_lr continues its wait: it lowers again at once.
        #expect(
            harness.run(
                "fit epochs=1 batch=50 validation=0.25, reduce_lr monitor=val_accuracy min_delta=1 patience=1 factor=0.5",
                file: "more.dnb") == nil)
        #expect(harness.lines.contains("Epoch 1: ReduceLROnPlateau reducing learning rate to 0.0001250000059371814."))
    }

    /// A schedule sets each step's rate from lr=; the history logs the rate
    /// at the epoch's end (3 steps an epoch: 150 rows, batch 50); a later
    /// fit carries it on, and lr= replaces it with a constant rate.
    @Test func schedulesCarryOnAcrossFits() throws {
        let harness = try Self.harness()
        let failure = harness.run(
            Self.prelude + """
                fit epochs=2 batch=50 validation=0.25 optimizer=sgd lr=0.1, schedule exponential decay_steps=3 decay_rate=0.5 staircase=true
                fit epochs=1 batch=50 validation=0.25
                fit epochs=1 batch=50 validation=0.25 lr=0.01
                show history
                """)
        #expect(failure == nil, "\(failure ?? "")")
        let table = try #require(harness.lines.last).split(separator: "\n").map(String.init)
        let rates = table.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[5] }
        #expect(rates == ["0.0500", "0.0250", "0.0125", "0.0100"], "\(table)")
    }

    /// The schedule and the plateau travel in the model file with the
    /// optimizer state: a loaded model's next fit carries them on.
    @Test func saveAndLoadKeepTheScheduleAndThePlateau() throws {
        let harness = try Self.harness()
        let failure = harness.run(
            Self.prelude + """
                fit epochs=2 batch=50 validation=0.25 optimizer=sgd lr=0.1, schedule exponential decay_steps=3 decay_rate=0.5 staircase=true
                save model scheduled.safetensors
                build dense 16 relu, dense 10 softmax
                fit epochs=2 batch=50 validation=0.25 optimizer=adam, reduce_lr monitor=val_accuracy min_delta=1 patience=1 factor=0.5
                save model plateau.safetensors
                load model plateau.safetensors
                fit epochs=1 batch=50 validation=0.25, reduce_lr monitor=val_accuracy min_delta=1 patience=1 factor=0.5
                load model scheduled.safetensors
                fit epochs=1 batch=50 validation=0.25
                show history
                """)
        #expect(failure == nil, "\(failure ?? "")")
        let lines = harness.lines
        // 9 steps taken after the loaded 6: the rate is 0.1 · 0.5^3 (the history starts at the load).
        let table = try #require(lines.last).split(separator: "\n").map(String.init)
        #expect(table.count == 2 && table[1].split(separator: " ")[5] == "0.0125", "\(table)")
        let loadedPlateau = try #require(lines.firstIndex { $0.hasPrefix("loaded the model from plateau") })
        #expect(lines[loadedPlateau + 1].hasSuffix("learning_rate: 5.0000e-04"), "\(lines)")
        #expect(lines[loadedPlateau + 2] == "Epoch 1: ReduceLROnPlateau reducing learning rate to 0.0002500000118743628.")
    }

    /// weight_decay and label_smoothing change the numbers (and nothing is refused).
    @Test func weightDecayAndLabelSmoothingTrain() throws {
        func loss(_ options: String) throws -> String {
            let harness = try Self.harness()
            #expect(harness.run(Self.prelude + "fit epochs=2 batch=50 validation=0.25 optimizer=adam \(options)") == nil)
            // The figures from "loss:" on: the epoch's time before them varies from run to run.
            return harness.lines.filter { $0.hasPrefix("Epoch 2/") }.compactMap { line in
                line.range(of: "loss:").map { String(line[$0.lowerBound...]) }
            }.joined()
        }
        let plain = try loss("")
        #expect(try loss("weight_decay=0") == plain)
        #expect(try loss("weight_decay=0.05") != plain)
        #expect(try loss("label_smoothing=0.1") != plain)
    }

    /// Every fit is a run, kept across build: show runs lists them with
    /// their best figures and test accuracy; show compare draws one curve per run.
    @Test func runsAreListedAndCompared() throws {
        let harness = try Self.harness()
        let failure = harness.run(
            Self.prelude + """
                fit epochs=3 batch=50 validation=0.25 optimizer=adam name=adam
                evaluate
                build dense 8 relu, dense 10 softmax
                fit epochs=2 batch=50 validation=0.25 optimizer=sgd lr=0.1 momentum=0.9, schedule cosine decay_steps=6
                fit epochs=1 batch=50
                show runs
                show compare
                show compare metric=accuracy
                """)
        #expect(failure == nil, "\(failure ?? "")")
        let table = try #require(harness.lines.first { $0.hasPrefix("run  name") }).split(separator: "\n").map(String.init)
        #expect(table.count == 4)
        #expect(table[1].contains("  1  adam   784 → 16 relu → 10 softmax  adam lr=0.001"), "\(table)")
        #expect(table[1].contains("(epoch "))
        #expect(table[2].contains("  2  run 2  784 → 8 relu → 10 softmax   sgd lr=0.1 momentum=0.9  batch=50 cosine"), "\(table)")
        #expect(table[3].hasPrefix("  3  run 3") && table[3].contains(" -  "), "no validation: no best val_loss")
        let evaluation = try #require(harness.lines.first { $0.hasPrefix("test: ") })
        let accuracy = String(evaluation.split(separator: " - accuracy ")[1].prefix(6))
        #expect(table[1].hasSuffix(accuracy), "the test accuracy of run 1: \(table[1])")
        #expect(harness.lines.contains("left out (no val_loss): run 3"))
        let script = try String(contentsOfFile: harness.directory + "/plots/compare-val_loss.gp", encoding: .utf8)
        #expect(script.contains("title 'adam'") && script.contains("title 'run 2'"), "\(script)")
        #expect(!script.contains("run 3"))
        #expect(script.contains("set key top right"), "a loss falls: the key at the top")
        let accuracyScript = try String(contentsOfFile: harness.directory + "/plots/compare-accuracy.gp", encoding: .utf8)
        #expect(accuracyScript.contains("title 'run 3'"), "metric=accuracy draws all three runs")
        #expect(accuracyScript.contains("set key bottom right"))
    }

    /// A fit stopped by Ctrl-C is saved with its callbacks, as written,
    /// for its finished epochs, without restore_best_weights.
    @Test func aStoppedFitReplaysItsCallbacks() throws {
        let command = try #require(
            try Parser.parse(
                line:
                    "fit epochs=10 validation=0.2, early_stopping patience=2 restore_best_weights=true, checkpoint \"my best.safetensors\", schedule piecewise boundaries=\"5,9\" values=\"0.1,0.01,0.001\""
            ))
        #expect(
            Session.replayableFit(command, finishedEpochs: 3, stopped: (4, 17))
                == "# stopped by Ctrl-C at epoch 4, step 17; replaying the 3 finished epochs only\n"
                + "fit epochs=3 validation=0.2, early_stopping patience=2, checkpoint \"my best.safetensors\", "
                + "schedule piecewise boundaries=\"5,9\" values=\"0.1,0.01,0.001\"")
    }

    /// save session writes the fits with their callbacks, and replaying it prints the same.
    @Test func savedSessionReplaysCallbacks() throws {
        let harness = try Self.harness()
        let source =
            Self.prelude + """
                fit epochs=4 batch=50 validation=0.25 optimizer=adam name=one, early_stopping monitor=val_accuracy min_delta=1 patience=1, reduce_lr monitor=loss patience=1 factor=0.5 min_delta=10
                save session again.dnb
                """
        #expect(harness.run(source) == nil)
        let first = maskingTimes(harness.output)
        let saved = try String(contentsOfFile: harness.directory + "/again.dnb", encoding: .utf8)
        #expect(saved.contains("early_stopping monitor=val_accuracy"))
        let replay = try Self.harness()
        try FileManager.default.copyItem(atPath: harness.directory + "/again.dnb", toPath: replay.directory + "/again.dnb")
        #expect(replay.run("run again.dnb") == nil)
        let lines = maskingTimes(replay.output).split(separator: "\n")
        #expect(first.split(separator: "\n").dropLast().elementsEqual(lines.prefix(lines.count)), "\(first)\n---\n\(lines)")
    }
}

/// restore_best_weights puts back the moving statistics with the weights
/// (Keras's get_weights has both), and a batch-normalized model fits again.
@Suite struct TrainingControlsStateTests {
    @Test func restoringTheBestEpochRestoresItsMovingStatistics() throws {
        let harness = try TrainingControlsTests.harness()
        let failure = harness.run(
            """
            load idx train-images train-labels test-images test-labels
            normalize
            build dense 16, batchnorm, activation relu, dense 10 softmax
            fit epochs=1 batch=50
            fit epochs=5 batch=50 validation=0.25 optimizer=adam lr=0.01, \\
                early_stopping monitor=val_accuracy min_delta=1 patience=2 restore_best_weights=true
            evaluate validation
            """)
        #expect(failure == nil, "\(failure ?? "")")
        let epochs = harness.lines.filter { $0.hasPrefix("Epoch 1/5") }
        let firstValidationLoss = try #require(epochs.first?.split(separator: " - ").first { $0.hasPrefix("val_loss: ") })
        #expect(harness.lines.contains("Restoring model weights from the end of the best epoch: 1."))
        #expect(
            harness.lines.last?.hasPrefix("validation: loss \(firstValidationLoss.dropFirst("val_loss: ".count)) - ") == true,
            "\(harness.lines)")
    }
}
