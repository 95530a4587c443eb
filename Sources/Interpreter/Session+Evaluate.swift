import Datasets
import Engine
import Language
import Plotting

/// `evaluate [test|validation|train] [batch=N]`: its declaration and its handler.
enum EvaluateCommand {
    static let batch = Option("batch", .integer(1...1_000_000), default: 256, "samples per forward pass")

    static let spec = CommandSpec(
        name: "evaluate",
        usage: "evaluate [test|validation|train]",
        summary: "loss and accuracy on a split (the test set by default)",
        details: """
            test is the test set; validation is the part held out by the last fit's validation=;
            train is the whole training set, held-out part included (as Keras's evaluate(x_train, y_train)).
            """,
        subcommands: ["test", "validation", "train"].map { SubcommandSpec($0) },
        defaultSubcommand: "test", subcommandNoun: "split",
        options: [batch.spec],
        examples: ["evaluate", "evaluate validation"])

    static let entry = CommandEntry(spec: spec, handler: Session.evaluate)
}

extension Session {
    /// Prints `SPLIT: loss L - accuracy A (N samples)`.
    func evaluate(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let split = invocation.subcommand ?? "test"
        let model = try requireModel(for: invocation)
        let examples = try self.examples(split, for: invocation)
        guard model.architecture.inputWidth == examples.width else {
            throw Diagnostic(
                "the model takes \(model.architecture.inputWidth) features but the data has \(examples.width)",
                at: invocation.verb.span)
        }
        let result: (loss: Double, accuracy: Double)
        do {
            result = try model.evaluate(examples, batchSize: invocation[EvaluateCommand.batch])
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
        emit(
            .text(
                "\(split): loss \(NumberFormat.fixed(result.loss, 4)) - accuracy \(NumberFormat.fixed(result.accuracy, 4))"
                    + " (\(NumberFormat.grouped(examples.count)) samples)"))
        return .done
    }

    /// A split's images and labels, as the engine reads them: the pixels
    /// themselves, converted with the session's normalization as batches are gathered.
    func examples(_ split: String, for invocation: Invocation) throws(Diagnostic) -> Examples {
        let data = try requireData(for: invocation)
        let set = split == "test" ? data.test : data.train
        guard set.count > 0 else {
            throw Diagnostic("the \(split) set is empty (load idx with a test pair, or load mnist)", at: invocation.wholeSpan)
        }
        let all = try examples(of: set, in: data, for: invocation)
        guard split == "validation" else { return all }
        guard state.lastValidationFraction > 0 else {
            throw Diagnostic("no validation split: fit with validation=0.2 first (or evaluate test)", at: invocation.wholeSpan)
        }
        do throws(EngineError) {
            if let validation = try all.splitForValidation(state.lastValidationFraction).validation { return validation }
            throw .invalidArgument("no validation rows")
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
    }

    /// All of `set`, normalized as the model's inputs were when it was
    /// trained (or as its file says); for a model not trained yet, as
    /// `normalize` said. `fit` passes `forTraining` to use the data's.
    func examples(
        of set: ImageSet, in data: LoadedData, for invocation: Invocation, forTraining: Bool = false
    ) throws(Diagnostic) -> Examples {
        guard let scaling = (forTraining ? nil : state.modelScaling) ?? data.scaling else {
            throw Diagnostic("the data is not normalized yet: run `normalize` first (Keras: x / 255.0)", at: invocation.verb.span)
        }
        do {
            return try Examples(pixels: set.pixels, labels: set.labels, width: data.width, scaling: scaling)
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
    }
}
