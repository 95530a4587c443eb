import Engine
import Language

extension Session {
    /// `evaluate [test|validation|train]`: prints `SPLIT: loss L - accuracy A (N samples)`.
    func evaluate(_ command: Command) throws(Diagnostic) {
        let words = try expectWords(command, atMost: 1, usage: CommandSpecs.evaluate.usage)
        let options = try self.options(command)
        let split = try words.first.map { word throws(Diagnostic) in
            try choose(word, from: CommandSpecs.evaluate.subcommands, what: "split")
        } ?? "test"
        let model = try requireModel(for: command)
        let examples = try self.examples(split, for: command)
        guard model.architecture.inputWidth == examples.width else {
            throw Diagnostic(
                "the model takes \(model.architecture.inputWidth) features but the data has \(examples.width)",
                at: command.verb.span)
        }
        let result: (loss: Double, accuracy: Double)
        do {
            result = try model.evaluate(examples, batchSize: options.integer("batch") ?? 256)
        } catch {
            throw Diagnostic(error.description, at: command.verb.span)
        }
        emit(
            .text(
                "\(split): loss \(Formatting.fixed(result.loss, 4)) - accuracy \(Formatting.fixed(result.accuracy, 4))"
                    + " (\(Formatting.grouped(examples.count)) samples)"))
    }

    /// The features and labels of a split, normalized.
    func examples(_ split: String, for command: Command) throws(Diagnostic) -> Examples {
        let data = try requireData(for: command)
        guard let trainFeatures = data.trainFeatures, let testFeatures = data.testFeatures else {
            throw Diagnostic("the data is not normalized yet: run `normalize` first", at: command.verb.span)
        }
        let width = data.width
        var features: [Float]
        var labels: [UInt8]
        switch split {
        case "train":
            features = trainFeatures
            labels = data.train.labels
        case "validation":
            guard state.lastValidationFraction > 0 else {
                throw Diagnostic(
                    "no validation split: fit with validation=0.2 first (or evaluate test)", at: wholeSpan(command))
            }
            let splitAt = Int(Double(data.train.count) * (1 - state.lastValidationFraction))
            features = Array(trainFeatures[(splitAt * width)...])
            labels = Array(data.train.labels[splitAt...])
        default:
            features = testFeatures
            labels = data.test.labels
        }
        guard !labels.isEmpty else {
            throw Diagnostic("the \(split) set is empty (load idx with a test pair, or load mnist)", at: wholeSpan(command))
        }
        do {
            return try Examples(features: features, labels: labels, width: width)
        } catch {
            throw Diagnostic(error.description, at: command.verb.span)
        }
    }
}
