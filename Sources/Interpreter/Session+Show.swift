import Datasets
import Engine
import Language
import Plotting

extension Session {
    /// `show data|model|history`.
    func show(_ command: Command) throws(Diagnostic) {
        let words = try expectWords(command, atMost: 2, usage: CommandSpecs.show.usage)
        _ = try options(command)
        guard let topicWord = words.first else {
            throw Diagnostic("show what? usage: \(CommandSpecs.show.usage)", at: command.verb.span)
        }
        let topic = try choose(topicWord, from: CommandSpecs.show.subcommands, what: "topic")
        let takesCount = ["predictions", "mistakes"].contains(topic)
        if words.count == 2, !takesCount {
            throw Diagnostic("unexpected '\(words[1].text)' — usage: \(CommandSpecs.show.usage)", at: words[1].span)
        }
        var count = topic == "predictions" ? 25 : 16
        if words.count == 2 {
            guard let value = Int(words[1].text), (1...maxGridImages).contains(value) else {
                throw Diagnostic(
                    "show \(topic) takes a number of digits from 1 to \(maxGridImages). Received: \(words[1].text)",
                    at: words[1].span)
            }
            count = value
        }
        switch topic {
        case "data": emit(.text(dataSummary(try requireData(for: command))))
        case "model": emit(.text(modelSummary(try requireModel(for: command))))
        case "history": emit(.text(try historyTable(for: command)))
        case "loss", "accuracy": try plotLossOrAccuracy(topic, command: command)
        case "predictions": try plotPredictions(count: count, command: command)
        case "mistakes": try plotMistakes(count: count, command: command)
        case "confusion": try plotConfusion(command: command)
        default: try plotWeights(command: command)
        }
    }

    func dataSummary(_ data: LoadedData) -> String {
        var lines = ["data from \(data.origin)"]
        var rows = [["split", "images", "size", "pixels"] + (0...9).map(String.init)]
        for (name, set) in [("train", data.train), ("test", data.test)] {
            let range = set.pixelRange
            let counts = set.classCounts.map(String.init)
            rows.append(
                [
                    name, Formatting.grouped(set.count), "\(set.rows)x\(set.cols)",
                    set.count == 0 ? "-" : "\(range.min)–\(range.max)",
                ]
                    + (counts.count == 10 ? counts : [String](repeating: "-", count: 10)))
        }
        lines.append(Formatting.table(rows, rightAligned: Set([1] + Array(4...13))))
        switch data.normalization {
        case nil: lines.append("features: not normalized yet (run `normalize`)")
        case .scale?: lines.append("features: \(data.width) per image, scaled to [0, 1] (x / 255)")
        case .standardize?: lines.append("features: \(data.width) per image, standardized (per-pixel mean 0, std 1)")
        }
        return lines.joined(separator: "\n")
    }

    /// Keras's `model.summary()`, in plain characters.
    func modelSummary(_ model: Model) -> String {
        let architecture = model.architecture
        var rows = [["Layer (type)", "Output Shape", "Param #", "Activation"]]
        var inputs = architecture.inputWidth
        for (index, layer) in architecture.layers.enumerated() {
            let name = index == 0 ? "dense (Dense)" : "dense_\(index) (Dense)"
            let count = inputs * layer.units + layer.units
            rows.append([name, "(None, \(layer.units))", Formatting.grouped(count), layer.activation.rawValue])
            inputs = layer.units
        }
        let table = Formatting.table(rows, rightAligned: [2])
        let width = table.split(separator: "\n").map(\.count).max() ?? 40
        let rule = String(repeating: "─", count: width)
        var lines = table.split(separator: "\n").map(String.init)
        lines.insert(rule, at: 1)
        let total = architecture.parameterCount
        let optimizer =
            model.optimizerState.map { state in
                "optimizer: \(state.optimizer.name), \(Formatting.grouped(state.iterations)) steps taken"
            } ?? "optimizer: none yet (the first fit sets it)"
        return
            (["Model: \"sequential\" (\(state.modelOrigin)), input (None, \(architecture.inputWidth))", rule]
            + lines + [
                rule,
                "Total params: \(Formatting.grouped(total)) (\(Formatting.bytes(total * 4)))",
                "Trainable params: \(Formatting.grouped(total)) (\(Formatting.bytes(total * 4)))",
                "Non-trainable params: 0 (0.00 B)",
                optimizer,
            ]).joined(separator: "\n")
    }

    func historyTable(for command: Command) throws(Diagnostic) -> String {
        guard !state.history.isEmpty else {
            throw Diagnostic("no training history yet: run `fit` first", at: command.verb.span)
        }
        var rows = [["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "time"]]
        for (index, metrics) in state.history.enumerated() {
            rows.append([
                String(index + 1), Formatting.fixed(metrics.loss, 4), Formatting.fixed(metrics.accuracy, 4),
                metrics.validationLoss.map { Formatting.fixed($0, 4) } ?? "-",
                metrics.validationAccuracy.map { Formatting.fixed($0, 4) } ?? "-",
                Formatting.seconds(metrics.seconds),
            ])
        }
        return Formatting.table(rows, rightAligned: [0, 1, 2, 3, 4, 5])
    }
}
