import Datasets
import Engine
import Language
import Plotting

/// `evaluate [test|validation|train] [batch=N]`: its declaration and its handler.
enum EvaluateCommand {
    static let batch = Option("batch", .integer(1...1_000_000), default: 128, "samples per forward pass")

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
        if split == "test", let run = state.model?.carried.run, state.runs.indices.contains(run) {
            state.runs[run].testAccuracy = result.accuracy
        }
        emit(
            .result(
                "\(split): loss \(NumberFormat.fixed(result.loss, 4)) - accuracy \(NumberFormat.fixed(result.accuracy, 4))"
                    + " (\(NumberFormat.grouped(examples.count)) samples)"))
        return .done
    }
}
