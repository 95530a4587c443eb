import Datasets
import Engine
import Language

extension Session {
    /// `evaluate [test|validation|train]`: prints `SPLIT: loss L - accuracy A (N samples)`.
    func evaluate(_ command: Command) throws(Diagnostic) {
        let words = try expectWords(command, atMost: 1, usage: CommandSpecs.evaluate.usage)
        let options = try self.options(command)
        let split =
            try words.first.map { word throws(Diagnostic) in
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

    /// A split's images and labels, as the engine reads them: the pixels
    /// themselves, converted with the session's normalization as batches are gathered.
    func examples(_ split: String, for command: Command) throws(Diagnostic) -> Examples {
        let data = try requireData(for: command)
        let set = split == "test" ? data.test : data.train
        guard set.count > 0 else {
            throw Diagnostic("the \(split) set is empty (load idx with a test pair, or load mnist)", at: wholeSpan(command))
        }
        let all = try examples(of: set, in: data, for: command)
        guard split == "validation" else { return all }
        guard state.lastValidationFraction > 0 else {
            throw Diagnostic("no validation split: fit with validation=0.2 first (or evaluate test)", at: wholeSpan(command))
        }
        do throws(EngineError) {
            if let validation = try all.splitForValidation(state.lastValidationFraction).validation { return validation }
            throw .invalidArgument("no validation rows")
        } catch {
            throw Diagnostic(error.description, at: command.verb.span)
        }
    }

    /// All of `set`, normalized as the model's inputs were when it was
    /// trained (or as its file says); for a model not trained yet, as
    /// `normalize` said. `fit` passes `forTraining` to use the data's.
    func examples(
        of set: ImageSet, in data: LoadedData, for command: Command, forTraining: Bool = false
    ) throws(Diagnostic) -> Examples {
        guard let normalization = (forTraining ? nil : state.modelNormalization) ?? data.normalization else {
            throw Diagnostic("the data is not normalized yet: run `normalize` first (Keras: x / 255.0)", at: command.verb.span)
        }
        do {
            return try Examples(pixels: set.pixels, labels: set.labels, width: data.width, scaling: Self.scaling(normalization))
        } catch {
            throw Diagnostic(error.description, at: command.verb.span)
        }
    }
}
