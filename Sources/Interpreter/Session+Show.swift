import Datasets
import Engine
import Language
import Plotting

/// `show data|model|history|loss|accuracy|lr|runs|compare|predictions [N]|...`: its declaration.
enum ShowCommand {
    static let metric = Option(
        "metric", .choice(FitCallbacks.monitors), default: "val_loss", "the figure show compare draws for every run")

    static let spec = CommandSpec(
        name: "show",
        usage:
            "show data|model|history|loss|accuracy|lr|runs|compare [metric=...]|predictions [N]|mistakes [N]|confusion|weights|activations [N]",
        summary: "summaries of the data, model and history; plots of curves, predictions and weights",
        details: """
            data, model and history print text. The others write a gnuplot script PLOTS/NAME.gp
            (set plots=DIR) and render it to PLOTS/NAME.png (set format=svg for SVG) when gnuplot is
            installed: loss and accuracy per epoch (training and validation); predictions N (default
            25) on the first test digits, wrong ones in red; mistakes N (default 16), the most
            confident wrong predictions; confusion, the 10x10 test-set matrix; weights, the first
            layer's units as 28x28 pictures (a convnet's first-layer filters); activations N (default 0),
            test digit N's feature maps layer by layer (flat layers as strips; layers that only reshape or pass values through are not drawn).
            lr plots the learning rate per epoch. runs lists every fit of the session (each a run) with
            its best val_loss and val_accuracy; compare draws one metric (val_loss by default) of every
            run in one picture (PLOTS/compare-METRIC.png), one curve per run, as TensorBoard's runs
            view does.
            """,
        subcommands: Topic.allCases.map(\.form),
        subcommandNoun: "topic",
        options: [metric.spec],
        examples: ["show data", "show loss", "show predictions 25", "show confusion", "show compare metric=val_accuracy"])

    static let entry = CommandEntry(spec: spec, handler: Session.show)

    /// The sub-words, each with the words it takes.
    enum Topic: String, CaseIterable {
        case data, model, history, loss, accuracy, lr, runs, compare, predictions, mistakes, confusion, weights, activations

        var form: SubcommandSpec {
            switch self {
            case .predictions: SubcommandSpec(rawValue, [count(default: 25)], options: [])
            case .mistakes: SubcommandSpec(rawValue, [count(default: 16)], options: [])
            case .activations:
                SubcommandSpec(
                    rawValue,
                    [ArgumentSpec("N", .integer(0...Int.max), .optional, default: .integer(0), noun: "a test digit number")],
                    options: [])
            case .compare: SubcommandSpec(rawValue, options: [ShowCommand.metric.name])
            default: SubcommandSpec(rawValue, options: [])
            }
        }

        private func count(default value: Int) -> ArgumentSpec {
            ArgumentSpec("N", .integer(1...maxGridImages), .optional, default: .integer(value), noun: "the number of digits")
        }
    }
}

extension Session {
    func show(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let count = invocation.integer("N") ?? 0
        switch try invocation.form(ShowCommand.Topic.self) {
        case .data: emit(.text(dataSummary(try requireData(for: invocation))))
        case .model: emit(.text(modelSummary(try requireModel(for: invocation))))
        case .history: emit(.text(try historyTable(for: invocation)))
        case .loss: try plotLossOrAccuracy("loss", invocation: invocation)
        case .accuracy: try plotLossOrAccuracy("accuracy", invocation: invocation)
        case .lr: try plotLearningRate(invocation: invocation)
        case .runs: emit(.text(try runsTable(for: invocation)))
        case .compare: try plotComparison(invocation[ShowCommand.metric], invocation: invocation)
        case .predictions: try plotPredictions(count: count, invocation: invocation)
        case .mistakes: try plotMistakes(count: count, invocation: invocation)
        case .confusion: try plotConfusion(invocation: invocation)
        case .weights: try plotWeights(invocation: invocation)
        case .activations: try plotActivations(invocation: invocation)
        }
        return .done
    }

    func dataSummary(_ data: LoadedData) -> String {
        var lines = ["data from \(data.origin)"]
        var rows = [["split", "images", "size", "pixels"] + (0...9).map(String.init)]
        for (name, set) in [("train", data.train), ("test", data.test)] {
            let range = set.pixelRange
            let counts = set.classCounts.map(String.init)
            rows.append(
                [
                    name, NumberFormat.grouped(set.count), "\(set.rows)x\(set.cols)",
                    set.count == 0 ? "-" : "\(range.min)–\(range.max)",
                ]
                    + (counts.count == 10 ? counts : [String](repeating: "-", count: 10)))
        }
        lines.append(textTable(rows, rightAligned: Set([1] + Array(4...13))))
        switch data.scaling {
        case nil: lines.append("features: not normalized yet (run `normalize`)")
        case .scale?: lines.append("features: \(data.width) per image, scaled to [0, 1] (x / 255)")
        case .standardize?: lines.append("features: \(data.width) per image, standardized (per-pixel mean 0, std 1)")
        }
        return lines.joined(separator: "\n")
    }

    /// Keras's `model.summary()`, in plain characters, with each layer's activation.
    func modelSummary(_ model: Model) -> String {
        let architecture = model.architecture
        var rows = [["Layer (type)", "Output Shape", "Param #", "Activation"]]
        // A model exists only for a valid architecture, so the summary has every layer.
        let layers = (try? architecture.summary()) ?? []
        for (layer, row) in zip(architecture.stack, layers) {
            rows.append([
                "\(row.name) (\(row.className))", row.outputShapeText, NumberFormat.grouped(row.parameterCount),
                layer.activationName ?? "",
            ])
        }
        let table = textTable(rows, rightAligned: [2])
        let width = table.split(separator: "\n").map(\.count).max() ?? 40
        let rule = String(repeating: "─", count: width)
        var lines = table.split(separator: "\n").map(String.init)
        lines.insert(rule, at: 1)
        let trainable = architecture.parameterCount
        let frozen = architecture.stateCount
        let total = trainable + frozen
        let optimizer =
            model.optimizerState.map { state in
                "optimizer: \(state.optimizer.name), \(NumberFormat.grouped(state.iterations)) steps taken"
            } ?? "optimizer: none yet (the first fit sets it)"
        return
            (["Model: \"sequential\" (\(state.modelOrigin)), input \(Architecture.shapeText(architecture.inputShape))", rule]
            + lines + [
                rule,
                "Total params: \(NumberFormat.grouped(total)) (\(NumberFormat.bytes(total * 4)))",
                "Trainable params: \(NumberFormat.grouped(trainable)) (\(NumberFormat.bytes(trainable * 4)))",
                "Non-trainable params: \(NumberFormat.grouped(frozen)) (\(NumberFormat.bytes(frozen * 4)))",
                optimizer,
            ]).joined(separator: "\n")
    }

    func historyTable(for invocation: Invocation) throws(Diagnostic) -> String {
        guard !state.history.isEmpty else {
            throw Diagnostic("no training history yet: run `fit` first", at: invocation.verb.span)
        }
        var rows = [["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "time"]]
        for (index, metrics) in state.history.enumerated() {
            rows.append([
                String(index + 1), NumberFormat.fixed(metrics.loss, 4), NumberFormat.fixed(metrics.accuracy, 4),
                metrics.validationLoss.map { NumberFormat.fixed($0, 4) } ?? "-",
                metrics.validationAccuracy.map { NumberFormat.fixed($0, 4) } ?? "-",
                NumberFormat.kerasLog(metrics.learningRate), NumberFormat.seconds(metrics.seconds),
            ])
        }
        return textTable(rows, rightAligned: [0, 1, 2, 3, 4, 5, 6])
    }
}

extension LayerSpec {
    /// The activation of a layer that applies one, as `build` takes it.
    var activationName: String? { activation?.rawValue }
}
